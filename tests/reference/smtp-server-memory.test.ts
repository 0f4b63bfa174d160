/**
 * The reference SMTP server's memory stays bounded when a client streams a
 * message far larger than the size limit: 100 MB against a 1 MB limit must
 * leave the process holding a few megabytes more, not a hundred, and end in
 * 552 (then the session goes on). Memory is measured after a forced garbage
 * collection, so only what the server still holds counts. Run against solutions/.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import { SmtpScript } from '../helpers/smtp-session.ts';
import { maildirServerAfterEach } from '../helpers/smtp-maildir-server.ts';
import { listMaildir } from '../helpers/smtp-session-maildir.ts';

const LIMIT = 1024 * 1024;
const STREAMED = 100 * 1024 * 1024;
/** Allowed growth of live heap + buffers once 100 MB went through (a buffering server holds 100+). */
const ALLOWED_GROWTH = 16 * 1024 * 1024;

setFlagsFromString('--expose-gc');
/** Forces a full garbage collection, so what is measured is what is still referenced. */
const collectGarbage = runInNewContext('gc') as () => void;

const startServer = maildirServerAfterEach();

/** Heap plus Buffer memory: what a server that buffers the message would grow. */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test('a 100 MB message against a 1 MB limit gets 552 without the server holding it', async () => {
  const { server, root } = await startServer({ domains: ['mail.test'], maxMessageBytes: LIMIT });
  const s = await SmtpScript.open(server.port);
  try {
    await s.startMessage('big@b.test', ['bob@mail.test']);
    // One 64 KiB block of 998-octet lines, written again and again: the client itself allocates nothing.
    const line = `${'m'.repeat(998)}\r\n`;
    const block = Buffer.from(line.repeat(Math.floor(65536 / line.length)));
    collectGarbage();
    const baseline = used();
    let sent = 0;
    while (sent < STREAMED) {
      await s.send(block);
      sent += block.length;
    }
    // Let the server read what is still in the socket buffers, then see what it keeps.
    await new Promise((r) => setTimeout(r, 300));
    collectGarbage();
    const growth = used() - baseline;
    await s.send('.\r\n');
    await s.expectReply(552, 'a message over the limit is refused after its end of data');
    expect(growth, `live memory grew by ${(growth / 1024 / 1024).toFixed(1)} MB after ${STREAMED / 1024 / 1024} MB streamed`).toBeLessThan(ALLOWED_GROWTH);
    await s.command('NOOP', 250, 'the session goes on after 552');
    expect(await listMaildir(root, 'bob', 'new')).toEqual([]);
  } finally {
    s.close();
  }
}, 60_000);
