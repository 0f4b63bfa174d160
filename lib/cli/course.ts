/**
 * The course as the CLI sees it: where the student stands in each exercise,
 * and the one-sentence errors for a wrong exercise number. (Which exercises
 * are written yet is lib/grader/kit-paths.ts's `isAvailable`.)
 */
import { EXERCISES, findExercise, type ExerciseInfo } from '../grader/exercises.ts';
import { isAvailable } from '../grader/kit-paths.ts';
import type { ExerciseProgress } from './progress-store.ts';
import { UserError } from './user-error.ts';

/** Where an exercise stands for the student. */
export type ExerciseStatus =
  | { kind: 'coming' }
  | { kind: 'not-tried' }
  | { kind: 'failing'; earned: number; possible: number }
  | { kind: 'passed'; earned: number; possible: number };

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
