// The wirelab CLI as a student runs it: the real bin, a child process, a
// temporary progress folder (WIRELAB_STATE_DIR) so the kit's own is untouched.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { EXERCISES } from '../../lib/grader/exercises.ts';
import { parseHints } from '../../lib/cli/hints.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'lib', 'cli', 'bin.js');
const state = mkdtempSync(path.join(os.tmpdir(), 'wirelab-cli-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

function wirelab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: os.tmpdir(), // the CLI finds the kit from its own location, not the working directory
    env: { ...process.env, WIRELAB_STATE_DIR: state, FORCE_COLOR: '0', NO_COLOR: '1', WIRELAB_IMPL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wirelab CLI', () => {
  test('list prints every exercise, one a line', { timeout: 30_000 }, () => {
    const r = wirelab('list');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(EXERCISES.length);
    expect(lines[0]).toMatch(/^01 {2}udp-echo +UDP echo/);
  });

  test('an unknown exercise is one sentence on stderr and a non-zero exit, no stack trace', { timeout: 30_000 }, () => {
    const r = wirelab('verify', '99');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/There is no exercise "99"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('with no command it shows the progress view with every exercise and what to do next', { timeout: 30_000 }, () => {
    const r = wirelab();
    expect(r.code).toBe(0);
    for (const e of EXERCISES) expect(r.stdout).toContain(`${e.number} ${e.id.slice(3)}`);
    expect(r.stdout).toMatch(/Next: |Every exercise/);
  });

  test('hint reveals the hints one at a time and remembers how many were shown', { timeout: 30_000 }, () => {
    const exercise = EXERCISES.find((e) => {
      const file = path.join(root, 'exercises', e.id, 'hints.md');
      return existsSync(path.join(root, 'tests', `${e.id}.test.ts`)) && existsSync(file) && parseHints(readFileSync(file, 'utf8')).length >= 2;
    });
    expect(exercise, 'an exercise with at least two hints').toBeDefined();
    const n = exercise!.number;
    expect(wirelab('hint', n).stdout).toMatch(/^Hint 1 of \d+/);
    expect(wirelab('hint', n).stdout).toMatch(/^Hint 2 of \d+/);
    const progress = JSON.parse(readFileSync(path.join(state, 'progress.json'), 'utf8'));
    expect(progress.exercises[exercise!.id].hintsShown).toBe(2);
    expect(wirelab('hint', n, '--again').stdout).toMatch(/Hint 1 of[\s\S]*Hint 2 of/);
    wirelab('hint', n, '--reset');
    expect(JSON.parse(readFileSync(path.join(state, 'progress.json'), 'utf8')).exercises[exercise!.id].hintsShown).toBe(0);
  });

  test('verify --json on the untouched stub prints one JSON document with 0 points and exits non-zero', { timeout: 60_000 }, () => {
    const r = wirelab('verify', '01', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ exercise: '01-udp-echo', impl: 'exercises', earned: 0, passed: false });
    expect(report.possible).toBeGreaterThan(0);
    expect(report.tests.every((t: { state: string }) => t.state === 'failed')).toBe(true);
    const progress = JSON.parse(readFileSync(path.join(state, 'progress.json'), 'utf8'));
    expect(progress.exercises['01-udp-echo'].lastVerify).toMatchObject({ earned: 0, passed: false });
  });
  test('--impl runs a submission folder that lives outside the kit (no package.json of its own)', { timeout: 60_000 }, () => {
    const submission = mkdtempSync(path.join(os.tmpdir(), 'wirelab-submission-'));
    try {
      cpSync(path.join(root, 'solutions', '08-metainfo'), path.join(submission, '08-metainfo'), { recursive: true });
      const file = path.join(submission, 'f.bin');
      writeFileSync(file, Buffer.alloc(300_000, 7));
      const out = path.join(submission, 'f.torrent');
      const created = wirelab('torrent', 'create', file, '--announce', 'http://127.0.0.1:6969/announce', '-o', out, '--impl', submission);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const info = wirelab('torrent', 'info', out, '--json', '--impl', submission);
      expect(info.code).toBe(0);
      expect(JSON.parse(info.stdout)).toMatchObject({ name: 'f.bin', length: 300_000, pieceCount: 2 });
    } finally {
      rmSync(submission, { recursive: true, force: true });
    }
  });
});
