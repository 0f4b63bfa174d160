/**
 * `wirelab serve smtp` with the reference server: prints `listening on
 * HOST:PORT`, takes mail from nodemailer into DIR/<user>/new/, refuses users
 * missing from the users file, stops cleanly on SIGINT, and turns user
 * mistakes into one sentence.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, test } from 'vitest';
import { listMaildir, makeMaildirRoot, readNewMail, removeMaildirRoot, withoutReceived } from '../helpers/smtp-session-maildir.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'lib', 'cli', 'main.ts');

let children: ChildProcessWithoutNullStreams[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(dirs.map(removeMaildirRoot));
  children = [];
  dirs = [];
});

/** Starts `wirelab serve smtp …`; resolves with the process and the port once it says it listens. */
function serve(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; port: number; exited: Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', 'smtp', '--impl', 'solutions', ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(stdout);
      if (match) resolve({ child, port: Number(match[1]), exited });
    });
    void exited.then(({ code }) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
  });
}

/** Runs a command that should fail at once; resolves with its exit code and stderr. */
async function serveFails(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', 'smtp', ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('wirelab serve smtp', () => {
  test('takes mail from nodemailer into DIR/<user>/new/ and stops on SIGINT', async () => {
    const maildir = await makeMaildirRoot();
    dirs.push(maildir);
    const users = path.join(maildir, 'users');
    await writeFile(users, '# name:password\nbob:secret\n\ncarol:x # the second user\n');
    const { child, port, exited } = await serve(['--port', '0', '--maildir', maildir, '--domain', 'mail.test', '--users', users]);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const raw = Buffer.from('Subject: via the CLI\r\n\r\n.a dot line\r\n');
    try {
      const info = await transport.sendMail({ envelope: { from: 'a@a.test', to: ['bob@mail.test', 'carol@mail.test', 'mallory@mail.test'] }, raw });
      expect(info.accepted).toEqual(['bob@mail.test', 'carol@mail.test']);
      expect(info.rejected).toEqual(['mallory@mail.test']);
    } finally {
      transport.close();
    }
    for (const user of ['bob', 'carol']) expect((await readNewMail(maildir, user)).map((m) => withoutReceived(m)?.toString())).toEqual([raw.toString()]);
    expect(await listMaildir(maildir, 'mallory', 'new')).toEqual([]);
    child.kill('SIGINT');
    const { code, stderr } = await exited;
    expect(code).toBe(0);
    expect(stderr).toMatch(/SIGINT: shutting down/);
  }, 20_000);

  test.each([
    [['--maildir', '/tmp/x'], /port/],
    [['--port', '70000', '--maildir', '/tmp/x'], /--port must be/],
    [['--port', '0', '--maildir', '/tmp/x', '--domain', 'bad domain'], /--domain must be/],
    [['--port', '0', '--maildir', '/tmp/x', '--users', '/nonexistent/users', '--impl', 'solutions'], /users file/],
    [['--port', '0', '--maildir', '/tmp/x', '--impl', path.join(root, 'exercises')], /TODO\(05-smtp-server\).*--impl solutions/],
  ])('%j is one sentence and a non-zero exit', async (args, message) => {
    const { code, stderr } = await serveFails(args);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  }, 20_000);
});
