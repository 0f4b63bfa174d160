/**
 * Exercise 01: a UDP echo server and a client that waits for its echo with a
 * bounded timeout and retries. The server is judged by the tests' own
 * sockets; the client by the tests' own echo server, by silence, and by the
 * library's seeded loss proxy.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect } from 'vitest';
import { startEchoServer } from '@impl/01-udp-echo/echo-server.ts';
import { echo } from '@impl/01-udp-echo/echo-client.ts';
import { bindUdp, TimeoutError, type Transcript } from '../lib/index.ts';
import { startUdpFaultProxy } from '../lib/faults/index.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { echoBack, hasIPv6Loopback, silent, sleep, startUdpResponder } from './helpers/udp-responder.ts';

const test = graded('01-udp-echo', {
  'echoes a datagram back to its sender': 2,
  'echoes empty, binary and large datagrams unchanged': 2,
  'answers several senders, each with its own datagrams': 1,
  'keeps serving after a sender went away': 1,
  'serves IPv6 on ::1': 1,
  'echo() talks to an IPv6 server': 1,
  'close() frees the port': 1,
  'echo() resolves with the echo': 2,
  'echo() sends again when the first datagram is lost': 2,
  'echo() ignores a datagram from a stranger': 1,
  'echo() throws TimeoutError after retries + 1 tries when nobody answers': 2,
  'echo() gets every echo through a seeded lossy link': 2,
  'echo() reports the timeout within the bound when the link loses everything': 2,
  'your client and your server together through a lossy link': 1,
});

/** Everything a test opened, closed after it whatever happened. */
const track = closeAfterEach();

/** Sends `payload` from a fresh test socket to the server and waits for the reply, recording both. */
async function roundTrip(server: { host: string; port: number }, payload: Buffer | string, transcript: Transcript, bindHost = '127.0.0.1') {
  const sock = track(await bindUdp({ host: bindHost, transcript, role: 'client' }));
  await sock.send(payload, server);
  try {
    return await sock.receive({ from: server, timeoutMs: 1000 });
  } catch (error) {
    transcript.expect('expected the echo of this datagram within 1 s');
    throw error;
  }
}

/** Asserts the echo is byte for byte what was sent, marking the transcript if not. */
function expectSameBytes(got: Buffer, sent: Buffer | string, transcript: Transcript): void {
  const want = Buffer.from(sent);
  if (!got.equals(want)) transcript.expect(`expected the same ${want.length} bytes back, got ${got.length} different bytes`);
  expect(got.equals(want), `echo differs: sent ${want.length} bytes, got ${got.length}`).toBe(true);
}

