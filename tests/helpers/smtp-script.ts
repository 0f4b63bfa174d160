/**
 * A scripted SMTP server for grading clients: each test writes the server's
 * side of the dialogue as a small async script, and every byte the client
 * sends is checked exactly (CRLF included):
 *
 *   const server = await startScriptedSmtpServer(transcript, async (peer) => {
 *     await peer.reply(220, 'mx.test ESMTP');
 *     await peer.expectLine('EHLO client.test\r\n');
 *     await peer.reply(250, 'mx.test', 'SIZE 1000');
 *   });
 *   await server.run(() => SmtpClient.connect({ host: server.host, port: server.port, … }));
 *
 * The server takes one connection. It records the dialogue into the test's
 * transcript (the client's bytes line by line as the script reads them) and
 * marks the first place where the client left the script. Built on node:net
 * directly so it controls exactly how replies are cut into TCP segments.
 */
import net from 'node:net';
import type { Transcript } from '../../lib/transcript/transcript.ts';

/** What one scripted session can do with the client. */
export interface ScriptedPeer {
  /** Writes raw bytes to the client (one transcript entry). */
  send(bytes: string | Buffer): Promise<void>;
  /** Writes one reply: `reply(250, 'a', 'b')` sends `250-a` CRLF `250 b` CRLF. */
  reply(code: number, ...lines: string[]): Promise<void>;
  /**
   * Writes the bytes in pieces of `pieceBytes`, pausing `pauseMs` between them,
   * so the client gets them in separate reads (recorded as one entry).
   */
  sendInPieces(bytes: string | Buffer, pieceBytes: number, pauseMs?: number): Promise<void>;
  /** Reads one line from the client, its line end included (LF-terminated, bytes as latin1). */
  readLine(what?: string): Promise<string>;
  /** Reads one line and fails unless it is exactly `expected` (a RegExp is matched against the whole line). */
  expectLine(expected: string | RegExp, what?: string): Promise<string>;
  /** Reads the message data up to and including the final `CRLF.CRLF` (the CRLF before the dot is the last line's). */
  readData(): Promise<Buffer>;
  /** Fails unless the client closes the connection (sending nothing more) within the read limit. */
  expectClose(what?: string): Promise<void>;
  /** Waits `ms` and fails if the client sent anything meanwhile (e.g. before the greeting). */
  expectSilence(ms: number, why: string): Promise<void>;
  /** Marks the last line the client sent with `expected <what>` and fails the script. */
  fail(what: string, got: string): never;
  /** Closes the connection from the server's side. */
  hangUp(): void;
}

/** A running scripted server. */
export interface ScriptedServer {
  readonly host: string;
  readonly port: number;
  /**
   * Runs the client side and the script together. The script's verdict wins
   * when it failed first (it knows what the client should have sent); else
   * the client's error, else the client's result.
   */
  run<T>(client: () => Promise<T>): Promise<T>;
  /** Stops listening and drops the connection. */
  close(): Promise<void>;
}

/** Options for {@link startScriptedSmtpServer}. */
export interface ScriptOptions {
  /**
   * How long the script waits for each line from the client, in milliseconds.
   * @default 2000
   */
  readTimeoutMs?: number;
}

/** An expectation the client did not meet; its message is what the student reads. */
export class ScriptError extends Error {
  override name = 'ScriptError';
}

const show = (bytes: string): string => JSON.stringify(bytes);

