/**
 * The progress view (`wirelab` with no command): every exercise of the
 * course with its status, and the one thing to do next.
 */
import chalk from 'chalk';
import type { ExerciseInfo } from '../grader/exercises.ts';
import { displayName, type ExerciseStatus } from './course.ts';

/** One exercise as the progress view shows it. */
export interface ProgressRow {
  exercise: ExerciseInfo;
  status: ExerciseStatus;
  hintsShown: number;
  hintsTotal: number;
}

/** The status word(s) of one exercise. */
export function statusText(status: ExerciseStatus): string {
  switch (status.kind) {
    case 'coming':
      return 'coming';
    case 'not-tried':
      return 'not tried';
    case 'failing':
      return `failing ${status.earned}/${status.possible}`;
    case 'passed':
      return `passed ${status.earned}/${status.possible}`;
  }
}

function colour(status: ExerciseStatus, text: string): string {
  switch (status.kind) {
    case 'coming':
      return chalk.dim(text);
    case 'not-tried':
      return text;
    case 'failing':
      return chalk.yellow(text);
    case 'passed':
      return chalk.green(text);
  }
}

/** The exercise to work on next: the first available one that does not pass yet. */
export function nextExercise(rows: readonly ProgressRow[]): ProgressRow | undefined {
  return rows.find((r) => r.status.kind === 'failing' || r.status.kind === 'not-tried');
}

/** What the student should do next, as a few lines. */
export function nextSteps(rows: readonly ProgressRow[], cmd = 'npx wirelab'): string[] {
  const next = nextExercise(rows);
  if (!next) {
    const coming = rows.filter((r) => r.status.kind === 'coming').length;
    return coming > 0
      ? [`Every exercise written so far passes. ${coming} more ${coming === 1 ? 'is' : 'are'} coming.`]
      : ['Every exercise passes. Well done!'];
  }
  const n = next.exercise.number;
  const lines = [`Next: ${chalk.bold(displayName(next.exercise))} — ${next.exercise.title}.`];
  if (next.status.kind === 'not-tried') {
    lines.push(`  1. read exercises/${next.exercise.id}/README.md`);
    lines.push(`  2. fill in the TODOs in exercises/${next.exercise.id}/`);
    lines.push(`  3. run ${chalk.cyan(`${cmd} verify ${n}`)} (or ${chalk.cyan(`${cmd} watch ${n}`)} to re-check on every save)`);
  } else {
    lines.push(`  run ${chalk.cyan(`${cmd} verify ${n}`)} to see which tests fail and why, with the transcript of the dialogue.`);
  }
  if (next.hintsTotal > 0 && next.hintsShown < next.hintsTotal) {
    lines.push(`  stuck? ${chalk.cyan(`${cmd} hint ${n}`)} reveals the next hint (${next.hintsShown} of ${next.hintsTotal} seen).`);
  }
  return lines;
}

/** The whole progress view. */
export function renderProgress(rows: readonly ProgressRow[]): string {
  const out: string[] = [chalk.bold('wirelab') + chalk.dim(' — socket programming by building real Internet applications'), ''];
  const nameWidth = Math.max(...rows.map((r) => displayName(r.exercise).length)) + 2;
  for (const r of rows) {
    const text = statusText(r.status);
    const hints = r.hintsShown > 0 ? chalk.dim(`  ${r.hintsShown}/${r.hintsTotal} hints seen`) : '';
    const name = displayName(r.exercise).padEnd(nameWidth);
    out.push(`  ${r.status.kind === 'coming' ? chalk.dim(name) : name}${colour(r.status, text.padEnd(16))}${chalk.dim(r.exercise.title)}${hints}`);
  }
  const done = rows.filter((r) => r.status.kind === 'passed').length;
  const available = rows.filter((r) => r.status.kind !== 'coming').length;
  out.push('');
  out.push(chalk.dim(`${done} of ${available} available exercises pass (status from your last \`verify\` of each).`));
  out.push('');
  out.push(...nextSteps(rows));
  return out.join('\n');
}
