/**
 * The reference SMTP server hangs up on clients that stay silent too long,
 * between commands and in the middle of DATA, with a 421 first, and stores
 * nothing from an unfinished message. Run against solutions/.
 */
import { afterEach, expect, test } from 'vitest';
import { startSmtpServer, type SmtpServer } from '@impl/05-smtp-server/smtp-server.ts';
import { SmtpScript } from '../helpers/smtp-session.ts';
import { listMaildir, makeMaildirRoot, removeMaildirRoot } from '../helpers/smtp-session-maildir.ts';

let server: SmtpServer | undefined;
let root: string | undefined;
afterEach(async () => {
  await server?.close();
  if (root) await removeMaildirRoot(root);
  server = undefined;
  root = undefined;
});

test('a silent client gets 421 and the connection is closed', async () => {
  root = await makeMaildirRoot();
  server = await startSmtpServer({ maildir: root, domains: ['mail.test'], idleTimeoutMs: 200 });
  const s = await SmtpScript.open(server.port);
  try {
    await s.command('EHLO c.test', 250, 'EHLO');
    await s.expectReply(421, 'idle too long');
    expect(await s.closedByServer()).toBe(true);
  } finally {
    s.close();
  }
});

test('a client silent in the middle of DATA gets 421 and nothing is stored', async () => {
  root = await makeMaildirRoot();
  server = await startSmtpServer({ maildir: root, domains: ['mail.test'], idleTimeoutMs: 200 });
  const s = await SmtpScript.open(server.port);
  try {
    await s.startMessage('a@b.test', ['bob@mail.test']);
    await s.send('Subject: half\r\n\r\nand then silence');
    await s.expectReply(421, 'idle too long in DATA');
    expect(await s.closedByServer()).toBe(true);
    expect(await listMaildir(root, 'bob', 'new')).toEqual([]);
    expect(await listMaildir(root, 'bob', 'tmp')).toEqual([]);
  } finally {
    s.close();
  }
});
