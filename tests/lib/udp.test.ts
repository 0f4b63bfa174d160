/**
 * The UDP layer: bounded waits, request/response with retries that never
 * swallows someone else's datagram, a bounded queue, IPv4 and IPv6.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, test } from 'vitest';
import { ConnectionClosedError, TimeoutError } from '../../lib/errors.ts';
import { Transcript } from '../../lib/transcript/transcript.ts';
import { bindUdp, type BindOptions, type UdpSocket } from '../../lib/udp/udp-socket.ts';

const opened: UdpSocket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function bind(options: BindOptions = {}): Promise<UdpSocket> {
  const sock = await bindUdp(options);
  opened.push(sock);
  return sock;
}

/** Answers `echo:<data>` to every datagram, except the first `ignore` ones; counts what it saw. */
async function echoServer(options: BindOptions & { ignore?: number } = {}): Promise<{ sock: UdpSocket; seen: () => number }> {
  const sock = await bind({ ...options, role: 'server' });
  let seen = 0;
  void (async () => {
    for await (const d of sock) {
      seen++;
      if (seen > (options.ignore ?? 0)) await sock.send(Buffer.concat([Buffer.from('echo:'), d.data]), d);
    }
  })();
  return { sock, seen: () => seen };
}

/** Checked once: does this machine have an IPv6 loopback address? */
const hasIPv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = dgram.createSocket('udp6');
  probe.once('error', () => {
    probe.close();
    resolve(false);
  });
  probe.bind({ address: '::1', port: 0 }, () => probe.close(() => resolve(true)));
});

