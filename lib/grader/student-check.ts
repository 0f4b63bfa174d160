/**
 * `npm test` in a student copy (made by `wirelab pack student`): type-checks
 * the code, then grades every exercise that has graded tests against the
 * student's own exercises/, one line each, and exits 0 only when every one
 * has full marks. The kit's own `npm test` (check-kit.ts) needs solutions/,
 * which a student copy does not have.
 *
 *   npm test              every exercise
 *   npm test -- 01 03     only those
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import chalk from 'chalk';
import { EXERCISES, findExercise, type ExerciseInfo } from './exercises.ts';
import { gradeExercise, isPerfect, type GradeReport } from './grade.ts';
import { isAvailable, PROJECT_ROOT } from './kit-paths.ts';

/** Two gradings side by side: the network tests assume about a core each. */
const PARALLEL = 2;

/** Runs `tsc --noEmit` on the project; true when it found no errors (it prints them itself). */
function typecheck(): boolean {
  const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', PROJECT_ROOT], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  return r.status === 0;
}

function selectedExercises(args: readonly string[]): ExerciseInfo[] {
  const written = EXERCISES.filter((e) => isAvailable(e));
  if (args.length === 0) return written;
  return args.map((arg) => {
    const e = findExercise(arg);
    if (!e || !written.includes(e)) {
      console.error(`no exercise ${arg} with graded tests here; try \`npx wirelab list\``);
      process.exit(2);
    }
    return e;
  });
}

async function main(): Promise<void> {
  const exercises = selectedExercises(process.argv.slice(2));
  const typesOk = typecheck();
  console.log(typesOk ? `${chalk.green('✓')} tsc --noEmit: no type errors` : `${chalk.red('✗')} tsc --noEmit found type errors (above)`);

  const reports = new Map<string, GradeReport>();
  const queue = [...exercises];
  const worker = async (): Promise<void> => {
    for (let e = queue.shift(); e; e = queue.shift()) reports.set(e.id, await gradeExercise(e, 'exercises'));
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  let complete = 0;
  let earned = 0;
  let possible = 0;
  for (const e of exercises) {
    const r = reports.get(e.id)!;
    const perfect = isPerfect(r);
    if (perfect) complete++;
    earned += r.earned;
    possible += r.possible;
    const mark = perfect ? chalk.green('✓') : chalk.red('✗');
    console.log(`${mark} ${e.number} ${e.id.slice(3).padEnd(16)} ${`${r.earned}/${r.possible}`.padStart(7)}`);
  }
  console.log(`\n${complete} of ${exercises.length} exercises complete, ${earned}/${possible} points.`);
  if (complete < exercises.length) console.log(chalk.dim('`npx wirelab verify NN` shows each failing test with its transcript.'));
  process.exitCode = typesOk && complete === exercises.length ? 0 : 1;
}

await main();
