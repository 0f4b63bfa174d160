/**
 * From reporter events to results: which tests passed per file, and points
 * per exercise. Pure functions, so the scoring rules are tested without
 * running vitest (tests/lib/grader-score.test.ts).
 */
import path from 'node:path';
import type { CollectedTest, ErrorInfo, ReportEvent, TestOutcome } from './report-format.ts';

/** Everything known about one test file after a run. */
export interface FileResult {
  file: string;
  /** Every test of the file, in the order they were collected. */
  tests: TestOutcome[];
  /** File-level errors: the file (or the code it imports) failed to load, a hook failed. */
  errors: ErrorInfo[];
  /** False when the file never got as far as listing its tests. */
  loaded: boolean;
}

/** Points of one exercise. */
export interface ExerciseScore {
  /** The exercise id, e.g. `01-udp-echo`. */
  exercise: string;
  earned: number;
  possible: number;
  tests: TestOutcome[];
  errors: ErrorInfo[];
}

/** `tests/01-udp-echo.test.ts` → `01-udp-echo`; the exercise a graded file belongs to by its name. */
export function exerciseOfFile(file: string): string {
  return path.basename(file).replace(/\.(test|fixture)\.[cm]?[jt]s$/, '');
}

export interface SummarizeOptions {
  /** Why the run was killed, if it was: the reason given to every test that never finished. */
  killed?: string;
  /**
   * The tests of files that failed to load, collected against the reference
   * solutions, so a submission that does not load still sees 0/possible.
   */
  fallback?: ReadonlyMap<string, readonly CollectedTest[]>;
  /** Files that were asked for: a file with no event at all is reported too. */
  expectedFiles?: readonly string[];
}

function failedBecause(test: CollectedTest, message: string): TestOutcome {
  return { ...test, state: 'failed', durationMs: 0, error: { message } };
}

/** Groups a run's events by file and fills in tests that never reported (killed run, load failure). */
export function summarizeRun(events: readonly ReportEvent[], options: SummarizeOptions = {}): FileResult[] {
  const files = new Map<string, { collected?: CollectedTest[]; outcomes: Map<string, TestOutcome>; errors: ErrorInfo[]; ended: boolean }>();
  const entry = (file: string) => {
    let e = files.get(file);
    if (!e) files.set(file, (e = { outcomes: new Map(), errors: [], ended: false }));
    return e;
  };
  for (const file of options.expectedFiles ?? []) entry(file);
  for (const event of events) {
    if (event.type === 'collected') entry(event.file).collected = event.tests;
    else if (event.type === 'test') entry(event.test.file).outcomes.set(event.test.id, event.test);
    else if (event.type === 'module') {
      const e = entry(event.file);
      e.errors.push(...event.errors);
      e.ended = true;
    }
  }

  const results: FileResult[] = [];
  for (const [file, e] of files) {
    const loaded = (e.collected?.length ?? 0) > 0 || e.outcomes.size > 0;
    const missingReason =
      options.killed ??
      (e.errors[0] ? `did not run: the test file failed (${e.errors[0].message.split('\n')[0]})` : 'did not finish');
    let tests: TestOutcome[];
    if (loaded) {
      const collected = e.collected ?? [...e.outcomes.values()];
      tests = collected.map((t) => e.outcomes.get(t.id) ?? failedBecause(t, missingReason));
      for (const outcome of e.outcomes.values()) if (!tests.some((t) => t.id === outcome.id)) tests.push(outcome);
    } else {
      const reason = e.errors[0]
        ? `the test file could not load the code under test: ${e.errors[0].message.split('\n')[0]}`
        : (options.killed ?? 'the test file never ran');
      tests = (options.fallback?.get(file) ?? []).map((t) => failedBecause(t, reason));
    }
    const errors = [...e.errors];
    if (!e.ended && options.killed && !errors.some((x) => x.message === options.killed)) errors.push({ message: options.killed });
    results.push({ file, tests, errors, loaded });
  }
  return results;
}

/** Adds up the points of graded tests per exercise; a test earns its points only when it passed. */
export function scoreExercises(files: readonly FileResult[]): ExerciseScore[] {
  const byExercise = new Map<string, ExerciseScore>();
  for (const file of files) {
    const fileExercise = exerciseOfFile(file.file);
    const graded = file.tests.filter((t) => t.points !== undefined);
    if (graded.length === 0 && file.loaded) continue; // not a graded file
    const ids = new Set(graded.map((t) => t.exercise ?? fileExercise));
    if (ids.size === 0) ids.add(fileExercise);
    for (const id of ids) {
      let score = byExercise.get(id);
      if (!score) byExercise.set(id, (score = { exercise: id, earned: 0, possible: 0, tests: [], errors: [] }));
      for (const t of graded.filter((g) => (g.exercise ?? fileExercise) === id)) {
        score.tests.push(t);
        score.possible += t.points ?? 0;
        if (t.state === 'passed') score.earned += t.points ?? 0;
      }
      score.errors.push(...file.errors);
    }
  }
  return [...byExercise.values()];
}

/** True when every point was earned and nothing went wrong at file level. */
export function isFullMarks(score: ExerciseScore): boolean {
  return score.possible > 0 && score.earned === score.possible && score.errors.length === 0;
}
