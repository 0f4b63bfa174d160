import { existsSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import type { ExerciseInfo } from '../../grader/exercises.ts';
import { gradeExercise, isPerfect, type GradeReport } from '../../grader/grade.ts';
import { resolveImplDir } from '../../grader/impl-dir.ts';
import type { ReportEvent } from '../../grader/report-format.ts';
import { lookupAvailableExercise } from '../course.ts';
import { updateProgress } from '../progress-store.ts';
import { IMPL_OPTION, PROJECT_ROOT } from '../project.ts';
import { renderReport } from '../render-report.ts';
import { UserError } from '../user-error.ts';

/** How the implementation being graded is named on screen. */
export function implLabel(impl: string, exercise: ExerciseInfo): string {
  if (impl === 'exercises') return `your code in exercises/${exercise.id}/`;
  if (impl === 'solutions') return `the reference solution in solutions/${exercise.id}/`;
  return `${path.join(path.resolve(impl), exercise.id)}${path.sep}`;
}

/** The folder of the code under test; a one-sentence error when it is missing. */
export function checkImplFolder(impl: string, exercise: ExerciseInfo): string {
  const dir = path.join(resolveImplDir(impl, PROJECT_ROOT), exercise.id);
  if (!existsSync(dir)) throw new UserError(`There is no folder ${dir}: --impl must be exercises, solutions or a folder that holds ${exercise.id}/.`);
  return dir;
}

/** Shows tests finishing on an interactive terminal while the grading runs (on stderr, never in --json output). */
function liveTicker(enabled: boolean): { onEvent: (e: ReportEvent) => void; clear: () => void } {
  let done = 0;
  const stream = process.stderr;
  if (!enabled || !stream.isTTY) return { onEvent: () => {}, clear: () => {} };
  const show = (text: string) => stream.write(`\r\x1b[K${chalk.dim(text.slice(0, (stream.columns || 80) - 1))}`);
  show('loading the tests…');
  return {
    onEvent: (e) => {
      if (e.type === 'test-start') show(`[${done} done] running: ${e.name}`);
      if (e.type === 'test') {
        done++;
        show(`[${done} done] ${e.test.state === 'passed' ? '✓' : '✗'} ${e.test.name}`);
      }
    },
    clear: () => stream.write('\r\x1b[K'),
  };
}

/**
 * Grades one exercise, prints the result and records it in the progress file
 * (only for the student's own code). Returns the report.
 */
export async function verifyExercise(exercise: ExerciseInfo, impl: string, options: { json: boolean }): Promise<GradeReport> {
  checkImplFolder(impl, exercise);
  const ticker = liveTicker(!options.json);
  let report: GradeReport;
  try {
    report = await gradeExercise(exercise, impl, { onEvent: ticker.onEvent });
  } finally {
    ticker.clear();
  }
  const passed = isPerfect(report);
  if (impl === 'exercises') {
    updateProgress(PROJECT_ROOT, exercise.id, (entry) => ({
      ...entry,
      lastVerify: { at: new Date().toISOString(), earned: report.earned, possible: report.possible, passed },
    }));
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ number: exercise.number, title: exercise.title, passed, ...report }, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderReport(exercise, report, implLabel(impl, exercise))}\n`);
    if (!passed && impl === 'exercises') {
      process.stdout.write(chalk.dim(`\nStuck? \`npx wirelab hint ${exercise.number}\` reveals the next hint; exercises/${exercise.id}/README.md has the protocol facts.\n`));
    }
  }
  return report;
}

interface VerifyArgs {
  exercise: string;
  impl: string;
  json: boolean;
}

/** `wirelab verify NN`: grade one exercise; exit 0 only with full marks. */
const verify: CommandModule<object, VerifyArgs> = {
  command: 'verify <exercise>',
  describe: 'grade one exercise: points per test, and the transcript of each failure',
  builder: (yargs) =>
    yargs
      .positional('exercise', { type: 'string', demandOption: true, describe: 'the exercise number, e.g. 01' })
      .option('impl', IMPL_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'print the result as one JSON document' }),
  handler: async (argv) => {
    const exercise = lookupAvailableExercise(argv.exercise, PROJECT_ROOT);
    const report = await verifyExercise(exercise, argv.impl, { json: argv.json });
    if (!isPerfect(report)) process.exitCode = 1;
  },
};
export default verify;