/** Starts a one-connection SMTP server on 127.0.0.1, port 0, that plays `script`. */
export async function startScriptedSmtpServer(
  transcript: Transcript,
  script: (peer: ScriptedPeer) => Promise<void>,
  options: ScriptOptions = {},
): Promise<ScriptedServer> {
  const readTimeoutMs = options.readTimeoutMs ?? 2000;
  let socket: net.Socket | undefined;
  let scriptFailedAt: number | undefined;
  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {}); // observed through run()
  let connected = false;

  const server = net.createServer((sock) => {
    if (connected) {
      sock.destroy(); // one session per script
      return;
    }
    connected = true;
    socket = sock;
    sock.setNoDelay(true);
    const peer = makePeer(sock, transcript, readTimeoutMs);
    script(peer).then(
      () => {
        peer.flushUnread();
        resolveDone();
      },
      (error: unknown) => {
        scriptFailedAt = performance.now();
        peer.flushUnread();
        sock.destroy();
        rejectDone(error);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    async run<T>(client: () => Promise<T>): Promise<T> {
      let clientFailedAt: number | undefined;
      const result = client().catch((error: unknown) => {
        clientFailedAt = performance.now();
        // The client gave up: end the session so the script does not wait for lines that will never come.
        if (scriptFailedAt === undefined) socket?.destroy();
        throw error;
      });
      const [c] = await Promise.allSettled([result]);
      if (connected) {
        const s = await Promise.allSettled([done]);
        const scriptFirst = scriptFailedAt !== undefined && (clientFailedAt === undefined || scriptFailedAt <= clientFailedAt);
        if (s[0].status === 'rejected' && scriptFirst) throw s[0].reason;
      }
      if (c.status === 'rejected') throw c.reason;
      if (!connected) throw new ScriptError('the client never connected');
      return c.value;
    },
    async close(): Promise<void> {
      socket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The script's view of the one connection: a byte buffer and the transcript. */
function makePeer(sock: net.Socket, transcript: Transcript, readTimeoutMs: number): ScriptedPeer & { flushUnread(): void } {
  let buffered = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | undefined;
  sock.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  });
  sock.on('end', () => {
    ended = true;
    wake?.();
  });
  sock.on('close', () => {
    ended = true;
    wake?.();
  });
  sock.on('error', () => {});

  /** Waits until `take` finds what it wants in the buffer, the client closes, or the limit runs out. */
  async function waitFor<T>(take: () => T | undefined, what: string): Promise<T> {
    const deadline = performance.now() + readTimeoutMs;
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      if (ended) {
        flushUnread();
        transcript.expect(`expected ${what}, but the client closed the connection`);
        throw new ScriptError(`expected ${what}, but the client closed the connection`);
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        flushUnread();
        transcript.expect(`expected ${what} within ${readTimeoutMs} ms`);
        throw new ScriptError(`expected ${what}, but the client sent nothing for ${readTimeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  function consume(n: number): Buffer {
    const taken = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    transcript.record('client', taken);
    return Buffer.from(taken);
  }

  function flushUnread(): void {
    if (buffered.length > 0) consume(buffered.length);
  }

  function write(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (sock.destroyed) return resolve();
      sock.write(bytes, () => resolve());
    });
  }

  const peer = {
    flushUnread,
    async send(bytes: string | Buffer): Promise<void> {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
      transcript.record('server', buf);
      await write(buf);
    },
    async reply(code: number, ...lines: string[]): Promise<void> {
      const all = lines.length === 0 ? [''] : lines;
      const text = all.map((line, i) => `${code}${i === all.length - 1 ? ' ' : '-'}${line}`.trimEnd() + '\r\n').join('');
      await peer.send(text);
    },
    async sendInPieces(bytes: string | Buffer, pieceBytes: number, pauseMs = 5): Promise<void> {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
      transcript.record('server', buf);
      for (let i = 0; i < buf.length; i += pieceBytes) {
        await write(buf.subarray(i, i + pieceBytes));
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    },
    async readLine(what = 'a command line'): Promise<string> {
      const line = await waitFor(() => {
        const lf = buffered.indexOf(0x0a);
        return lf === -1 ? undefined : consume(lf + 1);
      }, what);
      return line.toString('latin1');
    },
    async expectLine(expected: string | RegExp, what?: string): Promise<string> {
      const wanted = what ?? (typeof expected === 'string' ? show(expected) : String(expected));
      const line = await peer.readLine(wanted);
      const ok = typeof expected === 'string' ? line === expected : expected.test(line);
      if (!ok) peer.fail(wanted, line);
      return line;
    },
    async readData(): Promise<Buffer> {
      return waitFor(() => {
        // The terminator is ".\r\n" at the very start or right after a CRLF.
        if (buffered.subarray(0, 3).equals(Buffer.from('.\r\n'))) return consume(3);
        const at = buffered.indexOf('\r\n.\r\n');
        return at === -1 ? undefined : consume(at + 5);
      }, 'the message data ending with CRLF.CRLF');
    },
    async expectClose(what = 'the client to close the connection'): Promise<void> {
      await waitFor(() => {
        if (buffered.length > 0) {
          const extra = consume(buffered.length).toString('latin1');
          transcript.expect(`expected ${what}, not more bytes`);
          throw new ScriptError(`expected ${what}, but it sent ${show(extra)}`);
        }
        return ended ? true : undefined;
      }, what);
    },
    async expectSilence(ms: number, why: string): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (buffered.length > 0) {
        const early = consume(buffered.length).toString('latin1');
        transcript.expect(`expected nothing yet: ${why}`);
        throw new ScriptError(`the client sent ${show(early)} too early: ${why}`);
      }
    },
    fail(what: string, got: string): never {
      transcript.expect(`expected ${what}`, 'client');
      throw new ScriptError(`expected the client to send ${what}, got ${show(got)}`);
    },
    hangUp(): void {
      sock.end();
    },
  };
  return peer;
}
