/**
 * Exercise 03: a line server for many clients and a pipelining client. The
 * server is judged by the tests' own connections, directly and through the
 * library's chunk-splitting proxy (down to one byte per write, and writes
 * joined together); the client by the tests' own line server.
 */
import { describe, expect } from 'vitest';
import { replyTo } from '@impl/03-tcp-lines/line-protocol.ts';
import { startLineServer } from '@impl/03-tcp-lines/line-server.ts';
import { sendLines } from '@impl/03-tcp-lines/line-client.ts';
import { connectTcp, TimeoutError, type Connection, type Transcript } from '../lib/index.ts';
import { startTcpChunkProxy } from '../lib/faults/index.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { judgeReply, startLinesJudge } from './helpers/tcp-lines-judge.ts';

const test = graded('03-tcp-lines', {
  'replyTo upper-cases an ordinary line after OK': 1,
  'replyTo answers QUIT with BYE and an empty line with an error': 1,
  'upper-cases each line and keeps the connection open': 2,
  'QUIT says BYE and closes the connection': 1,
  'an empty line gets an error and the connection keeps working': 1,
  'an overlong line gets an error and the connection keeps working': 2,
  'answers pipelined lines in one write, in order': 2,
  'accepts a bare LF as a line end': 1,
  'frames lines that arrive one byte at a time': 2,
  'frames lines that arrive joined together': 1,
  'serves 20 clients at once': 2,
  'a client that disconnects mid-line does not disturb the others': 2,
  'sendLines returns one reply per line, in order': 2,
  'sendLines pipelines: every line goes out before the first reply': 1,
  'sendLines stops at BYE': 1,
  'sendLines throws TimeoutError when the server is silent': 1,
});

/** Everything a test opened, closed after it whatever happened. */
const track = closeAfterEach();

/** Connects the test (as the client) to `where`, recording into `transcript`. */
async function connect(where: { host: string; port: number }, transcript?: Transcript): Promise<Connection> {
  const conn = await connectTcp({ host: where.host, port: where.port, timeoutMs: 2000, readTimeoutMs: 2000, transcript, role: 'client' });
  track({ close: () => conn.destroy() });
  return conn;
}

/** Reads one reply and checks it, marking the transcript where it differs. */
async function expectReply(conn: Connection, want: string, transcript: Transcript | undefined, after = ''): Promise<void> {
  let got: string | null;
  try {
    got = await conn.readLine();
  } catch (error) {
    transcript?.expect(`expected "${want}"${after}, got nothing within 2 s`);
    throw error;
  }
  if (got !== want) transcript?.expect(`expected "${want}"${after}`, 'server');
  expect(got).toBe(want);
}

/** Expects the server to close the connection (end of stream) within 2 s. */
async function expectClosed(conn: Connection, transcript: Transcript, why: string): Promise<void> {
  const got = await conn.readLine().catch((error: unknown) => (error instanceof TimeoutError ? 'still open after 2 s' : null));
  if (got !== null) transcript.expect(`expected the server to close the connection ${why}`);
  expect(got, `the server should close the connection ${why}`).toBeNull();
}

describe('step 1: the protocol rules', () => {
  test('replyTo upper-cases an ordinary line after OK', () => {
    expect(replyTo('hello')).toEqual({ text: 'OK HELLO', close: false });
    expect(replyTo('Hello, World 42!')).toEqual({ text: 'OK HELLO, WORLD 42!', close: false });
    expect(replyTo('err x')).toEqual({ text: 'OK ERR X', close: false });
    expect(replyTo(' quit')).toEqual({ text: 'OK  QUIT', close: false });
    expect(replyTo('quitting')).toEqual({ text: 'OK QUITTING', close: false });
    expect(replyTo('café')).toEqual({ text: 'OK CAFÉ', close: false });
  });

  test('replyTo answers QUIT with BYE and an empty line with an error', () => {
    for (const quit of ['QUIT', 'quit', 'QuIt']) expect(replyTo(quit)).toEqual({ text: 'BYE', close: true });
    expect(replyTo('')).toEqual({ text: 'ERR empty line', close: false });
  });
});

