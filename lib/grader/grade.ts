/**
 * Grades one exercise: runs its graded test file against an implementation
 * in a vitest child process and adds up the points. Used by `wirelab verify`
 * and `wirelab watch`; `npm test` (check-kit.ts) uses the same pieces.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ExerciseInfo } from './exercises.ts';
import type { CollectedTest, ErrorInfo, ReportEvent, TestOutcome } from './report-format.ts';
import { POINTS_SNAPSHOT_FILE, readPointsSnapshot } from './points-snapshot.ts';
import { PROJECT_ROOT, testFileOf } from './kit-paths.ts';
import { runVitest } from './run-vitest.ts';
import { scoreExercises, summarizeRun } from './score.ts';

/** The result of grading one exercise: what `verify --json` prints. */
export interface GradeReport {
  exercise: string;
  impl: string;
  earned: number;
  possible: number;
  /** Every graded test with its outcome, points, error and transcript. */
  tests: TestOutcome[];
  /** Problems that are not one test's: the file could not load the code, a hook failed, the run was stopped. */
  errors: ErrorInfo[];
  /** Errors thrown outside any test (an exception in a server after the test ended). They cost no points. */
  warnings: ErrorInfo[];
  durationMs: number;
}

export interface GradeFileOptions {
  testFile: string;
  /** The exercise id, for a file whose name does not say it. */
  exercise: string;
  impl: string;
  root?: string;
  configFile?: string;
  idleTimeoutMs?: number;
  onEvent?: (event: ReportEvent) => void;
}

/** Runs one graded test file against `impl` and scores it. */
export async function gradeFile(options: GradeFileOptions): Promise<GradeReport> {
  const started = Date.now();
  const common = { files: [options.testFile], root: options.root, configFile: options.configFile, idleTimeoutMs: options.idleTimeoutMs, maxWorkers: 1 };
  const run = await runVitest({ ...common, impl: options.impl, onEvent: options.onEvent });
  let fallback: Map<string, CollectedTest[]> | undefined;
  const loadedAny = run.events.some((e) => e.type === 'collected' && e.tests.length > 0);
  if (!loadedAny) {
    // The submission did not load (a syntax error, a missing export): learn
    // the points from the reference so the student sees 0 of the real total.
    // A student copy has no solutions/, but the snapshot `wirelab pack` wrote.
    const root = options.root ?? PROJECT_ROOT;
    if (!existsSync(path.join(root, 'solutions')) && existsSync(path.join(root, POINTS_SNAPSHOT_FILE))) {
      fallback = readPointsSnapshot(root);
    } else {
      const collect = await runVitest({ ...common, impl: 'solutions', mode: 'collect' });
      fallback = new Map();
      for (const e of collect.events) if (e.type === 'collected') fallback.set(e.file, e.tests);
    }
  }
  const files = summarizeRun(run.events, { killed: run.killed, fallback, expectedFiles: [options.testFile] });
  const score = scoreExercises(files).find((s) => s.exercise === options.exercise);
  let errors = [...(score?.errors ?? files.flatMap((f) => f.errors))];
  if (fallback && !run.killed) {
    errors = errors.map((e) => ({ ...e, message: `The tests could not load the code (every test fails until it loads):\n${e.message}` }));
  }
  if (run.events.length === 0 && !run.killed) {
    errors.push({ message: `vitest could not run ${path.basename(options.testFile)}${run.stderrTail ? `:\n${run.stderrTail.split('\n').slice(-8).join('\n')}` : ''}` });
  }
  const end = run.events.find((e) => e.type === 'end');
  return {
    exercise: options.exercise,
    impl: options.impl,
    earned: score?.earned ?? 0,
    possible: score?.possible ?? 0,
    tests: score?.tests ?? [],
    errors,
    warnings: end?.type === 'end' ? end.unhandledErrors : [],
    durationMs: Date.now() - started,
  };
}

/** Grades an exercise of the course against `impl` (`exercises`, `solutions` or a folder). */
export async function gradeExercise(
  exercise: ExerciseInfo,
  impl: string,
  options: { onEvent?: (event: ReportEvent) => void; root?: string } = {},
): Promise<GradeReport> {
  const root = options.root ?? PROJECT_ROOT;
  const testFile = testFileOf(exercise, root);
  if (!existsSync(testFile)) throw new Error(`no graded tests for ${exercise.id} yet (${path.relative(root, testFile)} is missing)`);
  return gradeFile({ testFile, exercise: exercise.id, impl, root, onEvent: options.onEvent });
}

/** True when the report has every point and nothing went wrong outside the tests. */
export function isPerfect(report: GradeReport): boolean {
  return report.possible > 0 && report.earned === report.possible && report.errors.length === 0;
}
