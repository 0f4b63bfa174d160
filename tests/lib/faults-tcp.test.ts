import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startTcpChunkProxy, type TcpChunkProxyOptions } from '../../lib/faults/tcp-proxy.ts';
import { Transcript } from '../../lib/transcript/transcript.ts';
import { renderTranscript } from '../../lib/transcript/render.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** A raw TCP server that keeps, per connection, every chunk it read. */
async function server(onConnection: (socket: net.Socket, chunks: Buffer[]) => void = () => {}) {
  const connections: { socket: net.Socket; chunks: Buffer[]; ended: Promise<void> }[] = [];
  const srv = net.createServer({ allowHalfOpen: true }, (socket) => {
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    connections.push({ socket, chunks, ended });
    onConnection(socket, chunks);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    for (const c of connections) c.socket.destroy();
    return new Promise<void>((resolve) => srv.close(() => resolve()));
  });
  return { port: (srv.address() as net.AddressInfo).port, connections };
}

async function proxyTo(port: number, options: Omit<TcpChunkProxyOptions, 'target'> = {}) {
  const proxy = await startTcpChunkProxy({ target: { host: '127.0.0.1', port }, ...options });
  cleanup.push(() => proxy.close());
  return proxy;
}

/** Connects a raw client that keeps every chunk it read. */
async function client(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => socket.on('end', resolve));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  cleanup.push(() => void socket.destroy());
  return { socket, chunks, ended, closed };
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const total = (chunks: Buffer[]) => chunks.reduce((n, c) => n + c.length, 0);
const pattern = (n: number, salt = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + salt) % 256));

describe('TCP chunk proxy', () => {
  test('maxChunk 1 delivers the exact byte stream both ways, a byte at a time', { timeout: 8000 }, async () => {
    const target = await server((socket) => socket.on('data', (c) => socket.write(c))); // echo
    const proxy = await proxyTo(target.port, { seed: 1, maxChunk: 1 });
    const c = await client(proxy.port);
    const sent = pattern(2000);
    c.socket.write(sent);
    await until(() => total(c.chunks) === sent.length);
    const atServer = target.connections[0]!.chunks;
    expect(Buffer.concat(atServer)).toEqual(sent);
    expect(Buffer.concat(c.chunks)).toEqual(sent);
    expect(atServer.length).toBeGreaterThan(sent.length / 10); // really read in small pieces
    expect(proxy.stats.toServer).toEqual({ bytes: 2000, writes: 2000 });
    expect(proxy.stats.toClient.bytes).toBe(2000);
  });

  test('the same seed splits the same way', { timeout: 8000 }, async () => {
    const run = async (seed: number) => {
      const target = await server();
      const proxy = await proxyTo(target.port, { seed, maxChunk: 50 });
      const c = await client(proxy.port);
      c.socket.write(pattern(5000));
      await until(() => proxy.stats.toServer.bytes === 5000);
      const writes = proxy.stats.toServer.writes;
      await proxy.close();
      return writes;
    };
    const first = await run(3);
    expect(await run(3)).toBe(first);
    expect(first).toBeGreaterThan(5000 / 50);
  });

  test('coalescing joins writes that arrive close together', { timeout: 5000 }, async () => {
    const target = await server();
    const proxy = await proxyTo(target.port, { coalesceMs: 400 });
    const c = await client(proxy.port);
    for (const part of ['HE', 'LO a.', 'test\r\n']) {
      c.socket.write(part);
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => proxy.stats.toServer.bytes === 13);
    await new Promise((r) => setTimeout(r, 20));
    expect(target.connections[0]!.chunks.map(String)).toEqual(['HELO a.test\r\n']);
    expect(proxy.stats.toServer.writes).toBe(1);
  });

  test('settings can differ per direction', { timeout: 5000 }, async () => {
    const target = await server((socket) => socket.on('data', (c) => socket.write(c)));
    const proxy = await proxyTo(target.port, { seed: 5, toClient: { maxChunk: 2 } });
    const c = await client(proxy.port);
    c.socket.write(pattern(100));
    await until(() => total(c.chunks) === 100);
    expect(proxy.stats.toServer.writes).toBe(1);
    expect(proxy.stats.toClient.writes).toBeGreaterThanOrEqual(50);
    expect(Buffer.concat(c.chunks)).toEqual(pattern(100));
  });

  test('a half-close travels on after the data, and the reply still comes back', { timeout: 5000 }, async () => {
    const target = await server((socket, chunks) => {
      socket.on('end', () => socket.end(`got ${Buffer.concat(chunks).toString()}`));
    });
    const proxy = await proxyTo(target.port, { seed: 2, maxChunk: 3 });
    const c = await client(proxy.port);
    c.socket.end('hello, server');
    await c.ended;
    expect(Buffer.concat(c.chunks).toString()).toBe('got hello, server');
    await c.closed;
    await until(() => proxy.stats.open === 0);
  });

  test('a refused target closes the client', { timeout: 5000 }, async () => {
    const target = await server();
    const port = target.port;
    await cleanup.shift()!(); // stop the target: nothing listens on `port` now
    const proxy = await proxyTo(port);
    const c = await client(proxy.port);
    c.socket.write('anyone?');
    await c.ended; // the client was opened half-open: it sees the end, and may still write
    await until(() => proxy.stats.open === 0);
  });

  test('a transcript records what each side said', { timeout: 5000 }, async () => {
    const transcript = new Transcript();
    const target = await server((socket) => {
      socket.write('220 ready\r\n');
      socket.on('data', (c) => {
        if (c.includes('\n')) socket.write('250 OK\r\n'); // the line is complete
      });
    });
    const proxy = await proxyTo(target.port, { seed: 9, maxChunk: 2, transcript });
    const c = await client(proxy.port);
    await until(() => total(c.chunks) === 11);
    c.socket.write('HELO a.test\r\n');
    await until(() => total(c.chunks) === 19);
    expect(renderTranscript(transcript)).toBe(['  S: 220 ready', '  C: HELO a.test', '  S: 250 OK'].join('\n'));
  });

  test('close ends every open pair and waits for it', { timeout: 5000 }, async () => {
    const target = await server();
    const proxy = await proxyTo(target.port, { maxChunk: 1, gapMs: 1000 });
    const c = await client(proxy.port);
    c.socket.write('slow bytes'); // the proxy is still busy sending these
    await until(() => proxy.stats.toServer.writes === 1);
    const started = performance.now();
    await proxy.close();
    await c.ended;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(proxy.stats.open).toBe(0);
  });
});
