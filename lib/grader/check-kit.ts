/**
 * `npm test`: proves the kit honest.
 *   1. `tsc --noEmit` type-checks everything (stubs included);
 *   2. the library tests (tests/lib) and the reference tests (tests/reference)
 *      pass, and every graded test (tests/NN-name.test.ts) passes against
 *      solutions/: full marks;
 *   3. every graded test FAILS against the untouched stubs in exercises/:
 *      a test that passes on a stub proves nothing and is named as dishonest;
 *   4. every exercise folder has its README.md, hints.md (with `## Hint 1`)
 *      and a solution with the same file names.
 * Ends with one line `N passed, N failed` and exits non-zero on any failure.
 *
 *   npm test              everything
 *   npm test -- 01 03     only those exercises' graded tests (plus tsc)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import { EXERCISES, findExercise } from './exercises.ts';
import { describeError, judgeGradedFile, testTitle } from './kit-checks.ts';
import { PROJECT_ROOT } from './kit-paths.ts';
import { runVitest, type VitestRunResult } from './run-vitest.ts';
import { exerciseOfFile, summarizeRun, type FileResult } from './score.ts';

const root = PROJECT_ROOT;
const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');

/** The checks that passed and failed, with the problems to list at the end. */
class Tally {
  passed = 0;
  failed = 0;
  readonly problems: string[] = [];

  ok(count = 1): void {
    this.passed += count;
  }

  fail(what: string, detail?: string): void {
    this.failed++;
    this.problems.push(detail ? `${what}\n${indent(detail, 6)}` : what);
  }
}

function indent(text: string, n: number): string {
  return text.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
}

/** Files matching `test` in `dir` and its sub-folders. */
function listFiles(dir: string, test: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, test));
    else if (test(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * A whole kit run may take a while as the course grows; stuck tests are
 * caught much sooner by the watchdog in run-vitest.ts, this is the backstop.
 */
const KIT_RUN_LIMIT_MS = 30 * 60_000;

/**
 * Test files run side by side: one per core (the network tests mostly wait,
 * but their time limits assume a core each), at least 2 and at most 4.
 * WIRELAB_KIT_WORKERS overrides.
 */
function solutionWorkers(): number {
  const asked = Number(process.env.WIRELAB_KIT_WORKERS);
  if (Number.isInteger(asked) && asked > 0) return asked;
  return Math.min(4, Math.max(2, os.availableParallelism()));
}

/** Runs tsc on the whole project; resolves to [ok, output]. */
function typecheck(): Promise<[boolean, string]> {
  const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '--noEmit', '-p', root], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (e) => resolve([false, e.message]));
    child.on('close', (code) => resolve([code === 0, output.trim()]));
  });
}

/** File-level trouble of a run: killed, vitest failing to start, unhandled errors. */
function runProblems(tally: Tally, run: VitestRunResult, label: string, countUnhandled: boolean): void {
  if (run.killed) tally.fail(`${label}: the run was stopped: ${run.killed}`);
  if (run.events.length === 0 && !run.killed) tally.fail(`${label}: vitest did not run`, run.stderrTail.split('\n').slice(-10).join('\n'));
  const end = run.events.find((e) => e.type === 'end');
  if (end?.type === 'end' && end.unhandledErrors.length > 0) {
    const detail = end.unhandledErrors.map(describeError).join('\n');
    if (countUnhandled) tally.fail(`${label}: ${end.unhandledErrors.length} error(s) thrown outside any test`, detail);
    else console.log(chalk.yellow(`  note: ${label}: ${end.unhandledErrors.length} error(s) thrown outside any test (not counted)`));
  }
}