describe('step 1: the echo server', () => {
  test('echoes a datagram back to its sender', async ({ transcript }) => {
    const server = track(await startEchoServer({ port: 0 }));
    expect(server.port).toBeGreaterThan(0);
    const reply = await roundTrip(server, 'hello, echo', transcript);
    expectSameBytes(reply.data, 'hello, echo', transcript);
  });

  test('echoes empty, binary and large datagrams unchanged', async ({ transcript }) => {
    const server = track(await startEchoServer());
    const payloads = [Buffer.alloc(0), Buffer.from([0, 255, 13, 10, 0, 128]), randomBytes(1400), Buffer.from('héllo wörld ✓')];
    for (const payload of payloads) {
      const reply = await roundTrip(server, payload, transcript);
      expectSameBytes(reply.data, payload, transcript);
    }
  });

  test('answers several senders, each with its own datagrams', async ({ transcript }) => {
    const server = track(await startEchoServer());
    const clients = await Promise.all([1, 2, 3].map(() => bindUdp({ transcript }).then(track)));
    // All send before anyone reads: the server must answer each at its own address.
    for (const [i, sock] of clients.entries()) {
      for (let k = 0; k < 3; k++) await sock.send(`client ${i} message ${k}`, server);
    }
    for (const [i, sock] of clients.entries()) {
      const got: string[] = [];
      for (let k = 0; k < 3; k++) {
        const d = await sock.receive({ timeoutMs: 1000 }).catch((error: unknown) => {
          transcript.expect(`expected 3 echoes for client ${i}, got ${got.length}`);
          throw error;
        });
        got.push(d.data.toString());
      }
      expect(got.sort()).toEqual([0, 1, 2].map((k) => `client ${i} message ${k}`));
    }
  });

  test('keeps serving after a sender went away', async ({ transcript }) => {
    const server = track(await startEchoServer());
    // A sender that closes before its echo arrives: the echo goes nowhere.
    const gone = await bindUdp();
    await gone.send('nobody will read this', server);
    await gone.close();
    await sleep(50);
    const reply = await roundTrip(server, 'still there?', transcript);
    expectSameBytes(reply.data, 'still there?', transcript);
  });

  test('serves IPv6 on ::1', async ({ transcript }) => {
    let server;
    try {
      server = track(await startEchoServer({ host: '::1', port: 0 }));
    } catch (error) {
      // A machine without IPv6 cannot do this; that is not the student's fault.
      if (!(await hasIPv6Loopback())) return;
      throw error;
    }
    expect(server.host).toBe('::1');
    const reply = await roundTrip(server, 'hello over IPv6', transcript, '::1');
    expectSameBytes(reply.data, 'hello over IPv6', transcript);
  });

  test('close() frees the port', async ({ transcript }) => {
    const server = await startEchoServer();
    const reply = await roundTrip(server, 'before close', transcript);
    expectSameBytes(reply.data, 'before close', transcript);
    await server.close();
    // The port can be bound again only if the server's socket is really closed.
    const again = track(await bindUdp({ port: server.port }));
    expect(again.port).toBe(server.port);
  });
});

