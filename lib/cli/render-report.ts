/**
 * How `wirelab verify` shows a grading: each test with ✓/✗ and its points,
 * grouped by step, the total, then every failure with its reason and the
 * C:/S: transcript of the dialogue that went wrong.
 */
import chalk from 'chalk';
import type { ExerciseInfo } from '../grader/exercises.ts';
import type { GradeReport } from '../grader/grade.ts';
import type { ErrorInfo, TestOutcome } from '../grader/report-format.ts';
import { displayName } from './course.ts';

/** Colours a rendered transcript: client lines, server lines, and the mark where it went wrong. */
export function colourTranscript(transcript: string): string {
  return transcript
    .split('\n')
    .map((line) => {
      const mark = line.indexOf('<- ');
      const [text, note] = mark >= 0 ? [line.slice(0, mark), line.slice(mark)] : [line, ''];
      const coloured = /^\s*C: /.test(text) ? chalk.cyan(text) : /^\s*S: /.test(text) ? chalk.magenta(text) : chalk.dim(text);
      return coloured + (note ? chalk.red.bold(note) : '');
    })
    .join('\n');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : ' '.repeat(spaces) + l))
    .join('\n');
}

/** The reason lines of one error: message, expected/received, where. */
export function renderError(error: ErrorInfo): string {
  const lines = [chalk.red(error.message)];
  if (error.expected !== undefined) {
    lines.push(`${chalk.green('expected:')} ${error.expected}`);
    lines.push(`${chalk.red('received:')} ${error.received ?? ''}`);
  }
  if (error.at) lines.push(chalk.dim(`at ${error.at}`));
  return lines.join('\n');
}

function testLine(t: TestOutcome, width: number): string {
  const points = `${t.state === 'passed' ? (t.points ?? 0) : 0}/${t.points ?? 0}`;
  const mark = t.state === 'passed' ? chalk.green('✓') : t.state === 'skipped' ? chalk.yellow('-') : chalk.red('✗');
  const name = t.state === 'passed' ? t.name : chalk.bold(t.name);
  return `  ${mark} ${name}${' '.repeat(Math.max(1, width - t.name.length))}${chalk.dim(points)}`;
}

/** Renders a whole grading for the terminal. */
export function renderReport(exercise: ExerciseInfo, report: GradeReport, implLabel: string): string {
  const out: string[] = [];
  out.push(`${chalk.bold(displayName(exercise))} ${chalk.dim('—')} ${exercise.title}`);
  out.push(chalk.dim(`grading ${implLabel}`));
  const width = Math.min(78, Math.max(20, ...report.tests.map((t) => t.name.length))) + 2;

  let lastGroup: string | undefined;
  for (const t of report.tests) {
    const group = t.suite.join(' › ');
    if (group !== lastGroup) {
      out.push('');
      if (group) out.push(chalk.bold.underline(group));
      lastGroup = group;
    }
    out.push(testLine(t, width));
  }

  const failures = report.tests.filter((t) => t.state !== 'passed');
  if (report.errors.length > 0) {
    out.push('');
    out.push(chalk.red.bold('Problems outside the tests'));
    for (const e of report.errors) out.push(indent(renderError(e), 2));
  }
  // When a whole file failed to load every test has the same reason, already
  // shown above; otherwise consecutive failures with the same reason (a TODO
  // not written yet) are listed together and the reason is printed once.
  const loadFailure = report.errors.length > 0 && failures.every((f) => !f.transcript && f.error?.message === failures[0]?.error?.message);
  if (failures.length > 0 && !loadFailure) {
    out.push('');
    out.push(chalk.red.bold(`Failures (${failures.length})`));
    const key = (t: TestOutcome) => (t.transcript ? `#${t.id}` : `${t.error?.message}|${t.error?.expected}|${t.error?.received}|${t.error?.at}`);
    for (let i = 0; i < failures.length; ) {
      let j = i + 1;
      while (j < failures.length && key(failures[j]!) === key(failures[i]!)) j++;
      out.push('');
      for (const t of failures.slice(i, j)) {
        out.push(`${chalk.red('✗')} ${chalk.bold([...t.suite, t.name].join(' › '))} ${chalk.dim(`(0/${t.points ?? 0})`)}`);
      }
      const t = failures[i]!;
      if (t.error) out.push(indent(renderError(t.error), 4));
      if (t.transcript) {
        out.push(chalk.dim('    transcript (C: the client, S: the server):'));
        out.push(indent(colourTranscript(t.transcript), 2));
      }
      i = j;
    }
  }
  if (report.warnings.length > 0) {
    out.push('');
    out.push(chalk.yellow.bold('Errors thrown outside any test (no points lost, but look at them):'));
    for (const w of report.warnings) out.push(indent(renderError(w), 2));
  }

  out.push('');
  const full = report.possible > 0 && report.earned === report.possible && report.errors.length === 0;
  const score = `${report.earned}/${report.possible} points`;
  out.push(full ? chalk.green.bold(`✓ ${score}: all tests pass`) + chalk.dim(`  (${(report.durationMs / 1000).toFixed(1)} s)`) : chalk.red.bold(`✗ ${score}`) + chalk.dim(`  (${report.tests.filter((t) => t.state === 'passed').length} of ${report.tests.length} tests pass, ${(report.durationMs / 1000).toFixed(1)} s)`));
  return out.join('\n');
}

/** Pads a label for aligned tables. */
export { pad };
