/**
 * `wirelab pack student`: the copy of the kit a TA hands to students. It
 * leaves out everything that holds or needs the reference solutions, and
 * adjusts the files that point at them (the examples, README.md and
 * package.json), so that after `npm install` every command and `npm test`
 * still work on the student's own code. The library and the CLI never import
 * solutions/ (the CLI loads code with `--impl`), so they are copied as they are.
 */
import path from 'node:path';
import { EXERCISES } from './exercises.ts';
import { isUnder } from './kit-files.ts';
import { readKitFiles, writeFolder, writeZipFile, type OnProgress, type PackedFile, type PackResult } from './pack.ts';
import { collectPointsSnapshot, POINTS_SNAPSHOT_FILE } from './points-snapshot.ts';

/**
 * Folders a student copy leaves out: the solutions and what needs them (the
 * reference tests, the benchmarks, and the kit's own tests in tests/lib/,
 * several of which run `--impl solutions`, with their fixtures), and CI.
 */
export const STUDENT_EXCLUDED = ['solutions', 'tests/reference', 'tests/lib', 'tests/fixtures', 'bench', '.ci'] as const;

/** The `npm test` of a student copy (the kit's own, check-kit.ts, needs solutions/). */
export const STUDENT_TEST_SCRIPT = 'tsx lib/grader/student-check.ts';

const EXAMPLE_NOTE = '// Student copy: this example runs YOUR code from exercises/ (it stops at a TODO until you have written it).\n';

const README_NOTE = `> **Student copy.** The reference solutions (\`solutions/\`), their stress tests
> (\`tests/reference/\`), the kit's own tests (\`tests/lib/\`) and the benchmarks
> (\`bench/\`) are not part of this copy, so whatever below mentions them or
> \`--impl solutions\` does not apply here.
> \`npm test\` type-checks your code and grades every exercise; the examples in
> \`examples/\` run your own code from \`exercises/\`.

`;

const encode = (text: string): Buffer => Buffer.from(text, 'utf8');
const decode = (data: Uint8Array): string => Buffer.from(data).toString('utf8');

/** A quoted relative path into the reference solutions (../solutions/…, ../../../solutions/…). */
const SOLUTIONS_IMPORT = /(['"])((?:\.\.\/)+)solutions\//g;

/**
 * An example rewired to the student's code: a note on top, imports from
 * ../exercises/ instead of ../solutions/ (the stubs have the same file names
 * and exported signatures), no `--impl solutions` in its how-to.
 */
export function rewriteExample(source: string): string {
  const rewired = source.replace(SOLUTIONS_IMPORT, '$1$2exercises/');
  if (rewired === source) return source;
  return EXAMPLE_NOTE + rewired.replaceAll(' --impl solutions', '');
}

/** The student copy's package.json: its own `npm test`, no `bench` script; dependencies untouched so package-lock.json still fits. */
export function rewritePackageJson(source: string): string {
  const pkg = JSON.parse(source) as { scripts?: Record<string, string> };
  pkg.scripts = { ...pkg.scripts, test: STUDENT_TEST_SCRIPT };
  delete pkg.scripts.bench;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** The graded test files of the kit at `root` (tests/NN-name.test.ts of the course's exercises). */
function gradedTestFiles(files: readonly PackedFile[], root: string): string[] {
  const graded = new Set(EXERCISES.map((e) => `tests/${e.id}.test.ts`));
  return files.filter((f) => graded.has(f.name)).map((f) => path.join(root, f.name));
}

/** The files of the student copy of the kit at `root`, in memory. */
export async function studentCopyFiles(root: string, onProgress: OnProgress = () => {}): Promise<PackedFile[]> {
  const files = readKitFiles(root, (f) => !STUDENT_EXCLUDED.some((folder) => isUnder(f, folder)) && f !== POINTS_SNAPSHOT_FILE);
  for (const file of files) {
    if (isUnder(file.name, 'examples') && file.name.endsWith('.ts')) file.data = encode(rewriteExample(decode(file.data)));
    else if (file.name === 'package.json') file.data = encode(rewritePackageJson(decode(file.data)));
    else if (file.name === 'README.md') file.data = encode(README_NOTE + decode(file.data));
  }
  onProgress('collecting the points of the graded tests from solutions/…');
  const snapshot = await collectPointsSnapshot(root, gradedTestFiles(files, root));
  files.push({ name: POINTS_SNAPSHOT_FILE, data: encode(`${JSON.stringify(snapshot, null, 2)}\n`), mode: 0o644 });
  return files.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Packs the student copy of the kit at `root` into `out`: a folder, or a ZIP
 * archive (whose files sit in one folder named after it) when `out` ends in `.zip`.
 */
export async function packStudent(root: string, out: string, onProgress: OnProgress = () => {}): Promise<PackResult> {
  const files = await studentCopyFiles(root, onProgress);
  onProgress(`writing ${files.length} files…`);
  if (out.toLowerCase().endsWith('.zip')) {
    const top = path.basename(out).slice(0, -'.zip'.length);
    const bytes = writeZipFile(out, files.map((f) => ({ ...f, name: `${top}/${f.name}` })));
    return { out, files: files.length, bytes };
  }
  return { out, files: files.length, bytes: writeFolder(out, files) };
}
