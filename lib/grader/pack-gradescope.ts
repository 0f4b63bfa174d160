/**
 * `wirelab pack gradescope`: the Gradescope autograder zip. Gradescope
 * unpacks it to /autograder/source, runs `setup.sh` once to build the image,
 * then `run_autograder` per submission (both must sit at the zip's root, and
 * run_autograder must be executable). The kit goes in WITH its solutions:
 * the grader needs them to learn the points of code that does not load, and
 * this zip stays with the TA.
 * See https://gradescope-autograders.readthedocs.io/en/latest/specs/
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUnder } from './kit-files.ts';
import { readKitFiles, writeZipFile, type OnProgress, type PackedFile, type PackResult } from './pack.ts';

/** Folders the autograder does not need (CI, benchmarks) or must not carry (installed or personal files). */
export const GRADESCOPE_EXCLUDED = ['bench', '.ci', 'node_modules', '.git', '.wirelab'] as const;

/** The two scripts Gradescope looks for at the zip's root, kept as files beside this one. */
export const GRADESCOPE_SCRIPTS = ['setup.sh', 'run_autograder'] as const;

const TEMPLATES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gradescope');

/** The files of the autograder zip for the kit at `root`; `skip` names a kit file to leave out (the zip itself, when written inside the kit). */
export function gradescopeFiles(root: string, skip?: string): PackedFile[] {
  const files = readKitFiles(root, (f) => !GRADESCOPE_EXCLUDED.some((folder) => isUnder(f, folder)) && f !== skip && !(GRADESCOPE_SCRIPTS as readonly string[]).includes(f));
  for (const script of GRADESCOPE_SCRIPTS) files.push({ name: script, data: readFileSync(path.join(TEMPLATES, script)), mode: 0o755 });
  return files.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Writes the Gradescope autograder zip of the kit at `root` to `out`. */
export function packGradescope(root: string, out: string, onProgress: OnProgress = () => {}): PackResult {
  const inside = path.relative(root, path.resolve(out)).split(path.sep).join('/');
  const files = gradescopeFiles(root, inside);
  onProgress(`writing ${files.length} files…`);
  return { out, files: files.length, bytes: writeZipFile(out, files) };
}
