/**
 * The student's progress, kept in `.wirelab/progress.json` in the project
 * folder (git-ignored: it is personal): the last `verify` of each exercise
 * against their own code, and how many hints they have seen.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The last grading of an exercise against the student's own code. */
export interface LastVerify {
  /** ISO time. */
  at: string;
  earned: number;
  possible: number;
  /** Full marks and no error outside the tests. */
  passed: boolean;
}

export interface ExerciseProgress {
  lastVerify?: LastVerify;
  /** How many `## Hint N` sections were revealed. */
  hintsShown?: number;
}

export interface Progress {
  version: 1;
  exercises: Record<string, ExerciseProgress>;
}

/**
 * The folder that holds the progress file: `<project>/.wirelab`, or
 * WIRELAB_STATE_DIR when set (the CLI's own tests use a temporary one).
 */
export function stateDir(projectRoot: string): string {
  return process.env.WIRELAB_STATE_DIR || path.join(projectRoot, '.wirelab');
}

/** Where the progress file of a project lives. */
export function progressFile(projectRoot: string): string {
  return path.join(stateDir(projectRoot), 'progress.json');
}

/** An empty progress record. */
export function emptyProgress(): Progress {
  return { version: 1, exercises: {} };
}

/**
 * Reads the progress file; a missing or damaged file counts as no progress
 * (it is only a convenience, never worth an error).
 */
export function loadProgress(projectRoot: string): Progress {
  try {
    const value = JSON.parse(readFileSync(progressFile(projectRoot), 'utf8')) as Partial<Progress>;
    if (value && typeof value === 'object' && value.exercises && typeof value.exercises === 'object') {
      return { version: 1, exercises: value.exercises };
    }
  } catch {
    // no file yet, or not JSON: start afresh
  }
  return emptyProgress();
}

/** Writes the progress file atomically (a temp file renamed over the old one). */
export function saveProgress(projectRoot: string, progress: Progress): void {
  const file = progressFile(projectRoot);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Loads, changes one exercise's entry, saves; returns the new entry. */
export function updateProgress(
  projectRoot: string,
  exercise: string,
  change: (entry: ExerciseProgress) => ExerciseProgress,
): ExerciseProgress {
  const progress = loadProgress(projectRoot);
  const next = change({ ...progress.exercises[exercise] });
  progress.exercises[exercise] = next;
  saveProgress(projectRoot, progress);
  return next;
}
