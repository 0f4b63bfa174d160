/**
 * Where things are in the kit: its root folder, an exercise's graded test
 * file, and whether an exercise is written yet. The one place that knows
 * these paths; the grader and the CLI both ask here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExerciseInfo } from './exercises.ts';

/** The kit's root folder (where package.json and vitest.config.ts are), wherever a command was started from. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The graded test file of an exercise: `tests/01-udp-echo.test.ts`. */
export function testFileOf(exercise: ExerciseInfo, root: string = PROJECT_ROOT): string {
  return path.join(root, 'tests', `${exercise.id}.test.ts`);
}

/** True when the exercise is written: its folder `exercises/NN-name/` and its graded tests both exist. */
export function isAvailable(exercise: ExerciseInfo, root: string = PROJECT_ROOT): boolean {
  return existsSync(path.join(root, 'exercises', exercise.id)) && existsSync(testFileOf(exercise, root));
}
