// `wirelab pack` for real: the student copy is packed into a temp folder and
// used there as a student would (with the kit's node_modules linked in, so
// no network), and the Gradescope zip is unpacked into a fake /autograder and
// its run_autograder run on a submission.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXERCISES } from '../../lib/grader/exercises.ts';
import type { PointsSnapshot } from '../../lib/grader/points-snapshot.ts';
import { STUDENT_TEST_SCRIPT } from '../../lib/grader/pack-student.ts';
import { crc32, createZip } from '../../lib/grader/zip.ts';
import { readZip, type UnzippedEntry } from '../helpers/zip-reader.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'lib', 'cli', 'bin.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'wirelab-pack-'));
const copy = path.join(tmp, 'student');
const zipPath = path.join(tmp, 'autograder.zip');
const env = { ...process.env, WIRELAB_STATE_DIR: path.join(tmp, 'state'), FORCE_COLOR: '0', NO_COLOR: '1', WIRELAB_IMPL: '' };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end without blocking the event loop, so independent checks overlap. */
function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const wirelab = (cwd: string, ...args: string[]): Promise<Ran> => run(process.execPath, [path.join(cwd, 'lib', 'cli', 'bin.js'), ...args], cwd);

const gradedIds = EXERCISES.filter((e) => existsSync(path.join(root, 'tests', `${e.id}.test.ts`))).map((e) => e.id);
let packStudent: Ran;
let packGradescope: Ran;
let zipEntries: UnzippedEntry[];

