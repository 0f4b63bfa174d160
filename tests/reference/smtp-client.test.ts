/**
 * Reliability of the reference SMTP client (exercise 04), run with
 * WIRELAB_IMPL=solutions: random messages survive the trip byte for byte,
 * random replies are reassembled, and garbage from a server always ends in a
 * typed error within the time limit, never a hang or a crash.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { TimeoutError, WirelabError } from '../../lib/errors.ts';
import { startSmtpServerJudge } from '../helpers/smtp-script-real.ts';
import { encodeMessageData, normaliseLineEnds } from '@impl/04-smtp-client/message-data.ts';
import { SmtpClient } from '@impl/04-smtp-client/smtp-client.ts';
import { ReplyAssembler } from '@impl/04-smtp-client/smtp-reply.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Messages rich in what SMTP gets wrong: CR, LF, dots at line starts, 8-bit bytes. */
const tricky = fc
  .array(fc.oneof(fc.constantFrom(0x0d, 0x0a, 0x2e, 0x2e, 0x20, 0x41, 0xff, 0x80), fc.integer({ min: 1, max: 255 })), { maxLength: 400 })
  .map((bytes) => Buffer.from(bytes));

/** What a server does with the data: split at CRLF, drop the stuffed dot, stop at the lone dot. */
function unstuff(data: Buffer): { message: Buffer; rest: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const crlf = data.indexOf('\r\n', start);
    if (crlf === -1) throw new Error('data does not end with CRLF');
    const line = data.subarray(start, crlf);
    start = crlf + 2;
    if (line.length === 1 && line[0] === 0x2e) return { message: Buffer.concat(lines), rest: data.subarray(start) };
    lines.push(line[0] === 0x2e ? line.subarray(1) : line, Buffer.from('\r\n'));
  }
}

describe('message data', () => {
  test('any bytes: CRLF only, one end marker, and the server gets the normalised message back', () => {
    fc.assert(
      fc.property(tricky, (message) => {
        const normalised = normaliseLineEnds(message);
        const data = encodeMessageData(message);
        // No bare CR or LF anywhere on the wire.
        for (let i = 0; i < data.length; i++) {
          if (data[i] === 0x0d) expect(data[i + 1]).toBe(0x0a);
          if (data[i] === 0x0a) expect(data[i - 1]).toBe(0x0d);
        }
        const { message: received, rest } = unstuff(data);
        expect(rest.length).toBe(0); // the end marker is the last thing, and the only one
        expect(received.equals(normalised)).toBe(true);
        // Only line ends change: the other bytes are the same, in order.
        const strip = (b: Buffer): string => b.toString('latin1').replace(/[\r\n]/g, '');
        expect(strip(normalised)).toBe(strip(message));
        expect(normaliseLineEnds(normalised).equals(normalised)).toBe(true);
      }),
      { numRuns: 2000, seed: 404 },
    );
  });
});

describe('replies', () => {
  test('any multi-line reply comes back line for line', () => {
    const text = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ''));
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), fc.array(text, { minLength: 1, maxLength: 8 }), (code, lines) => {
        const assembler = new ReplyAssembler();
        const wire = lines.map((l, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${l}`);
        const results = wire.map((l) => assembler.push(l));
        expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
        expect(results.at(-1)).toEqual({ code, lines });
      }),
      { numRuns: 1000, seed: 405 },
    );
  });
});

describe('against servers', () => {
  test('random messages over one connection reach smtp-server byte for byte', async () => {
    const server = await startSmtpServerJudge();
    cleanups.push(() => server.close());
    const messages = fc.sample(tricky.filter((m) => m.length > 0), { numRuns: 40, seed: 406 });
    const client = await SmtpClient.connect({ host: server.host, port: server.port, clientName: 'fuzz.test', timeoutMs: 3000 });
    cleanups.push(() => client.abort());
    for (const message of messages) await client.send({ from: 'fuzz@a.test', to: ['sink@b.test'], message });
    await client.quit();
    expect(server.connections).toBe(1);
    expect(server.received).toHaveLength(messages.length);
    messages.forEach((m, i) => expect(server.received[i]!.data.toString('hex')).toBe(normaliseLineEnds(m).toString('hex')));
  }, 30_000);

  test('garbage from a server ends in a typed error within the limit, never a hang', async () => {
    // Each run: a server that greets (or not) and answers every line with random text.
    const garbageLine = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('220 ok', '250 ok', '354 go', '421 bye', '550 no', '250-more', '999 odd', '25', ''),
    );
    const runs = fc.sample(fc.array(garbageLine, { minLength: 1, maxLength: 6 }), { numRuns: 40, seed: 407 });
    for (const replies of runs) {
      const sockets = new Set<net.Socket>();
      const server = net.createServer((sock) => {
        sockets.add(sock);
        let i = 0;
        const next = (): void => {
          const line = replies[i++];
          if (line !== undefined) sock.write(`${line}\r\n`);
        };
        next();
        sock.on('data', next);
        sock.on('error', () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      const started = performance.now();
      try {
        const client = await SmtpClient.connect({ host: '127.0.0.1', port, timeoutMs: 150 });
        await client.send({ from: 'a@a.test', to: ['b@b.test'], message: 'x\r\n' });
        await client.quit();
      } catch (error) {
        expect(error, JSON.stringify(replies)).toBeInstanceOf(WirelabError);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
      // Every wait is bounded: a few waits of 150 ms at most.
      expect(performance.now() - started, JSON.stringify(replies)).toBeLessThan(2000);
    }
  }, 60_000);

  test('sends called at once are serialised on the one connection, in order', async () => {
    const server = await startSmtpServerJudge();
    cleanups.push(() => server.close());
    const client = await SmtpClient.connect({ host: server.host, port: server.port, clientName: 'burst.test', timeoutMs: 3000 });
    cleanups.push(() => client.abort());
    const sends = Array.from({ length: 5 }, (_, i) => client.send({ from: 'a@a.test', to: [`r${i}@b.test`], message: `message ${i}\r\n` }));
    await Promise.all(sends);
    await client.quit();
    expect(server.connections).toBe(1);
    expect(server.received.map((m) => m.data.toString())).toEqual(Array.from({ length: 5 }, (_, i) => `message ${i}\r\n`));
  });

  test('a server that stops reading mid-DATA gives a TimeoutError, not a hang', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => {});
      sock.write('220 mx.test\r\n');
      let buffered = '';
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString('latin1');
        while (buffered.includes('\r\n')) {
          const line = buffered.slice(0, buffered.indexOf('\r\n'));
          buffered = buffered.slice(buffered.indexOf('\r\n') + 2);
          if (line.startsWith('EHLO')) sock.write('250-mx.test\r\n250 SIZE\r\n');
          else if (line.startsWith('MAIL') || line.startsWith('RCPT')) sock.write('250 OK\r\n');
          else if (line === 'DATA') {
            sock.write('354 go ahead\r\n');
            sock.off('data', onData);
            sock.pause(); // and never read again: the client's writes back up
            return;
          }
        }
      };
      sock.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    const port = (server.address() as net.AddressInfo).port;
    const client = await SmtpClient.connect({ host: '127.0.0.1', port, timeoutMs: 500 });
    cleanups.push(() => client.abort());
    const huge = Buffer.alloc(32 * 1024 * 1024, 'a\r\n'.repeat(1000)); // far more than the socket buffers hold
    const started = performance.now();
    const error = await client.send({ from: 'a@a.test', to: ['b@b.test'], message: huge }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(client.state).toBe('closed');
  }, 20_000);
});
