/**
 * The reference SMTP server hangs up on clients that stay silent too long,
 * between commands and in the middle of DATA, with a 421 first, and stores
 * nothing from an unfinished message. Run against solutions/.
 */
import { expect, test } from 'vitest';
import { SmtpScript } from '../helpers/smtp-session.ts';
import { maildirServerAfterEach } from '../helpers/smtp-maildir-server.ts';
import { listMaildir } from '../helpers/smtp-session-maildir.ts';

const startServer = maildirServerAfterEach();

test('a silent client gets 421 and the connection is closed', async () => {
  const { server } = await startServer({ domains: ['mail.test'], idleTimeoutMs: 200 });
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
  const { server, root } = await startServer({ domains: ['mail.test'], idleTimeoutMs: 200 });
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
