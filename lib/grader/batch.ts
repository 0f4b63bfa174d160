/**
 * Grading a whole class: every submission against every exercise asked for,
 * several vitest runs at a time. Each (student, exercise) pair is one
 * `gradeExercise` run in its own child process, so one student's busy loop or
 * crash costs that student that exercise and nothing else.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ExerciseInfo } from './exercises.ts';
import { gradeExercise, type GradeReport } from './grade.ts';
import type { CollectedTest, TestOutcome } from './report-format.ts';
import { PROJECT_ROOT, testFileOf } from './kit-paths.ts';
import { runVitest } from './run-vitest.ts';
import type { Submission } from './submissions.ts';

/** One student's grades. */
export interface StudentResult {
  readonly name: string;
  /** The folder that was graded. */
  readonly implDir: string;
  earned: number;
  possible: number;
  /** One report per exercise, in course order. */
  readonly exercises: GradeReport[];
}

/** The grades of a class: what every output format is made from. */
export interface BatchResult {
  /** When grading started (ISO 8601). */
  readonly gradedAt: string;
  readonly exercises: readonly ExerciseInfo[];
  readonly students: StudentResult[];
  readonly durationMs: number;
}

export interface BatchOptions {
  /** vitest runs at a time. @default 2 */
  jobs?: number;
  /** Called after each (student, exercise) run, for progress. */
  onGraded?: (student: string, report: GradeReport, done: number, total: number) => void;
  /** @default the kit's root */
  root?: string;
}

/**
 * The graded tests of each exercise with their points, learned once from the
 * reference solutions: what a submission that lacks an exercise folder scores
 * zero out of.
 */
async function collectPoints(exercises: readonly ExerciseInfo[], root: string): Promise<Map<string, CollectedTest[]>> {
  const files = exercises.map((e) => testFileOf(e, root));
  const run = await runVitest({ files, root, impl: 'solutions', mode: 'collect' });
  const byFile = new Map<string, CollectedTest[]>();
  for (const event of run.events) if (event.type === 'collected') byFile.set(event.file, event.tests);
  return byFile;
}

/** The report of an exercise whose folder the submission does not have: every test failed, for that reason. */
function missingReport(exercise: ExerciseInfo, submission: Submission, collected: readonly CollectedTest[]): GradeReport {
  const message = `the submission has no folder ${exercise.id}/ (looked in ${submission.implDir})`;
  const tests: TestOutcome[] = collected
    .filter((t) => t.points !== undefined)
    .map((t) => ({ ...t, state: 'failed', durationMs: 0, error: { message } }));
  return {
    exercise: exercise.id,
    impl: submission.implDir,
    earned: 0,
    possible: tests.reduce((sum, t) => sum + (t.points ?? 0), 0),
    tests,
    errors: [{ message }],
    warnings: [],
    durationMs: 0,
  };
}

/** Runs `task(i)` for i in 0..count-1, at most `jobs` at a time, in order of i. */
async function pool(count: number, jobs: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, count)) }, worker));
}

/** Grades every submission on every exercise. */
export async function gradeSubmissions(submissions: readonly Submission[], exercises: readonly ExerciseInfo[], options: BatchOptions = {}): Promise<BatchResult> {
  const started = Date.now();
  const root = options.root ?? PROJECT_ROOT;
  // Learned only if some submission lacks an exercise folder (it costs a vitest run).
  let points: Promise<Map<string, CollectedTest[]>> | undefined;
  const students: StudentResult[] = submissions.map((s) => ({ name: s.name, implDir: s.implDir, earned: 0, possible: 0, exercises: [] }));
  const reports: (GradeReport | undefined)[][] = submissions.map(() => exercises.map(() => undefined));
  const total = submissions.length * exercises.length;
  let done = 0;
  await pool(total, options.jobs ?? 2, async (i) => {
    const s = Math.floor(i / exercises.length);
    const e = i % exercises.length;
    const submission = submissions[s]!;
    const exercise = exercises[e]!;
    const report = existsSync(path.join(submission.implDir, exercise.id))
      ? await gradeExercise(exercise, submission.implDir, { root })
      : missingReport(exercise, submission, (await (points ??= collectPoints(exercises, root))).get(testFileOf(exercise, root)) ?? []);
    reports[s]![e] = report;
    options.onGraded?.(submission.name, report, ++done, total);
  });
  students.forEach((student, s) => {
    for (const report of reports[s]!) {
      student.exercises.push(report!);
      student.earned += report!.earned;
      student.possible += report!.possible;
    }
  });
  return { gradedAt: new Date(started).toISOString(), exercises, students, durationMs: Date.now() - started };
}