describe('bindUdp, send and receive', () => {
  test('binds 127.0.0.1 on a port the OS picked', async () => {
    const sock = await bind();
    expect(sock.address).toBe('127.0.0.1');
    expect(sock.port).toBeGreaterThan(0);
    expect(sock.family).toBe('IPv4');
  });

  test('a datagram arrives whole, with its sender', async () => {
    const a = await bind();
    const b = await bind();
    await a.send('hello', { host: '127.0.0.1', port: b.port });
    const d = await b.receive({ timeoutMs: 2000 });
    expect(d.data.toString()).toBe('hello');
    expect(d).toMatchObject({ host: '127.0.0.1', port: a.port, family: 'IPv4' });
  });

  test('a port already in use is an error with code EADDRINUSE', async () => {
    const a = await bind();
    await expect(bindUdp({ port: a.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  test('receive gives up with TimeoutError', async () => {
    const sock = await bind();
    const error = await sock.receive({ timeoutMs: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ ms: 30 });
  });

  test('receive stops when its signal aborts', async () => {
    const sock = await bind();
    const controller = new AbortController();
    const waiting = sock.receive({ signal: controller.signal });
    controller.abort(new Error('enough'));
    await expect(waiting).rejects.toThrow('enough');
  });

  test('close() rejects a waiting receive with ConnectionClosedError', async () => {
    const sock = await bindUdp();
    const waiting = sock.receive({ timeoutMs: 2000 });
    await sock.close();
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('for await yields datagrams in order and ends when the socket closes', async () => {
    const sender = await bind();
    const sock = await bindUdp();
    const got: string[] = [];
    const reading = (async () => {
      for await (const d of sock) {
        got.push(d.data.toString());
        if (got.length === 3) await sock.close();
      }
    })();
    for (const word of ['one', 'two', 'three']) await sender.send(word, { host: '127.0.0.1', port: sock.port });
    await reading;
    expect(got).toEqual(['one', 'two', 'three']);
  });

  test('receive({ from }) takes only that peer; the others stay queued', async () => {
    const sock = await bind();
    const alice = await bind();
    const bob = await bind();
    const to = { host: '127.0.0.1', port: sock.port };
    await alice.send('from alice', to);
    await bob.send('from bob', to);
    const fromBob = await sock.receive({ from: { host: '127.0.0.1', port: bob.port }, timeoutMs: 2000 });
    expect(fromBob.data.toString()).toBe('from bob');
    expect((await sock.receive({ timeoutMs: 2000 })).data.toString()).toBe('from alice');
  });

  test('the queue is bounded: beyond queueLimit the oldest datagrams are dropped and counted', async () => {
    const sock = await bind({ queueLimit: 5 });
    const sender = await bind();
    for (let i = 0; i < 20; i++) await sender.send(String(i), { host: '127.0.0.1', port: sock.port });
    await expect.poll(() => sock.dropped, { timeout: 2000 }).toBe(15);
    const kept: string[] = [];
    for (let i = 0; i < 5; i++) kept.push((await sock.receive({ timeoutMs: 1000 })).data.toString());
    expect(kept).toEqual(['15', '16', '17', '18', '19']);
  });

  test('a transcript records what we send as our role and what we receive as the other side', async () => {
    const transcript = new Transcript();
    const { sock: server } = await echoServer();
    const client = await bind({ transcript });
    await client.request('ping', { host: '127.0.0.1', port: server.port }, { timeoutMs: 2000 });
    expect(transcript.entries.map((e) => `${e.direction}:${Buffer.from(e.bytes).toString()}`)).toEqual(['client:ping', 'server:echo:ping']);
  });
});

describe('request', () => {
  test('returns the reply from the peer it asked', async () => {
    const { sock: server } = await echoServer();
    const client = await bind();
    const reply = await client.request('hi', { host: '127.0.0.1', port: server.port }, { timeoutMs: 2000 });
    expect(reply.data.toString()).toBe('echo:hi');
    expect(reply.port).toBe(server.port);
  });

  test('resends after each timeout, then throws TimeoutError', async () => {
    const { sock: silent, seen } = await echoServer({ ignore: Infinity });
    const client = await bind();
    const started = performance.now();
    const error = await client.request('anyone?', { host: '127.0.0.1', port: silent.port }, { timeoutMs: 50, retries: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).waitingFor).toMatch(/sent 3 times/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await expect.poll(seen, { timeout: 1000 }).toBe(3);
  });

  test('a lost first try is saved by a retry', async () => {
    const { sock: server, seen } = await echoServer({ ignore: 1 });
    const client = await bind();
    const reply = await client.request('again', { host: '127.0.0.1', port: server.port }, { timeoutMs: 100, retries: 3 });
    expect(reply.data.toString()).toBe('echo:again');
    expect(seen()).toBe(2);
  });

  test('a datagram from an unexpected peer is not taken as the reply, and is not lost', async () => {
    const slow = await bind({ role: 'server' });
    const stranger = await bind();
    const client = await bind();
    const asking = client.request('question', { host: '127.0.0.1', port: slow.port }, { timeoutMs: 2000 });
    const question = await slow.receive({ timeoutMs: 2000 });
    await stranger.send('noise', { host: '127.0.0.1', port: client.port });
    await new Promise((resolve) => setTimeout(resolve, 30)); // let the noise arrive first
    await slow.send('answer', question);
    expect((await asking).data.toString()).toBe('answer');
    const noise = await client.receive({ timeoutMs: 1000 });
    expect(noise.data.toString()).toBe('noise');
    expect(noise.port).toBe(stranger.port);
  });

  test('match() rejects stale replies from the right peer; they stay queued', async () => {
    const server = await bind({ role: 'server' });
    const client = await bind();
    const asking = client.request(Buffer.from([2]), { host: '127.0.0.1', port: server.port }, { timeoutMs: 2000, match: (d) => d.data[0] === 2 });
    const question = await server.receive({ timeoutMs: 2000 });
    await server.send(Buffer.from([1]), question); // a late answer to an earlier request
    await server.send(Buffer.from([2]), question);
    expect([...(await asking).data]).toEqual([2]);
    expect([...(await client.receive({ timeoutMs: 1000 })).data]).toEqual([1]);
  });

  test('an aborted signal stops the request', async () => {
    const { sock: silent } = await echoServer({ ignore: Infinity });
    const client = await bind();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 30);
    await expect(client.request('x', { host: '127.0.0.1', port: silent.port }, { timeoutMs: 1000, retries: 5, signal: controller.signal })).rejects.toThrow('cancelled');
  });

  test('closing the socket ends a waiting request with ConnectionClosedError', async () => {
    const { sock: silent } = await echoServer({ ignore: Infinity });
    const client = await bindUdp();
    const asking = client.request('x', { host: '127.0.0.1', port: silent.port }, { timeoutMs: 2000, retries: 3 });
    setTimeout(() => void client.close(), 20);
    await expect(asking).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('a host name is resolved before comparing the reply address', async () => {
    const { sock: server } = await echoServer();
    const client = await bind();
    const reply = await client.request('by name', { host: 'localhost', port: server.port }, { timeoutMs: 2000 });
    expect(reply.data.toString()).toBe('echo:by name');
  });
});

describe.skipIf(!hasIPv6Loopback)(`IPv6 on ::1${hasIPv6Loopback ? '' : ' (skipped: this machine has no ::1 loopback address)'}`, () => {
  test('binds ::1 as an IPv6 socket', async () => {
    const sock = await bind({ host: '::1' });
    expect(sock.address).toBe('::1');
    expect(sock.family).toBe('IPv6');
  });

  test('request and reply between IPv6 sockets', async () => {
    const { sock: server } = await echoServer({ host: '::1' });
    const client = await bind({ host: '::1' });
    const reply = await client.request('six', { host: '::1', port: server.port }, { timeoutMs: 2000 });
    expect(reply.data.toString()).toBe('echo:six');
    expect(reply).toMatchObject({ host: '::1', port: server.port, family: 'IPv6' });
  });
});