/** Checks that each exercise folder is complete and mirrored by its solution. */
function checkFolders(tally: Tally, ids: readonly string[]): void {
  for (const id of ids) {
    const ex = path.join(root, 'exercises', id);
    const sol = path.join(root, 'solutions', id);
    const missing: string[] = [];
    if (!existsSync(path.join(ex, 'README.md'))) missing.push('README.md');
    const hints = path.join(ex, 'hints.md');
    if (!existsSync(hints)) missing.push('hints.md');
    else if (!/^## Hint 1\b/m.test(readFileSync(hints, 'utf8'))) missing.push('a "## Hint 1" heading in hints.md');
    if (!existsSync(sol)) missing.push(`solutions/${id}/`);
    else {
      const code = (dir: string) => listFiles(dir, (n) => n.endsWith('.ts')).map((f) => path.relative(dir, f)).join(',');
      if (code(ex) !== code(sol)) missing.push(`the same .ts files in exercises/${id} and solutions/${id} (${code(ex)} vs ${code(sol)})`);
    }
    if (missing.length === 0) tally.ok();
    else tally.fail(`exercises/${id}: missing ${missing.join(', ')}`);
  }
}

/** The exercises named on the command line (`npm test -- 01 03`); none: all of them. Exits 2 on an unknown one. */
function wantedExercises(args: readonly string[]): string[] {
  return args.map((arg) => {
    const ex = findExercise(arg);
    if (!ex) {
      console.error(`no exercise ${arg}; the exercises are 01 to ${EXERCISES.at(-1)?.number}`);
      process.exit(2);
    }
    return ex.id;
  });
}

/** The graded test files (tests/NN-name.test.ts) of the wanted exercises, and, when all are wanted, the library and reference tests. */
function testFiles(wanted: readonly string[]): { gradedFiles: string[]; libraryFiles: string[] } {
  const allGraded = listFiles(path.join(root, 'tests'), (n) => /^\d\d-.+\.test\.ts$/.test(n)).filter((f) => path.dirname(f) === path.join(root, 'tests'));
  const gradedFiles = wanted.length ? allGraded.filter((f) => wanted.includes(exerciseOfFile(f))) : allGraded;
  const libraryFiles = wanted.length
    ? []
    : [...listFiles(path.join(root, 'tests', 'lib'), (n) => n.endsWith('.test.ts')), ...listFiles(path.join(root, 'tests', 'reference'), (n) => n.endsWith('.test.ts'))];
  return { gradedFiles, libraryFiles };
}

function reportTypecheck(tally: Tally, [passed, output]: [boolean, string]): void {
  if (passed) {
    tally.ok();
    console.log(`  ${chalk.green('✓')} tsc --noEmit`);
    return;
  }
  const lines = output.split('\n');
  tally.fail('tsc --noEmit found type errors', lines.slice(0, 30).join('\n') + (lines.length > 30 ? `\n… ${lines.length - 30} more lines` : ''));
  console.log(`  ${chalk.red('✗')} tsc --noEmit`);
}

/** Library and reference tests: plain pass/fail, each test one check. */
function reportLibraryTests(tally: Tally, results: readonly FileResult[], libraryFiles: readonly string[]): void {
  let libPassed = 0;
  let libTotal = 0;
  for (const file of results.filter((f) => libraryFiles.includes(f.file))) {
    for (const e of file.errors) tally.fail(`${rel(file.file)} failed to run`, describeError(e));
    if (!file.loaded && file.errors.length === 0) tally.fail(`${rel(file.file)} has no tests or never ran`);
    for (const t of file.tests) {
      if (t.state === 'skipped') continue;
      libTotal++;
      if (t.state === 'passed') {
        libPassed++;
        tally.ok();
      } else tally.fail(`${testTitle(t, root)} failed`, t.error ? describeError(t.error) : undefined);
    }
  }
  if (libraryFiles.length) {
    const mark = libPassed === libTotal && libTotal > 0 ? chalk.green('✓') : chalk.red('✗');
    console.log(`  ${mark} library and reference tests: ${libPassed}/${libTotal} passed`);
  }
}

/** Graded tests: full marks on solutions, nothing on stubs; one table row per file. Returns the dishonest tests. */
function reportGradedFiles(tally: Tally, gradedFiles: readonly string[], solutionResults: readonly FileResult[], stubResults: readonly FileResult[]): string[] {
  if (gradedFiles.length) console.log(chalk.dim(`\n  ${'exercise'.padEnd(22)}${'solutions'.padEnd(16)}stubs`));
  const dishonest: string[] = [];
  for (const file of gradedFiles) {
    const sol = solutionResults.find((f) => f.file === file);
    const stub = stubResults.find((f) => f.file === file);
    const verdict = judgeGradedFile(file, sol, stub, root);
    tally.ok(verdict.passed);
    for (const f of verdict.failures) tally.fail(f.what, f.detail);
    dishonest.push(...verdict.dishonest);
    const { solutions: s, stubs: b } = verdict;
    const solText = `${s.earned}/${s.possible} ${s.ok ? '✓' : '✗'}`;
    const stubText = `${b.earned}/${b.possible} ${b.ok ? '✓' : '✗'}`;
    console.log(`  ${exerciseOfFile(file).padEnd(22)}${(s.ok ? chalk.green : chalk.red)(solText.padEnd(16))}${(b.ok ? chalk.green : chalk.red)(stubText)}`);
  }
  return dishonest;
}

/** Exercise folders must be complete; a graded test file must belong to an exercise of the course. */
function checkCourse(tally: Tally, wanted: readonly string[], gradedFiles: readonly string[]): void {
  const folders = existsSync(path.join(root, 'exercises'))
    ? readdirSync(path.join(root, 'exercises'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  checkFolders(tally, wanted.length ? folders.filter((f) => wanted.includes(f)) : folders);
  for (const file of gradedFiles) {
    if (!EXERCISES.some((e) => e.id === exerciseOfFile(file))) tally.fail(`${rel(file)} is not named after an exercise of lib/grader/exercises.ts`);
  }
}

/** The problems, the timings and the last line, `N passed, N failed`. */
function printSummary(tally: Tally, dishonest: readonly string[], solutionResults: readonly FileResult[], seconds: { total: number; phase1: number; phase2: number }): void {
  if (tally.problems.length) {
    console.log(chalk.red.bold(`\nProblems (${tally.problems.length}):`));
    for (const p of tally.problems) console.log(`  ${chalk.red('✗')} ${p}`);
  }
  if (dishonest.length) console.log(chalk.red(`\n${dishonest.length} graded test(s) pass on the untouched stubs; a test must fail until the student writes the code.`));
  const slowest = solutionResults
    .map((f) => ({ file: rel(f.file), ms: f.tests.reduce((sum, t) => sum + t.durationMs, 0) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 4)
    .map((f) => `${f.file} ${(f.ms / 1000).toFixed(1)} s`);
  console.log(chalk.dim(`\nchecked in ${seconds.total.toFixed(1)} s: tsc + stubs ${seconds.phase1.toFixed(1)} s, solutions and library ${seconds.phase2.toFixed(1)} s`));
  if (slowest.length) console.log(chalk.dim(`slowest test files (time in tests): ${slowest.join(', ')}`));
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
}

const secondsSince = (start: number): number => (Date.now() - start) / 1000;

async function main(): Promise<void> {
  const started = Date.now();
  const tally = new Tally();
  const wanted = wantedExercises(process.argv.slice(2));
  const { gradedFiles, libraryFiles } = testFiles(wanted);
  console.log(chalk.bold('wirelab kit check') + chalk.dim(`  (${gradedFiles.length} graded test files, ${libraryFiles.length} library/reference test files)`));

  // tsc and the stub run go side by side: stubs fail fast and time nothing,
  // so they do not disturb each other; the solutions run, which has timing-
  // sensitive network tests, gets the machine to itself afterwards.
  const phase1 = Date.now();
  const [tsc, stubRun] = await Promise.all([
    typecheck(),
    gradedFiles.length ? runVitest({ files: gradedFiles, impl: 'exercises', maxWorkers: 2, overallTimeoutMs: KIT_RUN_LIMIT_MS }) : Promise.resolve(undefined),
  ]);
  const phase1Seconds = secondsSince(phase1);
  reportTypecheck(tally, tsc);

  const solutionFiles = [...libraryFiles, ...gradedFiles];
  const phase2 = Date.now();
  const solutionRun = solutionFiles.length ? await runVitest({ files: solutionFiles, impl: 'solutions', maxWorkers: solutionWorkers(), overallTimeoutMs: KIT_RUN_LIMIT_MS }) : undefined;
  const phase2Seconds = secondsSince(phase2);
  let solutionResults: FileResult[] = [];
  if (solutionRun) {
    runProblems(tally, solutionRun, 'solutions run', true);
    solutionResults = summarizeRun(solutionRun.events, { killed: solutionRun.killed, expectedFiles: solutionFiles });
    reportLibraryTests(tally, solutionResults, libraryFiles);
  }

  const stubResults = stubRun ? summarizeRun(stubRun.events, { killed: stubRun.killed, expectedFiles: gradedFiles }) : [];
  if (stubRun) runProblems(tally, stubRun, 'stubs run', false);
  const dishonest = reportGradedFiles(tally, gradedFiles, solutionResults, stubResults);
  checkCourse(tally, wanted, gradedFiles);

  printSummary(tally, dishonest, solutionResults, { total: secondsSince(started), phase1: phase1Seconds, phase2: phase2Seconds });
  process.exitCode = tally.failed === 0 ? 0 : 1;
}

await main();
