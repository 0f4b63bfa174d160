/**
 * `wirelab serve pop3` with the reference server: prints `listening on
 * HOST:PORT`, lets a user of the users file read their Maildir, stops on
 * SIGINT, and turns a missing or empty users file into one sentence.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startCliServer, stopCliServers, WIRELAB_BIN } from '../helpers/cli-process.ts';
import { crlf, makeMailRoot, removeMailRoot, wireSize, writeMessage } from '../helpers/pop3-maildir.ts';
import { Pop3Script } from '../helpers/pop3-session.ts';

let roots: string[] = [];
afterEach(async () => {
  await stopCliServers();
  await Promise.all(roots.map(removeMailRoot));
  roots = [];
});

test('serves the Maildirs to the users of the users file and stops on SIGINT', { timeout: 30_000 }, async () => {
  const root = await makeMailRoot();
  roots.push(root);
  const users = path.join(root, 'users.txt');
  await writeFile(users, '# name:password\nbob:hunter2\n');
  const message = crlf('Subject: hi', '', 'hello');
  await writeMessage(root, 'bob', message);
  const cli = await startCliServer(['serve', 'pop3', '--impl', 'solutions', '--port', '0', '--maildir', root, '--users', users]);
  const session = await Pop3Script.open(cli.port);
  await session.login('bob', 'hunter2');
  expect(await session.stat()).toEqual({ count: 1, octets: wireSize(message) });
  await session.quit();
  const exit = await cli.stop('SIGINT');
  expect(exit.code).toBe(0);
});

test('a missing or empty users file is one sentence and a non-zero exit', { timeout: 30_000 }, async () => {
  const root = await makeMailRoot();
  roots.push(root);
  const empty = path.join(root, 'empty.txt');
  await writeFile(empty, '# nobody yet\n');
  for (const users of [path.join(root, 'missing.txt'), empty]) {
    const run = spawnSync(process.execPath, [WIRELAB_BIN, 'serve', 'pop3', '--impl', 'solutions', '--port', '0', '--maildir', root, '--users', users], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, FORCE_COLOR: '0' } });
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: /);
  }
});
