/**
 * Throttled connections over loopback, in real time. What must never happen
 * is a leak: more than `burst + rate · t` bytes by time t. That is asserted
 * at every arrival. Being slower than asked is only checked loosely (a busy
 * shared machine delays timers), and never as a time limit on our code.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { connectTcp } from '../../lib/tcp/connect.ts';
import type { Connection } from '../../lib/tcp/connection.ts';
import { listenTcp } from '../../lib/tcp/listen.ts';
import { throttleStream } from '../../lib/throttle/throttle-stream.ts';
import { TokenBucket } from '../../lib/throttle/token-bucket.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';

const track = closeAfterEach();
/** A promise and the function that resolves it (Promise.withResolvers, which Node 20 lacks). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Destroys the connection after the test. */
const trackConn = (conn: Connection): Connection => (track({ close: () => conn.destroy() }), conn);

/** Bytes counted as they arrive, and the worst excess over `burst + rate · t` seen at any arrival. */
class ArrivalLog {
  total = 0;
  worstExcess = -Infinity;
  constructor(
    private readonly start: number,
    private readonly bucket: TokenBucket,
  ) {}

  arrived(bytes: number): void {
    this.total += bytes;
    const allowed = this.bucket.burstBytes + (this.bucket.bytesPerSecond * (performance.now() - this.start)) / 1000;
    this.worstExcess = Math.max(this.worstExcess, this.total - allowed);
  }
}

/** Reads `conn` until `total` bytes came (or the end), logging each arrival. */
async function readCounting(conn: Connection, log: ArrivalLog, total = Infinity): Promise<void> {
  while (log.total < total) {
    const chunk = await conn.readAvailable({ timeoutMs: 8000 });
    if (chunk === null) return;
    log.arrived(chunk.length);
  }
}

describe('a connection with a write limiter', () => {
  for (const { rate, seconds } of [
    { rate: 1_000_000, seconds: 1 },
    { rate: 10_000_000, seconds: 1 },
  ]) {
    test(`at ${rate / 1e6} MB/s: never more than burst + rate · t arrives, and not far less`, async () => {
      const start = performance.now();
      const bucket = new TokenBucket({ bytesPerSecond: rate });
      const log = new ArrivalLog(start, bucket);
      const total = rate * seconds;
      const { promise: received, resolve: allReceived } = deferred<void>();
      const server = track(await listenTcp(async (conn) => allReceived(await readCounting(conn, log, total))));
      const client = trackConn(await connectTcp({ port: server.port, writeLimiter: bucket }));
      const block = Buffer.alloc(64 * 1024, 7);
      for (let sent = 0; sent < total; sent += block.length) await client.write(block.subarray(0, Math.min(block.length, total - sent)));
      await received;
      const elapsed = (performance.now() - start) / 1000;
      expect(log.total).toBe(total);
      expect(log.worstExcess).toBeLessThanOrEqual(0);
      // Asked rate·seconds bytes with a burst of 20 ms: a second, give or take a busy machine.
      expect(total / elapsed).toBeGreaterThan(0.75 * rate);
      expect(total / elapsed).toBeLessThanOrEqual(rate * 1.03);
    });
  }

  test('writes made without awaiting go out whole and in order, and end() waits for them', async () => {
    const { promise: got, resolve: gotAll } = deferred<string>();
    const server = track(
      await listenTcp(async (conn) => {
        const parts: Buffer[] = [];
        for (let chunk = await conn.readAvailable(); chunk !== null; chunk = await conn.readAvailable()) parts.push(chunk);
        gotAll(Buffer.concat(parts).toString());
      }),
    );
    const client = trackConn(await connectTcp({ port: server.port, writeLimiter: new TokenBucket({ bytesPerSecond: 2_000_000 }) }));
    const big = 'x'.repeat(100_000);
    void client.write('first|');
    void client.write(big);
    void client.write('|last');
    await client.end();
    expect(await got).toBe(`first|${big}|last`);
  });

  test('four connections sharing one bucket each get a quarter', async () => {
    const rate = 2_000_000;
    const bucket = new TokenBucket({ bytesPerSecond: rate });
    const stop = new AbortController();
    const block = Buffer.alloc(16 * 1024, 1);
    // One bucket for the whole server: every connection it accepts shares it.
    const server = track(
      await listenTcp(
        async (conn) => {
          try {
            while (!stop.signal.aborted) await conn.write(block, { signal: stop.signal });
          } catch (error) {
            if (!stop.signal.aborted) throw error;
          }
        },
        { writeLimiter: bucket },
      ),
    );
    const clients = await Promise.all([0, 1, 2, 3].map(() => connectTcp({ port: server.port }).then(trackConn)));
    const counts = clients.map(async (conn) => {
      let total = 0;
      for (let chunk = await conn.readAvailable({ timeoutMs: 8000 }); chunk !== null; chunk = await conn.readAvailable({ timeoutMs: 8000 })) total += chunk.length;
      return total;
    });
    setTimeout(() => stop.abort(), 2000);
    const totals = await Promise.all(counts);
    const sum = totals.reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(bucket.burstBytes + rate * 2.5);
    for (const t of totals) expect(Math.abs(t / sum - 0.25)).toBeLessThanOrEqual(0.02);
  });
});

