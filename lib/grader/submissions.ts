/**
 * Finding the submissions in the folder a TA points `wirelab grade` at. A
 * submission is a folder laid out like the kit's `exercises/` (it holds
 * `01-udp-echo/`, `02-udp-pinger/` …), or a whole copy of the kit with such an
 * `exercises/` folder inside. The folder given is either one submission
 * (what Gradescope hands its autograder) or a folder of them, one per student
 * (what an LMS download looks like once unzipped).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { EXERCISES } from './exercises.ts';

/** One student's work. */
export interface Submission {
  /** The student, as the folder is named (`alice`); the folder's own name for a single submission. */
  readonly name: string;
  /** The folder holding the exercise folders (what WIRELAB_IMPL gets). */
  readonly implDir: string;
}

/** What was found: the submissions, and what was skipped with why. */
export interface SubmissionScan {
  readonly submissions: Submission[];
  /** One sentence per entry that is not a submission (a stray file, an unzipped archive). */
  readonly skipped: string[];
}

const EXERCISE_IDS = new Set(EXERCISES.map((e) => e.id));

const isDirectory = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The folder of `dir` that holds exercise folders, or undefined if `dir` is no submission. */
export function implDirOf(dir: string): string | undefined {
  const holdsExercises = (d: string): boolean => isDirectory(d) && readdirSync(d).some((entry) => EXERCISE_IDS.has(entry) && isDirectory(path.join(d, entry)));
  if (holdsExercises(dir)) return dir;
  const nested = path.join(dir, 'exercises');
  return holdsExercises(nested) ? nested : undefined;
}

/**
 * Lists the submissions under `dir`. Throws (with one sentence) only when
 * `dir` is not a folder; an empty result is for the caller to report.
 */
export function findSubmissions(dir: string): SubmissionScan {
  const root = path.resolve(dir);
  if (!existsSync(root)) throw new Error(`there is no folder ${root}`);
  if (!isDirectory(root)) throw new Error(`${root} is a file, not a folder of submissions`);
  const single = implDirOf(root);
  if (single !== undefined) return { submissions: [{ name: path.basename(root), implDir: single }], skipped: [] };

  const submissions: Submission[] = [];
  const skipped: string[] = [];
  for (const entry of readdirSync(root).sort()) {
    if (entry.startsWith('.')) continue;
    const full = path.join(root, entry);
    if (!isDirectory(full)) {
      skipped.push(entry.endsWith('.zip') ? `${entry}: an archive; unzip it into a folder of its own to grade it` : `${entry}: a file, not a submission folder`);
      continue;
    }
    const implDir = implDirOf(full);
    if (implDir === undefined) skipped.push(`${entry}: no exercise folders in it (like 01-udp-echo/), nor an exercises/ folder holding them`);
    else submissions.push({ name: entry, implDir });
  }
  return { submissions, skipped };
}