beforeAll(async () => {
  [packStudent, packGradescope] = await Promise.all([
    run(process.execPath, [bin, 'pack', 'student', '--out', copy], tmp),
    run(process.execPath, [bin, 'pack', 'gradescope', '--out', zipPath], tmp),
  ]);
  // The student would run `npm install`; the kit's own node_modules stand in for it (offline).
  if (existsSync(copy)) symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  if (existsSync(zipPath)) zipEntries = readZip(readFileSync(zipPath));
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('zip', () => {
  test('CRC-32 gives the check value of the standard, and an archive reads back with its modes', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const files = [
      { name: 'a/b.txt', data: Buffer.from('hello '.repeat(200)) },
      { name: 'run', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { name: 'empty', data: Buffer.alloc(0) },
    ];
    const back = readZip(createZip(files));
    expect(back.map((e) => [e.name, e.data.toString(), e.mode])).toEqual(files.map((f) => [f.name, f.data.toString(), f.mode ?? 0o644]));
  });
});

describe('pack student', () => {
  test('writes the copy and says so in one line: file count and size', () => {
    expect(packStudent.stderr).toBe('');
    expect(packStudent.code).toBe(0);
    expect(packStudent.stdout.trim()).toMatch(/^wrote student copy .+ \(\d+ files, [\d.]+ (KiB|MiB)\)$/);
  });

  test('leaves out the solutions and everything that needs them', () => {
    for (const gone of ['solutions', 'tests/reference', 'tests/lib', 'bench', '.ci', '.git', '.wirelab']) expect(existsSync(path.join(copy, gone)), gone).toBe(false);
    for (const id of gradedIds) {
      expect(existsSync(path.join(copy, 'exercises', id))).toBe(true);
      expect(existsSync(path.join(copy, 'tests', `${id}.test.ts`))).toBe(true);
    }
  });

  test('examples and the library import the student code, never solutions/', () => {
    const examples = readdirSync(path.join(copy, 'examples')).filter((f) => f.endsWith('.ts'));
    expect(examples.length).toBeGreaterThan(0);
    for (const file of examples) {
      const source = readFileSync(path.join(copy, 'examples', file), 'utf8');
      expect(source, file).not.toMatch(/['"](\.\.\/)+solutions\//);
      if (readFileSync(path.join(root, 'examples', file), 'utf8').includes('../solutions/')) {
        expect(source, file).toMatch(/^\/\/ Student copy: /);
        expect(source, file).toMatch(/from '\.\.\/exercises\//);
      }
    }
    // The library and the CLI are copied untouched, so none of them may import the solutions.
    const importsSolutions = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && /from ['"](\.\.\/)+solutions\//.test(readFileSync(path.join(dir, f), 'utf8')));
    expect(importsSolutions(path.join(copy, 'lib'))).toEqual([]);
  });

  test("package.json has the student's npm test and no bench; the lock file still fits", () => {
    const kit = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8'));
    expect(pkg.scripts.test).toBe(STUDENT_TEST_SCRIPT);
    expect(pkg.scripts.bench).toBeUndefined();
    expect(pkg.dependencies).toEqual(kit.dependencies);
    expect(pkg.devDependencies).toEqual(kit.devDependencies);
    expect(readFileSync(path.join(copy, 'package-lock.json'))).toEqual(readFileSync(path.join(root, 'package-lock.json')));
    expect(readFileSync(path.join(copy, 'README.md'), 'utf8')).toMatch(/^> \*\*Student copy\.\*\*/);
  });

  test('the points snapshot lists every graded test file with relative paths', () => {
    const snapshot = JSON.parse(readFileSync(path.join(copy, 'tests', 'points.json'), 'utf8')) as PointsSnapshot;
    expect(Object.keys(snapshot.files).sort()).toEqual(gradedIds.map((id) => `tests/${id}.test.ts`));
    for (const [file, tests] of Object.entries(snapshot.files)) {
      expect(tests.length).toBeGreaterThan(0);
      for (const t of tests) expect(t.file).toBe(file);
      expect(tests.every((t) => typeof t.points === 'number' && t.points > 0)).toBe(true);
    }
  });

  test('in the copy: tsc passes, and verify of a stub that does not load shows 0 of the real total', { timeout: 90_000 }, async () => {
    const snapshot = JSON.parse(readFileSync(path.join(copy, 'tests', 'points.json'), 'utf8')) as PointsSnapshot;
    const tests01 = snapshot.files['tests/01-udp-echo.test.ts']!;
    const total = tests01.reduce((sum, t) => sum + (t.points ?? 0), 0);
    // tsc runs first on the untouched copy; the broken stub is written only after.
    const tsc = await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', copy], copy);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);

    appendFileSync(path.join(copy, 'exercises', '01-udp-echo', 'echo-server.ts'), '\nexport const broken = ;\n');
    const verify = await wirelab(copy, 'verify', '01', '--json');
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.stdout);
    expect(report).toMatchObject({ exercise: '01-udp-echo', earned: 0, possible: total });
    expect(report.tests).toHaveLength(tests01.length);
    expect(report.errors[0].message).toMatch(/could not load the code/);
  });
});

describe('pack refuses what would destroy or loop', () => {
  test('an existing non-empty folder needs --force; the kit itself is refused; a student copy cannot pack; an unknown kind is a usage error', { timeout: 60_000 }, async () => {
    const busy = path.join(tmp, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'mine\n');
    const [taken, forced, inside, unknown, fromCopy] = await Promise.all([
      wirelab(root, 'pack', 'student', '--out', busy),
      wirelab(root, 'pack', 'student', '--out', busy, '--force'),
      wirelab(root, 'pack', 'student', '--out', path.join(root, 'student-copy')),
      wirelab(root, 'pack', 'teacher', '--out', path.join(tmp, 'x')),
      wirelab(copy, 'pack', 'gradescope', '--out', path.join(tmp, 'again.zip')),
    ]);
    for (const r of [taken, forced, inside, fromCopy]) {
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(taken.stderr).toMatch(/already exists.*--force/);
    expect(forced.stderr).toMatch(/not an earlier student copy/); // --force never deletes a folder it did not make
    expect(readFileSync(path.join(busy, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(inside.stderr).toMatch(/inside the kit/);
    expect(existsSync(path.join(root, 'student-copy'))).toBe(false);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/Choices: "student", "gradescope"/);
    expect(fromCopy.stderr).toMatch(/no solutions\/ folder/);
  });
});

describe('pack gradescope', () => {
  test('the zip holds setup.sh and an executable run_autograder at its root, and the kit with solutions', () => {
    expect(packGradescope.code).toBe(0);
    expect(packGradescope.stdout.trim()).toMatch(/^wrote Gradescope autograder .+autograder\.zip \(\d+ files, /);
    const byName = new Map(zipEntries.map((e) => [e.name, e]));
    expect(byName.get('run_autograder')?.mode).toBe(0o755);
    expect(byName.get('setup.sh')?.mode).toBe(0o755);
    expect(byName.get('run_autograder')?.data.toString()).toMatch(/grade "\$SUBMISSION" --format gradescope --out "\$RESULTS"/);
    expect(byName.get('setup.sh')?.data.toString()).toMatch(/npm ci/);
    for (const needed of ['package.json', 'package-lock.json', 'vitest.config.ts', 'lib/cli/bin.js', ...gradedIds.flatMap((id) => [`tests/${id}.test.ts`])]) expect(byName.has(needed), needed).toBe(true);
    for (const id of gradedIds) expect(zipEntries.some((e) => e.name.startsWith(`solutions/${id}/`)), id).toBe(true);
    for (const gone of ['node_modules/', '.git/', '.wirelab/', 'bench/', '.ci/']) expect(zipEntries.filter((e) => e.name.startsWith(gone)), gone).toEqual([]);
  });

  test('an independent unzip agrees on the files and the executable bit', { skip: spawnSync('unzip', ['-v']).status !== 0 }, () => {
    const listing = spawnSync('unzip', ['-Z', zipPath], { encoding: 'utf8' }).stdout;
    expect(listing).toMatch(/^-rwxr-xr-x .* run_autograder$/m);
    expect(spawnSync('unzip', ['-tq', zipPath], { encoding: 'utf8' }).stdout).toMatch(/No errors detected/);
  });

  /** Unpacks the zip into a fresh fake /autograder (source/ with the kit's node_modules linked in) and returns its root. */
  function fakeAutograder(name: string): string {
    const ag = path.join(tmp, name);
    const source = path.join(ag, 'source');
    for (const e of zipEntries) {
      const target = path.join(source, ...e.name.split('/'));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, e.data, { mode: e.mode });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(source, 'node_modules'), 'dir');
    mkdirSync(path.join(ag, 'submission'));
    return ag;
  }

  /** Runs run_autograder there and returns results.json with the tests of exercise 01. */
  async function runAutograder(ag: string) {
    const r = await run(path.join(ag, 'source', 'run_autograder'), [], ag, { AUTOGRADER_ROOT: ag });
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(ag, 'results', 'results.json'), 'utf8')) as {
      score: number;
      tests: { name: string; score: number; max_score: number }[];
    };
    return { results, ours: results.tests.filter((t) => t.name.startsWith('01-udp-echo')) };
  }

  test('run_autograder grades a submission into results.json: full marks for the exercise it solves', { timeout: 90_000 }, async () => {
    const ag = fakeAutograder('autograder');
    cpSync(path.join(root, 'solutions', '01-udp-echo'), path.join(ag, 'submission', '01-udp-echo'), { recursive: true });
    const { results, ours } = await runAutograder(ag);
    expect(ours.length).toBeGreaterThan(0);
    for (const t of ours) expect(t.score, t.name).toBe(t.max_score);
    expect(results.score).toBe(ours.reduce((sum, t) => sum + t.max_score, 0));
  });

  test('run_autograder finds loose .ts files (here in the one folder a zip unpacked to) by their names', { timeout: 90_000 }, async () => {
    const ag = fakeAutograder('autograder-loose');
    cpSync(path.join(root, 'solutions', '01-udp-echo'), path.join(ag, 'submission', 'my-work'), { recursive: true });
    const { ours } = await runAutograder(ag);
    expect(ours.length).toBeGreaterThan(0);
    for (const t of ours) expect(t.score, t.name).toBe(t.max_score);
  });

  test('run_autograder writes a results.json that says what to upload when there is nothing to grade', { timeout: 30_000 }, async () => {
    const ag = fakeAutograder('autograder-empty');
    writeFileSync(path.join(ag, 'submission', 'notes.txt'), 'hello\n');
    const { results } = await runAutograder(ag);
    expect(results).toMatchObject({ score: 0, tests: [] });
    expect((results as unknown as { output: string }).output).toMatch(/Upload your exercise folders/);
  });
});
