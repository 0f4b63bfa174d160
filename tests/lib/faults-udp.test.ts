import dgram from 'node:dgram';
import { afterEach, describe, expect, test } from 'vitest';
import { startUdpFaultProxy, type UdpFaultProxyOptions } from '../../lib/faults/udp-proxy.ts';
import { Transcript } from '../../lib/transcript/transcript.ts';
import { renderTranscript } from '../../lib/transcript/render.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** Binds a raw UDP socket on loopback that remembers every datagram it gets. */
async function socket(onMessage?: (s: dgram.Socket, data: Buffer, rinfo: dgram.RemoteInfo) => void) {
  const s = dgram.createSocket('udp4');
  const received: string[] = [];
  s.on('message', (data, rinfo) => {
    received.push(data.toString());
    onMessage?.(s, data, rinfo);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => s.close(() => resolve())));
  return { s, port: s.address().port, received, send: (text: string, port: number) => s.send(text, port, '127.0.0.1') };
}

/** An echo server and a client talking to it through a fault proxy. */
async function setup(faults: Omit<UdpFaultProxyOptions, 'target'> = {}) {
  const server = await socket((s, data, rinfo) => s.send(data, rinfo.port, rinfo.address));
  const proxy = await startUdpFaultProxy({ target: { host: '127.0.0.1', port: server.port }, ...faults });
  cleanup.push(() => proxy.close());
  const client = await socket();
  return { server, proxy, client, send: (text: string) => client.send(text, proxy.port) };
}

/** Waits (bounded) until `condition` holds. */
async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `n` numbered datagrams a little apart (so loopback keeps them in order). */
async function sendNumbered(send: (text: string) => void, n: number) {
  for (let i = 0; i < n; i++) {
    send(String(i));
    await pause(3);
  }
}

describe('UDP fault proxy', () => {
  test('without faults it forwards both ways, one upstream peer per client', { timeout: 5000 }, async () => {
    const { server, proxy, client, send } = await setup();
    const other = await socket();
    send('hello');
    other.send('world', proxy.port);
    await until(() => client.received.length === 1 && other.received.length === 1);
    expect(client.received).toEqual(['hello']);
    expect(other.received).toEqual(['world']);
    expect(server.received.sort()).toEqual(['hello', 'world']);
    expect(proxy.stats).toEqual({ forwarded: 4, dropped: 0, duplicated: 0, reordered: 0, delayed: 0 });
    expect(proxy.statsByDirection.toServer.forwarded).toBe(2);
  });

  test('a schedule drops exactly the datagrams named', { timeout: 5000 }, async () => {
    const { server, proxy, client, send } = await setup({ toServer: { dropIndices: [1, 4] } });
    await sendNumbered(send, 6);
    await until(() => client.received.length === 4);
    await pause(30);
    expect(server.received).toEqual(['0', '2', '3', '5']);
    expect(client.received).toEqual(['0', '2', '3', '5']);
    expect(proxy.statsByDirection.toServer.dropped).toBe(2);
    expect(proxy.statsByDirection.toClient.dropped).toBe(0);
  });

  test('random drops are the same for the same seed', { timeout: 5000 }, async () => {
    const run = async (seed: number) => {
      const { server, proxy, send } = await setup({ seed, drop: 0.5 });
      await sendNumbered(send, 20);
      await until(() => proxy.stats.forwarded + proxy.stats.dropped >= 20);
      await pause(20);
      await proxy.close();
      return server.received.join(',');
    };
    const first = await run(11);
    expect(await run(11)).toBe(first);
    const count = first.split(',').length;
    expect(count).toBeGreaterThan(2);
    expect(count).toBeLessThan(18);
  });

  test('duplicates arrive twice', { timeout: 5000 }, async () => {
    const { server, proxy, client, send } = await setup({ toServer: { duplicateIndices: [0] } });
    send('twice');
    await until(() => client.received.length === 2);
    expect(server.received).toEqual(['twice', 'twice']);
    expect(proxy.stats.duplicated).toBe(1);
  });

  test('a reordered datagram arrives after the next one', { timeout: 5000 }, async () => {
    const { server, proxy, client, send } = await setup({ toServer: { reorderIndices: [1] } });
    await sendNumbered(send, 4);
    await until(() => client.received.length === 4);
    expect(server.received).toEqual(['0', '2', '1', '3']);
    expect(proxy.stats.reordered).toBe(1);
  });

  test('a held datagram with no successor is sent after holdMs', { timeout: 5000 }, async () => {
    const { client, send } = await setup({ toServer: { reorderIndices: [0] }, holdMs: 60 });
    const started = performance.now();
    send('late');
    await until(() => client.received.length === 1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });

  test('delays hold datagrams for the time drawn', { timeout: 5000 }, async () => {
    const { proxy, client, send } = await setup({ toServer: { delayMs: [80, 100] } });
    const started = performance.now();
    send('slow');
    await until(() => client.received.length === 1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(proxy.statsByDirection.toServer.delayed).toBe(1);
    expect(proxy.statsByDirection.toClient.delayed).toBe(0);
  });

  test('close cancels pending deliveries and frees the port', { timeout: 5000 }, async () => {
    const { server, proxy, send } = await setup({ delayMs: 5000 });
    send('never');
    await until(() => proxy.stats.delayed === 1);
    const started = performance.now();
    await proxy.close();
    expect(performance.now() - started).toBeLessThan(500);
    await pause(30);
    expect(server.received).toEqual([]);
    await proxy.close(); // twice is harmless
  });

  test('a transcript shows each datagram and what the proxy did to it', { timeout: 5000 }, async () => {
    const transcript = new Transcript();
    const { client, send } = await setup({ transcript, toServer: { dropIndices: [1] } });
    send('0');
    await until(() => client.received.length === 1);
    send('1'); // dropped: no reply to wait for
    await until(() => transcript.entries.length === 3);
    send('2');
    await until(() => client.received.length === 2);
    expect(renderTranscript(transcript).split('\n')).toEqual([
      '  C: 0', '  S: 0', '  C: 1  [dropped]', '  C: 2', '  S: 2',
    ]);
  });
});

test('settings are checked when the proxy starts', { timeout: 5000 }, async () => {
  await expect(startUdpFaultProxy({ target: { host: '127.0.0.1', port: 9 }, drop: 2 })).rejects.toThrow(RangeError);
});