describe('step 2: the server', () => {
  test('upper-cases each line and keeps the connection open', async ({ transcript }) => {
    const server = track(await startLineServer({ port: 0 }));
    const conn = await connect(server, transcript);
    for (const line of ['hello', 'second line', 'Mixed Case 123']) {
      await conn.writeLine(line);
      await expectReply(conn, `OK ${line.toUpperCase()}`, transcript);
    }
  });

  test('QUIT says BYE and closes the connection', async ({ transcript }) => {
    const server = track(await startLineServer());
    const conn = await connect(server, transcript);
    await conn.writeLine('hi');
    await expectReply(conn, 'OK HI', transcript);
    await conn.writeLine('quit');
    await expectReply(conn, 'BYE', transcript, ' after QUIT');
    await expectClosed(conn, transcript, 'after BYE');
  });

  test('an empty line gets an error and the connection keeps working', async ({ transcript }) => {
    const server = track(await startLineServer());
    const conn = await connect(server, transcript);
    await conn.writeLine('');
    await expectReply(conn, 'ERR empty line', transcript);
    await conn.writeLine('still here');
    await expectReply(conn, 'OK STILL HERE', transcript, ' (the connection must survive an empty line)');
  });

  test('an overlong line gets an error and the connection keeps working', async ({ transcript }) => {
    const server = track(await startLineServer());
    const conn = await connect(server, transcript);
    await conn.writeLine('x'.repeat(1024)); // exactly the limit: fine
    await expectReply(conn, `OK ${'X'.repeat(1024)}`, transcript, ' (1024 bytes is within the limit)');
    await conn.writeLine('y'.repeat(1025));
    await expectReply(conn, 'ERR line too long (max 1024 bytes)', transcript, ' for a 1025-byte line');
    await conn.writeLine('z'.repeat(20_000));
    await expectReply(conn, 'ERR line too long (max 1024 bytes)', transcript, ' for a 20000-byte line');
    await conn.writeLine('after');
    await expectReply(conn, 'OK AFTER', transcript, ' (the rest of the long line is skipped; the next line is answered)');
  });

  test('answers pipelined lines in one write, in order', async ({ transcript }) => {
    const server = track(await startLineServer());
    const conn = await connect(server, transcript);
    const lines = ['one', 'two', '', 'three', 'four', 'five', 'six', 'seven', 'eight', 'QUIT', 'never answered'];
    await conn.write(lines.map((l) => `${l}\r\n`).join(''));
    for (const line of lines.slice(0, 10)) await expectReply(conn, judgeReply(line).text, transcript);
    await expectClosed(conn, transcript, 'after BYE, ignoring what came after QUIT');
  });

  test('accepts a bare LF as a line end', async ({ transcript }) => {
    const server = track(await startLineServer());
    const conn = await connect(server, transcript);
    await conn.write('from nc\nwithout -C\n');
    await expectReply(conn, 'OK FROM NC', transcript);
    await expectReply(conn, 'OK WITHOUT -C', transcript);
  });
});

