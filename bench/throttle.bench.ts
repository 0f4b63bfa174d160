/**
 * Throttle accuracy over loopback: the rate a TokenBucket was asked for
 * against the rate the receiving side saw, over the first second and over
 * five seconds, for one connection and for four connections sharing one
 * bucket, on the write side (paced writes) and the read side (paced reads,
 * the sender slowed by TCP). The figure is the ratio got / asked (1.000 is
 * exact; above 1 would be a leak) and, for four connections, the spread of
 * their shares.
 *
 *   npx tsx bench/throttle.bench.ts            (or: npm run bench -- throttle)
 *   BENCH_SECONDS=10 npx tsx bench/throttle.bench.ts
 */
import { connectTcp } from '../lib/tcp/connect.ts';
import type { Connection } from '../lib/tcp/connection.ts';
import { listenTcp } from '../lib/tcp/listen.ts';
import type { RateLimiter } from '../lib/throttle/rate-limiter.ts';
import { TokenBucket } from '../lib/throttle/token-bucket.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATES = [1_000_000, 10_000_000];
const BLOCK = Buffer.alloc(64 * 1024, 0x5a);

type Side = 'write' | 'read';

interface Result {
  /** Bytes received by each connection in the first second and in the whole run. */
  firstSecond: number[];
  whole: number[];
  /** When the snapshots were really taken (timers fire late on a busy machine), in seconds since t0. */
  firstAt: number;
  wholeAt: number;
}

/** Counts what `conn` receives; snapshots the count 1 s after `t0` (when the bucket was made) and at the end. */
function count(conn: Connection, index: number, result: Result, t0: number, stop: AbortSignal): Promise<void> {
  return (async () => {
    let total = 0;
    const snap = setTimeout(() => {
      result.firstSecond[index] = total;
      result.firstAt = (performance.now() - t0) / 1000;
    }, t0 + 1000 - performance.now());
    try {
      while (!stop.aborted) {
        const chunk = await conn.readAvailable({ signal: stop });
        if (chunk === null) break;
        total += chunk.length;
      }
    } catch {
      // stopped
    }
    clearTimeout(snap);
    result.whole[index] = total;
  })();
}

/** Sends blocks on `conn` until stopped. */
async function flood(conn: Connection, stop: AbortSignal): Promise<void> {
  try {
    while (!stop.aborted) await conn.write(BLOCK, { signal: stop });
  } catch {
    // stopped or closed
  }
}

async function measure(side: Side, rate: number, connections: number): Promise<Result> {
  const result: Result = { firstSecond: [], whole: [], firstAt: 1, wholeAt: SECONDS };
  const stop = new AbortController();
  // The connections are set up first and the bucket made after, so setup time is not counted:
  // until then they hold a stand-in that waits for it, then forwards to it.
  let made!: (bucket: TokenBucket) => void;
  const bucketMade = new Promise<TokenBucket>((resolve) => (made = resolve));
  const limiter: RateLimiter = { consume: async (bytes, signal) => (await bucketMade).consume(bytes, signal) };
  const counting: Promise<void>[] = [];
  // Write side: the server's connections share the bucket. Read side: the clients' do, the server floods.
  const server = await listenTcp((conn) => flood(conn, stop.signal), side === 'write' ? { writeLimiter: limiter } : {});
  const clients = await Promise.all(
    Array.from({ length: connections }, () => connectTcp({ port: server.port, ...(side === 'read' ? { readLimiter: limiter } : {}) })),
  );
  await new Promise((resolve) => setTimeout(resolve, 50)); // the server's side of each connection is running
  const t0 = performance.now();
  made(new TokenBucket({ bytesPerSecond: rate, initialTokens: 0 }));
  // The bucket started empty at t0: both windows start there.
  clients.forEach((conn, i) => counting.push(count(conn, i, result, t0, stop.signal)));
  await new Promise((resolve) => setTimeout(resolve, t0 + SECONDS * 1000 - performance.now()));
  result.wholeAt = (performance.now() - t0) / 1000;
  stop.abort();
  await Promise.all(counting);
  for (const conn of clients) conn.destroy();
  await server.close();
  return result;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

console.log(`throttle accuracy: got / asked over loopback (bucket starts empty, burst 20 ms); ${SECONDS} s runs`);
console.log('side   rate      conns  1 s: got/asked   ' + `${SECONDS} s: got/asked   shares (min..max of 1/conns)`);
for (const side of ['write', 'read'] as const) {
  for (const rate of RATES) {
    for (const connections of [1, 4]) {
      const r = await measure(side, rate, connections);
      const first = sum(r.firstSecond) / (rate * r.firstAt);
      const whole = sum(r.whole) / (rate * r.wholeAt);
      const shares = r.whole.map((b) => (b / sum(r.whole)) * connections);
      const spread = connections > 1 ? `${Math.min(...shares).toFixed(3)}..${Math.max(...shares).toFixed(3)}` : '-';
      console.log(`${side.padEnd(6)} ${(rate / 1e6).toFixed(0).padStart(2)} MB/s  ${String(connections).padStart(5)}  ${first.toFixed(3).padStart(14)}   ${whole.toFixed(3).padStart(14)}   ${spread}`);
    }
  }
}
