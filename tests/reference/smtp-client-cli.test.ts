/**
 * `wirelab send` with the reference client against smtp-server from npm:
 * the message from stdin arrives byte for byte, refused recipients are listed
 * and make the exit code non-zero, and user mistakes are one sentence.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { startSmtpServerJudge } from '../helpers/smtp-script-real.ts';
import type { JudgeServer } from '../helpers/smtp-script-real.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'lib', 'cli', 'main.ts');

/** Runs `wirelab send …` with `input` on stdin; resolves with its exit code and output. */
function wirelabSend(args: string[], input: string | Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'send', '--impl', 'solutions', ...args], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

let server: JudgeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('wirelab send', () => {
  test('delivers stdin to every recipient and exits 0', async () => {
    server = await startSmtpServerJudge();
    const run = await wirelabSend(['--server', `127.0.0.1:${server.port}`, '--from', 'a@a.test', '--to', 'b@b.test', '--to', 'c@c.test', '--json'], 'Subject: cli\n\n.dot\n');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { accepted: string[]; rejected: unknown[] };
    expect(result.accepted).toEqual(['b@b.test', 'c@c.test']);
    expect(server.received[0]?.data.toString()).toBe('Subject: cli\r\n\r\n.dot\r\n');
  }, 20_000);

  test('lists a refused recipient and exits 1', async () => {
    server = await startSmtpServerJudge({ refuse: ['nobody@b.test'] });
    const run = await wirelabSend(['--server', `127.0.0.1:${server.port}`, '--from', 'a@a.test', '--to', 'b@b.test', '--to', 'nobody@b.test'], 'hi\n');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/accepted b@b\.test/);
    expect(run.stdout).toMatch(/refused +nobody@b\.test: 550/);
    expect(server.received).toHaveLength(1);
  }, 20_000);

  test('a bad --server is one sentence and a non-zero exit', async () => {
    const run = await wirelabSend(['--server', 'localhost', '--from', 'a@a.test', '--to', 'b@b.test'], 'hi\n');
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--server must be HOST:PORT/);
  }, 20_000);
});
