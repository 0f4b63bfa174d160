// `wirelab watch` for real: grade, then grade again after an editor-style save
// (write a temp file, rename it over the original), then stop on Ctrl-C (SIGINT).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wirelab-watch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('watch grades again after a save through a temp file and a rename, and stops on SIGINT', { timeout: 60_000 }, async () => {
  const submission = path.join(scratch, 'submission');
  cpSync(path.join(root, 'exercises', '01-udp-echo'), path.join(submission, '01-udp-echo'), { recursive: true });
  const child = spawn(process.execPath, [path.join(root, 'lib', 'cli', 'bin.js'), 'watch', '01', '--impl', submission], {
    env: { ...process.env, WIRELAB_STATE_DIR: path.join(scratch, 'state'), FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const totals = () => [...output.matchAll(/(\d+)\/(\d+) points/g)].map((m) => Number(m[1]));
  const waitFor = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 40_000;
    while (!ok()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`watch: no ${what}; output so far:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await waitFor(() => totals().length >= 1 && output.includes('watching'), 'first grading');
    expect(totals()[0]).toBe(0);
    // Save the way vim does: a probe/swap file, then the new content renamed over the original.
    const target = path.join(submission, '01-udp-echo', 'echo-server.ts');
    writeFileSync(path.join(submission, '01-udp-echo', '.echo-server.ts.swp'), 'swap');
    const temp = path.join(submission, '01-udp-echo', '4913');
    writeFileSync(temp, readFileSync(path.join(root, 'solutions', '01-udp-echo', 'echo-server.ts')));
    renameSync(temp, target);
    await waitFor(() => totals().length >= 2, 'second grading after the save');
    expect(totals()[1]).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect([0, null]).toContain(await exited); // 0: it stopped by itself (null: Windows ends the process outright)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
