/**
 * The course as the CLI sees it: which exercises exist yet, what the student
 * did with each, and the one-sentence errors for a wrong exercise number.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXERCISES, findExercise, type ExerciseInfo } from '../grader/exercises.ts';
import type { ExerciseProgress } from './progress-store.ts';
import { UserError } from './user-error.ts';

/** Where an exercise stands for the student. */
export type ExerciseStatus =
  | { kind: 'coming' }
  | { kind: 'not-tried' }
  | { kind: 'failing'; earned: number; possible: number }
  | { kind: 'passed'; earned: number; possible: number };

/** True when the exercise is written: its folder and its graded tests exist. */
export function isAvailable(exercise: ExerciseInfo, projectRoot: string): boolean {
  return (
    existsSync(path.join(projectRoot, 'exercises', exercise.id)) &&
    existsSync(path.join(projectRoot, 'tests', `${exercise.id}.test.ts`))
  );
}

/** The status shown in the progress view, from availability and the saved progress. */
export function statusOf(available: boolean, progress: ExerciseProgress | undefined): ExerciseStatus {
  if (!available) return { kind: 'coming' };
  const last = progress?.lastVerify;
  if (!last) return { kind: 'not-tried' };
  return last.passed
    ? { kind: 'passed', earned: last.earned, possible: last.possible }
    : { kind: 'failing', earned: last.earned, possible: last.possible };
}

/** The exercise a user typed, or a one-sentence UserError naming the valid range. */
export function lookupExercise(query: string): ExerciseInfo {
  const exercise = findExercise(String(query));
  if (!exercise) {
    const first = EXERCISES[0]?.number ?? '01';
    const last = EXERCISES.at(-1)?.number ?? first;
    throw new UserError(`There is no exercise "${query}": the exercises are ${first} to ${last} (see \`wirelab list\`).`);
  }
  return exercise;
}

/** Like {@link lookupExercise}, and also refuses an exercise that is not written yet. */
export function lookupAvailableExercise(query: string, projectRoot: string): ExerciseInfo {
  const exercise = lookupExercise(query);
  if (!isAvailable(exercise, projectRoot)) {
    throw new UserError(`Exercise ${exercise.number} (${exercise.id.slice(3)}) is coming: it is not written yet, so there is nothing to run; \`wirelab\` shows the ones you can do now.`);
  }
  return exercise;
}

/** `01-udp-echo` → `01 udp-echo`, how exercises are named on screen. */
export function displayName(exercise: ExerciseInfo): string {
  return `${exercise.number} ${exercise.id.slice(3)}`;
}
