import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import { formatSize, type OnProgress, type PackResult } from '../../grader/pack.ts';
import { packGradescope } from '../../grader/pack-gradescope.ts';
import { packStudent } from '../../grader/pack-student.ts';
import { PROJECT_ROOT } from '../project.ts';
import { UserError } from '../user-error.ts';

const KINDS = ['student', 'gradescope'] as const;
type Kind = (typeof KINDS)[number];

interface PackArgs {
  kind: Kind;
  out: string;
  force: boolean;
}

/** True when `target` is the kit's root or lies inside it. */
function insideKit(target: string): boolean {
  const relative = path.relative(PROJECT_ROOT, target);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** True when `dir` holds a package.json named wirelab: an earlier student copy, safe to replace. */
function isEarlierCopy(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'wirelab';
  } catch {
    return false;
  }
}

/**
 * Refuses an output that would destroy something: an existing file or a
 * non-empty folder without --force; with --force only a file or an earlier
 * student copy is replaced, never an arbitrary folder.
 */
function prepareOut(kind: Kind, out: string, force: boolean): void {
  const zip = kind === 'gradescope' || out.toLowerCase().endsWith('.zip');
  if (kind === 'gradescope' && !out.toLowerCase().endsWith('.zip')) throw new UserError(`The Gradescope autograder is a .zip file: give --out a name ending in .zip (got ${out}).`);
  if (kind === 'student' && insideKit(out)) throw new UserError(`${out} is inside the kit (${PROJECT_ROOT}): the student copy would pack itself; choose a folder outside it.`);
  if (!existsSync(out)) return;
  const stat = statSync(out);
  if (stat.isDirectory()) {
    if (zip) throw new UserError(`${out} is a folder; give --out the name of the .zip file to write.`);
    if (readdirSync(out).length === 0) return;
    if (!force) throw new UserError(`${out} already exists and is not empty; pass --force to replace it, or choose another --out.`);
    if (!isEarlierCopy(out)) throw new UserError(`${out} is not an earlier student copy, so even --force will not delete it; choose another --out.`);
    rmSync(out, { recursive: true, force: true });
    return;
  }
  if (!zip) throw new UserError(`${out} is a file; give --out a folder (or a name ending in .zip).`);
  if (!force) throw new UserError(`${out} already exists; pass --force to replace it, or choose another --out.`);
}

/** One line at a time on stderr, replaced by the next, only on a terminal (never in a script's output). */
function terminalProgress(): { onProgress: OnProgress; clear: () => void } {
  const stream = process.stderr;
  if (!stream.isTTY) return { onProgress: () => {}, clear: () => {} };
  return {
    onProgress: (message) => stream.write(`\r\x1b[K${chalk.dim(message)}`),
    clear: () => stream.write('\r\x1b[K'),
  };
}

/** `wirelab pack student|gradescope --out PATH`: the copy for students, or the Gradescope autograder zip (for TAs). */
const pack: CommandModule<object, PackArgs> = {
  command: 'pack <kind>',
  describe: 'for TAs: pack the student copy (no solutions) or the Gradescope autograder zip',
  builder: (yargs) =>
    yargs
      .positional('kind', { choices: KINDS, demandOption: true, describe: 'student: the kit without solutions; gradescope: the autograder zip' })
      .option('out', { type: 'string', demandOption: true, describe: 'where to write: a folder or a .zip (student), a .zip (gradescope)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing file or an earlier student copy' })
      .example('wirelab pack student --out ../wirelab-student', 'a folder to hand out (or ../wirelab-student.zip)')
      .example('wirelab pack gradescope --out autograder.zip', "upload as the assignment's autograder"),
  handler: async (argv) => {
    const out = path.resolve(argv.out);
    // A student copy cannot pack again: both kinds need the reference solutions.
    if (!existsSync(path.join(PROJECT_ROOT, 'solutions'))) throw new UserError(`This kit has no solutions/ folder (is it a student copy?): pack from the full kit.`);
    prepareOut(argv.kind, out, argv.force);
    const progress = terminalProgress();
    let result: PackResult;
    try {
      result = argv.kind === 'student' ? await packStudent(PROJECT_ROOT, out, progress.onProgress) : packGradescope(PROJECT_ROOT, out, progress.onProgress);
    } finally {
      progress.clear();
    }
    const what = argv.kind === 'student' ? 'student copy' : 'Gradescope autograder';
    process.stdout.write(`wrote ${what} ${result.out} (${result.files} files, ${formatSize(result.bytes)})\n`);
  },
};
export default pack;