describe('step 3: framing under the chunk proxy, many clients', () => {
  test('frames lines that arrive one byte at a time', async ({ transcript }) => {
    const server = track(await startLineServer());
    const proxy = track(await startTcpChunkProxy({ target: server, seed: 'lines-1', maxChunk: 1 }));
    const conn = await connect(proxy, transcript);
    // Multi-byte UTF-8 characters are split between their bytes too.
    const lines = ['grüße aus köln', 'naïve café ✓', 'a', 'the last line'];
    await conn.write(lines.map((l) => `${l}\r\n`).join(''));
    for (const line of lines) await expectReply(conn, `OK ${line.toUpperCase()}`, transcript);
    await conn.writeLine('QUIT');
    await expectReply(conn, 'BYE', transcript);
    expect(proxy.stats.toServer.writes).toBeGreaterThanOrEqual(proxy.stats.toServer.bytes);
  });

  test('frames lines that arrive joined together', async ({ transcript }) => {
    const server = track(await startLineServer());
    // The proxy gathers what arrives within 30 ms into one write, then cuts it anywhere (up to 7 bytes).
    const proxy = track(await startTcpChunkProxy({ target: server, seed: 'lines-2', coalesceMs: 30, toServer: { maxChunk: 7 } }));
    const conn = await connect(proxy, transcript);
    const lines = Array.from({ length: 12 }, (_, i) => `line number ${i}`);
    for (const line of lines) await conn.writeLine(line); // twelve small writes, no waiting for replies
    for (const line of lines) await expectReply(conn, `OK ${line.toUpperCase()}`, transcript);
  });

  test('serves 20 clients at once', async ({ transcript }) => {
    const server = track(await startLineServer());
    const proxy = track(await startTcpChunkProxy({ target: server, seed: 'lines-20', maxChunk: 3 }));
    // Everyone connects first; then all talk at the same time, each line waiting for its reply.
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(proxy, i === 0 ? transcript : undefined)));
    await Promise.all(
      clients.map(async (conn, i) => {
        for (let k = 0; k < 4; k++) {
          const line = `client ${i} says ${k}`;
          await conn.writeLine(line);
          await expectReply(conn, `OK ${line.toUpperCase()}`, i === 0 ? transcript : undefined);
        }
        await conn.writeLine('QUIT');
        await expectReply(conn, 'BYE', i === 0 ? transcript : undefined);
      }),
    );
  });

  test('a client that disconnects mid-line does not disturb the others', async ({ transcript }) => {
    const server = track(await startLineServer());
    const steady = await connect(server, transcript);
    await steady.writeLine('before');
    await expectReply(steady, 'OK BEFORE', transcript);
    // Two clients vanish halfway through a line: one closes cleanly, one resets.
    const quitter = await connect(server);
    await quitter.write('half a li');
    await quitter.end();
    const crasher = await connect(server);
    await crasher.write('another half');
    crasher.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await steady.writeLine('after');
    await expectReply(steady, 'OK AFTER', transcript, ' (another client disconnecting mid-line must not disturb this one)');
    const newcomer = await connect(server);
    await newcomer.writeLine('new here');
    await expectReply(newcomer, 'OK NEW HERE', transcript);
    await steady.writeLine('QUIT');
    await expectReply(steady, 'BYE', transcript);
  });
});

describe('step 4: the client', () => {
  test('sendLines returns one reply per line, in order', async ({ transcript }) => {
    const judge = track(await startLinesJudge({ kind: 'prompt' }));
    const proxy = track(await startTcpChunkProxy({ target: judge, seed: 'client-1', maxChunk: 1, transcript }));
    const lines = ['hello', 'wörld', '', 'pipelined', 'the end'];
    const replies = await sendLines(lines, { host: proxy.host, port: proxy.port, timeoutMs: 2000 });
    const want = lines.map((l) => judgeReply(l).text);
    if (JSON.stringify(replies) !== JSON.stringify(want)) transcript.expect(`expected sendLines to return ${JSON.stringify(want)}, got ${JSON.stringify(replies)}`);
    expect(replies).toEqual(want);
    expect(judge.received[0]).toEqual(lines);
  });

  test('sendLines pipelines: every line goes out before the first reply', async ({ transcript }) => {
    // The judge answers only once all 6 lines are in (or after 1.5 s), then sends every reply in one write.
    const judge = track(await startLinesJudge({ kind: 'batch', lines: 6, waitMs: 1500 }, transcript));
    const lines = ['a', 'b', 'c', 'd', 'e', 'f'];
    const replies = await sendLines(lines, { port: judge.port, timeoutMs: 3000 });
    if (judge.batchComplete[0] !== true) transcript.expect('expected all 6 lines before the first reply (pipelining)');
    expect(judge.batchComplete[0]).toBe(true);
    expect(replies).toEqual(lines.map((l) => `OK ${l.toUpperCase()}`));
  });

  test('sendLines stops at BYE', async ({ transcript }) => {
    const judge = track(await startLinesJudge({ kind: 'prompt' }, transcript));
    const started = performance.now();
    const replies = await sendLines(['a', 'QUIT', 'b'], { host: judge.host, port: judge.port, timeoutMs: 3000 });
    expect(replies).toEqual(['OK A', 'BYE']);
    // It stopped because of BYE, not because it waited for a third reply until the timeout.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('sendLines throws TimeoutError when the server is silent', async ({ transcript }) => {
    const judge = track(await startLinesJudge({ kind: 'silent' }, transcript));
    const started = performance.now();
    const error = await sendLines(['anyone?'], { host: judge.host, port: judge.port, timeoutMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof TimeoutError)) transcript.expect('expected TimeoutError: the server never answers');
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