describe('step 2: the echo client', () => {
  test('echo() resolves with the echo', async ({ transcript }) => {
    const judge = track(await startUdpResponder({ respond: echoBack, transcript }));
    const reply = await echo('ping me', { host: judge.host, port: judge.port, timeoutMs: 1000, retries: 0 });
    expect(Buffer.isBuffer(reply)).toBe(true);
    expect(reply.toString()).toBe('ping me');
    const bytes = Buffer.from([1, 2, 3, 0, 255]);
    expect((await echo(bytes, { host: judge.host, port: judge.port, timeoutMs: 1000, retries: 0 })).equals(bytes)).toBe(true);
  });

  test('echo() sends again when the first datagram is lost', async ({ transcript }) => {
    // The judge ignores the first datagram, as if the network had lost it.
    const judge = track(
      await startUdpResponder({ transcript, respond: (d, index, sock) => (index === 0 ? undefined : echoBack(d, index, sock)) }),
    );
    const reply = await echo('second time lucky', { host: judge.host, port: judge.port, timeoutMs: 150, retries: 2 }).catch((error: unknown) => {
      transcript.expect('expected the client to send again after 150 ms without an echo');
      throw error;
    });
    expect(reply.toString()).toBe('second time lucky');
    expect(judge.received.length).toBe(2);
  });

  test('echo() ignores a datagram from a stranger', async ({ transcript }) => {
    // When the message arrives, a stranger writes to the client first; the real echo follows 100 ms later.
    const stranger = track(await bindUdp());
    const judge = track(
      await startUdpResponder({
        transcript,
        respond: async (d, _index, sock) => {
          await stranger.send('I am not the echo', { host: d.host, port: d.port });
          judge.later(100, () => void sock.send(d.data, { host: d.host, port: d.port }).catch(() => {}));
        },
      }),
    );
    const reply = await echo('the real one', { host: judge.host, port: judge.port, timeoutMs: 1000, retries: 0 });
    if (reply.toString() !== 'the real one') transcript.expect(`expected the echo from the server, got "${reply.toString()}" (from a stranger)`);
    expect(reply.toString()).toBe('the real one');
  });

  test('echo() talks to an IPv6 server', async ({ transcript }) => {
    if (!(await hasIPv6Loopback())) {
      // No IPv6 on this machine: grade the same call over IPv4 instead, so the test still means something.
      const judge = track(await startUdpResponder({ respond: echoBack, transcript }));
      expect((await echo('v4 fallback', { host: judge.host, port: judge.port, timeoutMs: 1000, retries: 0 })).toString()).toBe('v4 fallback');
      return;
    }
    const judge = track(await startUdpResponder({ host: '::1', respond: echoBack, transcript }));
    const reply = await echo('hello, ::1', { host: '::1', port: judge.port, timeoutMs: 1000, retries: 1 }).catch((error: unknown) => {
      transcript.expect('expected the client to reach [::1] (an IPv6 server needs an IPv6 socket)');
      throw error;
    });
    expect(reply.toString()).toBe('hello, ::1');
  });

  test('echo() throws TimeoutError after retries + 1 tries when nobody answers', async ({ transcript }) => {
    const judge = track(await startUdpResponder({ respond: silent, transcript }));
    const started = performance.now();
    const error = await echo('anyone?', { host: judge.host, port: judge.port, timeoutMs: 100, retries: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    if (!(error instanceof TimeoutError)) transcript.expect('expected TimeoutError: nobody ever answers');
    expect(error).toBeInstanceOf(TimeoutError);
    if (judge.received.length !== 3) transcript.expect(`expected 3 tries (1 + 2 retries), got ${judge.received.length}`);
    expect(judge.received.length).toBe(3);
    // Three tries of 100 ms each: it must really wait, and must not wait much longer.
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('step 3: through the loss proxy', () => {
  test('echo() gets every echo through a seeded lossy link', async ({ transcript }) => {
    const server = track(await startUdpResponder({ respond: echoBack }));
    // 40 % loss each way: most messages need several tries; same seed, same losses.
    const proxy = track(await startUdpFaultProxy({ target: server, seed: 'udp-echo', drop: 0.4, transcript }));
    for (let i = 0; i < 6; i++) {
      const message = `message ${i}`;
      const reply = await echo(message, { host: proxy.host, port: proxy.port, timeoutMs: 60, retries: 12 }).catch((error: unknown) => {
        transcript.expect(`expected "${message}" to get through with 12 retries`);
        throw error;
      });
      expect(reply.toString()).toBe(message);
    }
    // The link really was lossy, so the retries were needed.
    expect(proxy.stats.dropped).toBeGreaterThan(0);
  });

  test('echo() reports the timeout within the bound when the link loses everything', async ({ transcript }) => {
    const server = track(await startUdpResponder({ respond: echoBack }));
    const proxy = track(await startUdpFaultProxy({ target: server, seed: 1, drop: 1, transcript }));
    const started = performance.now();
    const error = await echo('into the void', { host: proxy.host, port: proxy.port, timeoutMs: 80, retries: 3 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    if (!(error instanceof TimeoutError)) transcript.expect('expected TimeoutError: every datagram is lost');
    expect(error).toBeInstanceOf(TimeoutError);
    expect(proxy.statsByDirection.toServer.dropped).toBe(4); // 1 try + 3 retries
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(4 * 80 + 1500);
  });

  test('your client and your server together through a lossy link', async ({ transcript }) => {
    const server = track(await startEchoServer());
    // Exactly these datagrams are lost: the 1st and 3rd to the server, the 1st back.
    const proxy = track(
      await startUdpFaultProxy({ target: server, seed: 3, toServer: { dropIndices: [0, 2] }, toClient: { dropIndices: [0] }, transcript }),
    );
    const reply = await echo('through the storm', { host: proxy.host, port: proxy.port, timeoutMs: 100, retries: 5 }).catch((error: unknown) => {
      transcript.expect('expected the 4th try to get its echo');
      throw error;
    });
    expect(reply.toString()).toBe('through the storm');
    // At least 4 tries were needed (a slow machine may have sent a 5th before the echo of the 4th came).
    expect(proxy.statsByDirection.toServer.forwarded + proxy.statsByDirection.toServer.dropped).toBeGreaterThanOrEqual(4);
  });
});
