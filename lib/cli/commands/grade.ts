/**
 * `wirelab grade SUBMISSIONS_DIR --format gradescope|csv|json|junit --out FILE [--jobs N]`:
 * the TA's command. Grades every submission in a folder (or one submission)
 * on every exercise of the course, several vitest runs at a time, and writes
 * the grades in the format asked for. A summary goes to stderr; the grades
 * go to --out, or to stdout without it.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import cliProgress from 'cli-progress';
import type { CommandModule } from 'yargs';
import { gradeSubmissions, type BatchResult } from '../../grader/batch.ts';
import type { ExerciseInfo } from '../../grader/exercises.ts';
import { EXERCISES } from '../../grader/exercises.ts';
import { isAvailable } from '../../grader/kit-paths.ts';
import { gradesCsv } from '../../grader/formats/csv.ts';
import { gradescopeResults } from '../../grader/formats/gradescope.ts';
import { gradesJunit } from '../../grader/formats/junit.ts';
import { findSubmissions, type Submission } from '../../grader/submissions.ts';
import { lookupAvailableExercise } from '../course.ts';
import { PROJECT_ROOT } from '../project.ts';
import { explainSystemError, UserError } from '../user-error.ts';

/** The formats `--format` takes. */
export const GRADE_FORMATS = ['gradescope', 'csv', 'json', 'junit'] as const;
type GradeFormat = (typeof GRADE_FORMATS)[number];

interface GradeArgs {
  submissions: string;
  format: GradeFormat | undefined;
  out: string | undefined;
  jobs: number;
  exercise: string[] | undefined;
  json: boolean;
}

/** The batch in `format`, as the text of the output file. */
export function renderGrades(batch: BatchResult, format: GradeFormat): string {
  switch (format) {
    case 'csv':
      return gradesCsv(batch);
    case 'junit':
      return gradesJunit(batch);
    case 'json':
      return `${JSON.stringify(batch, null, 2)}\n`;
    case 'gradescope':
      return `${JSON.stringify(gradescopeResults(batch.students[0]!, batch.durationMs), null, 2)}\n`;
  }
}

/** The exercises to grade: those asked for, or every exercise the kit has tests for. */
function exercisesToGrade(asked: readonly string[] | undefined): ExerciseInfo[] {
  if (asked === undefined || asked.length === 0) return EXERCISES.filter((e) => isAvailable(e, PROJECT_ROOT));
  const chosen = new Set(asked.flatMap((a) => String(a).split(',')).map((a) => lookupAvailableExercise(a.trim(), PROJECT_ROOT).id));
  return EXERCISES.filter((e) => chosen.has(e.id));
}

/** The submissions under the folder, or a one-sentence error. */
function submissionsIn(dir: string): Submission[] {
  let scan;
  try {
    scan = findSubmissions(dir);
  } catch (error) {
    throw new UserError(`Cannot grade ${dir}: ${(error as Error).message}.`);
  }
  for (const reason of scan.skipped) process.stderr.write(chalk.yellow(`skipped ${reason}\n`));
  if (scan.submissions.length === 0) {
    throw new UserError(`There is no submission in ${path.resolve(dir)}: give a folder holding exercise folders (01-udp-echo/ …), or a folder of such folders, one per student.`);
  }
  return scan.submissions;
}

/** Shows (student, exercise) runs finishing: a bar on a terminal, a line each in a log. */
function progressBar(total: number): { tick: (label: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    let done = 0;
    return { tick: (label) => process.stderr.write(`[${++done}/${total}] ${label}\n`), stop: () => {} };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'grading [{bar}] {value}/{total} {label}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return { tick: (label) => bar.increment(1, { label }), stop: () => bar.stop() };
}

/** One line per student: the total and the points of each exercise. */
function summary(batch: BatchResult): string {
  const width = Math.max(7, ...batch.students.map((s) => s.name.length));
  const lines = batch.students.map((s) => {
    const total = `${s.earned}/${s.possible}`.padStart(9);
    const colour = s.earned === s.possible ? chalk.green : s.earned === 0 ? chalk.red : chalk.yellow;
    return `${s.name.padEnd(width)} ${colour(total)}   ${s.exercises.map((r) => `${r.exercise.slice(0, 2)} ${r.earned}/${r.possible}`).join('  ')}`;
  });
  const seconds = (batch.durationMs / 1000).toFixed(1);
  return `${lines.join('\n')}\n${chalk.dim(`${batch.students.length} submission${batch.students.length === 1 ? '' : 's'} × ${batch.exercises.length} exercise${batch.exercises.length === 1 ? '' : 's'} graded in ${seconds} s`)}\n`;
}

const grade: CommandModule<object, GradeArgs> = {
  command: 'grade <submissions>',
  describe: 'grade a folder of submissions (or one) and export the grades (for TAs)',
  builder: (yargs) =>
    yargs
      .positional('submissions', { type: 'string', demandOption: true, describe: 'one submission folder, or a folder with one per student' })
      .option('format', { choices: GRADE_FORMATS, describe: 'gradescope (results.json, one submission), csv (a gradebook), json (everything), junit (XML)' })
      .option('out', { type: 'string', describe: 'the file to write (default: stdout)' })
      .option('jobs', { type: 'number', default: Math.max(1, availableParallelism()), describe: 'vitest runs at a time' })
      .option('exercise', { type: 'string', array: true, describe: 'grade only these exercises (e.g. --exercise 01 02); default: every one with tests' })
      .option('json', { type: 'boolean', default: false, describe: 'print the grades as one JSON document (same as --format json)' }),
  handler: async (argv) => {
    const format: GradeFormat = argv.format ?? (argv.json ? 'json' : 'csv');
    if (!Number.isInteger(argv.jobs) || argv.jobs < 1) throw new UserError(`--jobs must be a whole number of at least 1, not ${argv.jobs}.`);
    const exercises = exercisesToGrade(argv.exercise);
    const submissions = submissionsIn(argv.submissions);
    if (format === 'gradescope' && submissions.length !== 1) {
      throw new UserError(`The gradescope format grades one submission (Gradescope runs the autograder once per student), but ${argv.submissions} holds ${submissions.length}: use csv, json or junit for a class.`);
    }
    const bar = progressBar(submissions.length * exercises.length);
    let batch: BatchResult;
    try {
      batch = await gradeSubmissions(submissions, exercises, {
        jobs: argv.jobs,
        onGraded: (student, report) => bar.tick(`${student} ${report.exercise} ${report.earned}/${report.possible}`),
      });
    } finally {
      bar.stop();
    }
    const text = renderGrades(batch, format);
    if (argv.out === undefined || argv.out === '-') process.stdout.write(text);
    else {
      try {
        writeFileSync(argv.out, text);
      } catch (error) {
        throw explainSystemError(error, `Cannot write the grades to ${argv.out}`) ?? new UserError(`Cannot write the grades to ${argv.out}: ${(error as Error).message}.`);
      }
    }
    process.stderr.write(summary(batch));
    if (argv.out !== undefined && argv.out !== '-') process.stderr.write(chalk.dim(`grades (${format}) written to ${argv.out}\n`));
  },
};
export default grade;