describe('a connection with a read limiter', () => {
  test('reads at the rate however fast the sender writes, and TCP holds the sender back', async () => {
    const rate = 1_000_000;
    const sendTotal = 64 * 1024 * 1024;
    let accepted = 0; // bytes the sender's writes have handed over (its writes resolved)
    const server = track(
      await listenTcp(async (conn) => {
        const block = Buffer.alloc(256 * 1024, 3);
        for (; accepted < sendTotal; accepted += block.length) await conn.write(block);
      }),
    );
    const start = performance.now();
    const bucket = new TokenBucket({ bytesPerSecond: rate });
    const log = new ArrivalLog(start, bucket);
    const client = trackConn(await connectTcp({ port: server.port, readLimiter: bucket }));
    await readCounting(client, log, rate);
    expect(log.worstExcess).toBeLessThanOrEqual(0);
    const elapsed = (performance.now() - start) / 1000;
    expect(log.total / elapsed).toBeGreaterThan(0.75 * rate);
    // The sender wanted to send 64 MiB at loopback speed; the kernel's buffers took a few MiB at most.
    expect(accepted).toBeLessThan(sendTotal / 2);
    client.destroy();
  });

  test('the end of the stream waits behind the held bytes, which all arrive in order', async () => {
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const server = track(await listenTcp((conn) => conn.write(payload)));
    const client = trackConn(await connectTcp({ port: server.port, readLimiter: new TokenBucket({ bytesPerSecond: 2_000_000 }) }));
    const got = await client.readExactly(payload.length, { timeoutMs: 8000 });
    expect(got.findIndex((byte, i) => byte !== payload[i])).toBe(-1); // -1: no byte differs
    expect(await client.readAvailable({ timeoutMs: 8000 })).toBeNull();
  });

  test('destroying a connection with bytes held frees the shared bucket at once', async () => {
    const bucket = new TokenBucket({ bytesPerSecond: 100_000, initialTokens: 0 });
    const server = track(await listenTcp((conn) => conn.write(Buffer.alloc(500_000))));
    const client = trackConn(await connectTcp({ port: server.port, readLimiter: bucket }));
    await expect.poll(() => bucket.waitingRequests, { timeout: 8000 }).toBe(1);
    client.destroy();
    await client.closed;
    expect(bucket.waitingRequests).toBe(0);
  });
});

describe('throttleStream', () => {
  test('a pipeline through it takes at least bytes / rate', async () => {
    const rate = 1_000_000;
    const bytes = 200_000;
    const bucket = new TokenBucket({ bytesPerSecond: rate, initialTokens: 0 });
    let out = 0;
    const start = performance.now();
    await pipeline(
      Readable.from([Buffer.alloc(150_000), Buffer.alloc(bytes - 150_000)]),
      throttleStream(bucket),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          out += chunk.length;
          expect(chunk.length).toBeLessThanOrEqual(16 * 1024);
          callback();
        },
      }),
    );
    expect(out).toBe(bytes);
    expect(performance.now() - start).toBeGreaterThanOrEqual((bytes / rate) * 1000 - 1);
  });

  test('an aborted signal ends the pipeline with its reason', async () => {
    const stop = new AbortController();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, initialTokens: 0 });
    const done = pipeline(Readable.from([Buffer.alloc(100_000)]), throttleStream(bucket, { signal: stop.signal }), new Writable({ write: (_c, _e, cb) => cb() }));
    setTimeout(() => stop.abort(new Error('cancelled by the test')), 20);
    await expect(done).rejects.toThrow('cancelled by the test');
  });
});
