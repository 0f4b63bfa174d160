/**
 * The token bucket on a manual clock: time moves only when the test says so,
 * so these tests check exact amounts and cannot flake on a busy machine.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../lib/throttle/clock.ts';
import { combineLimiters, unlimited } from '../../lib/throttle/rate-limiter.ts';
import { TokenBucket } from '../../lib/throttle/token-bucket.ts';

/** Lets every promise callback that is ready run (resolved consumes, and the loops awaiting them). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, and how. */
function watch(promise: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const w: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  promise.then(
    () => (w.state = 'resolved'),
    (error: unknown) => ((w.state = 'rejected'), (w.error = error)),
  );
  return w;
}

/** Moves the clock `totalMs` forward in `stepMs` steps, letting the consumers react after each. */
async function run(clock: ManualClock, totalMs: number, stepMs = 1): Promise<void> {
  for (let t = 0; t < totalMs; t += stepMs) {
    clock.advance(Math.min(stepMs, totalMs - t));
    await settle();
  }
}

/** A consumer that asks for `size(i)` bytes again and again until stopped; counts what passed. */
function consumer(bucket: TokenBucket, size: (i: number) => number): { passed: number; stop: () => void; done: Promise<void> } {
  const c = { passed: 0, stopped: false, stop: () => void (c.stopped = true), done: Promise.resolve() };
  c.done = (async () => {
    for (let i = 0; !c.stopped; i++) {
      const n = size(i);
      await bucket.consume(n);
      c.passed += n;
    }
  })();
  return c;
}

describe('token bucket: the rate', () => {
  test('a full bucket lets its burst through at once, then bytes pass at the rate', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 100, clock });
    expect(watch(bucket.consume(100)).state).toBe('pending'); // resolves in a microtask…
    await settle();
    const next = watch(bucket.consume(50));
    clock.advance(49);
    await settle();
    expect(next.state).toBe('pending'); // 49 ms earn 49 tokens
    clock.advance(1);
    await settle();
    expect(next.state).toBe('resolved');
    expect(bucket.passedBytes).toBe(150);
  });

  test('defaults: burst is 20 ms of the rate, the bucket starts full, slices are at most 16 KiB', () => {
    const bucket = new TokenBucket({ bytesPerSecond: 10_000_000, clock: new ManualClock() });
    expect({ burst: bucket.burstBytes, slice: bucket.sliceBytes, available: bucket.availableBytes }).toEqual({ burst: 200_000, slice: 16_384, available: 200_000 });
    const slow = new TokenBucket({ bytesPerSecond: 10_000, clock: new ManualClock() });
    expect({ burst: slow.burstBytes, slice: slow.sliceBytes }).toEqual({ burst: 200, slice: 200 });
  });

  test('an idle bucket fills up to its burst and no further', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 300, initialTokens: 0, clock });
    clock.advance(10_000);
    expect(bucket.availableBytes).toBe(300);
    const all = watch(bucket.consume(301));
    await settle();
    expect(all.state).toBe('pending');
    clock.advance(1);
    await settle();
    expect(all.state).toBe('resolved');
  });

  test('initialTokens 0: nothing passes before its time', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 2000, burstBytes: 1000, initialTokens: 0, clock });
    const c = consumer(bucket, () => 100);
    await run(clock, 1000);
    c.stop();
    expect(c.passed).toBe(2000);
  });

  test('never more than initialTokens + rate · t, whatever the requests and the steps of time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 2_000_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.array(fc.integer({ min: 0, max: 70_000 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 20, maxLength: 60 }),
        async (rate, burst, sizes, steps) => {
          const clock = new ManualClock();
          const bucket = new TokenBucket({ bytesPerSecond: rate, burstBytes: burst, clock });
          const consumers = sizes.map((size) => consumer(bucket, (i) => 1 + ((size + i * 7919) % 70_000)));
          for (const ms of steps) {
            clock.advance(ms);
            await settle();
            const bound = burst + (rate * clock.now()) / 1000;
            expect(bucket.passedBytes).toBeLessThanOrEqual(bound + 1e-6);
          }
          for (const c of consumers) c.stop();
        },
      ),
      { numRuns: 60 },
    );
  });

  test('a late timer costs no throughput: the tokens earned meanwhile go to the waiters', async () => {
    // A clock whose timer the test fires by hand, as late as it likes (a busy event loop).
    let now = 0;
    let fire: (() => void) | undefined;
    const lateClock = { now: () => now, setTimer: (callback: () => void) => ((fire = callback), { cancel: () => (fire = undefined) }) };
    const bucket = new TokenBucket({ bytesPerSecond: 100_000, burstBytes: 1000, initialTokens: 0, clock: lateClock });
    const c = consumer(bucket, () => 1000);
    now = 500; // due after 10 ms, the timer fires after 500
    fire!();
    await settle();
    c.stop();
    // half a second's worth went to the waiter and the requests it made right after, less at most one request
    expect(c.passed).toBeGreaterThanOrEqual(50_000 - 1000);
    expect(c.passed).toBeLessThanOrEqual(50_000);
  });
});

describe('token bucket: the queue', () => {
  test('requests are served in the order they were made', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 10, initialTokens: 0, clock });
    const order: string[] = [];
    const all = ['a', 'b', 'c'].map((name) => bucket.consume(10).then(() => order.push(name)));
    await run(clock, 40);
    await Promise.all(all);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  test('a large request is served in slices: a small one behind it is not starved', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 100_000, burstBytes: 16_384, initialTokens: 0, clock });
    const big = watch(bucket.consume(1 << 20));
    const small = watch(bucket.consume(1000));
    // one 16 KiB slice of the big one, then the small one: about 174 ms, not 10 s
    await run(clock, 175);
    expect({ big: big.state, small: small.state }).toEqual({ big: 'pending', small: 'resolved' });
  });

  test('four consumers sharing one bucket each get a quarter', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1_000_000, clock });
    const consumers = [0, 1, 2, 3].map(() => consumer(bucket, () => 16_384));
    await run(clock, 2000);
    for (const c of consumers) c.stop();
    const quarter = bucket.passedBytes / 4;
    // equal to within the one slice a consumer may be ahead in the round
    for (const c of consumers) expect(Math.abs(c.passed - quarter)).toBeLessThanOrEqual(16_384);
    expect(bucket.passedBytes).toBeGreaterThan(2_000_000 - 4 * 16_384);
  });

  test('one asking 1 MiB at a time does not crowd out one asking 16 KiB at a time', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1_000_000, clock });
    const greedy = consumer(bucket, () => 1 << 20);
    const modest = consumer(bucket, () => 16_384);
    await run(clock, 4000);
    greedy.stop();
    modest.stop();
    // the greedy one has had about as many slices as the modest one, most of them still in its unfinished request
    expect(modest.passed).toBeGreaterThan(1_900_000);
  });
});

describe('token bucket: abort, idle, bad input', () => {
  test('an abort rejects with the reason, gives back what was granted, and lets the next one go', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 100, sliceBytes: 100, initialTokens: 0, clock });
    const stop = new AbortController();
    const aborted = watch(bucket.consume(300, stop.signal));
    const next = watch(bucket.consume(200));
    await run(clock, 100); // one slice granted to the first request
    stop.abort(new Error('peer left'));
    await settle();
    expect(aborted.state).toBe('rejected');
    expect((aborted.error as Error).message).toBe('peer left');
    expect(next.state).toBe('pending'); // the 100 tokens given back paid its first slice…
    await run(clock, 100);
    expect(next.state).toBe('resolved'); // …so 100 ms more pay the rest (without the refund: 200 ms)
    expect(bucket.passedBytes).toBe(200);
  });

  test('an already-aborted signal rejects at once, even with tokens to spare', async () => {
    const bucket = new TokenBucket({ bytesPerSecond: 1000, clock: new ManualClock() });
    const stop = new AbortController();
    stop.abort(new Error('no'));
    await expect(bucket.consume(1, stop.signal)).rejects.toThrow('no');
    expect(bucket.passedBytes).toBe(0);
  });

  test('no timer is left once nobody waits (served or aborted)', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 10, initialTokens: 0, clock });
    const served = bucket.consume(10);
    expect(clock.pendingTimers).toBe(1);
    await run(clock, 10);
    await served;
    expect(clock.pendingTimers).toBe(0);
    const stop = new AbortController();
    const waiting = bucket.consume(10, stop.signal).catch(() => 'aborted');
    expect(clock.pendingTimers).toBe(1);
    stop.abort();
    expect(await waiting).toBe('aborted');
    expect(clock.pendingTimers).toBe(0);
  });

  test('many small requests wake one timer, not one each', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1_000_000, burstBytes: 1000, initialTokens: 0, clock });
    const all = Array.from({ length: 100 }, () => bucket.consume(10));
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1);
    await Promise.all(all);
    expect(bucket.passedBytes).toBe(1000);
  });

  test('refuses rates and sizes that make no sense', async () => {
    const clock = new ManualClock();
    for (const bytesPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TokenBucket({ bytesPerSecond, clock }), String(bytesPerSecond)).toThrow(RangeError);
    }
    expect(() => new TokenBucket({ bytesPerSecond: 10, burstBytes: 0, clock })).toThrow(/burstBytes/);
    expect(() => new TokenBucket({ bytesPerSecond: 10, burstBytes: 5, initialTokens: 6, clock })).toThrow(/initialTokens/);
    const bucket = new TokenBucket({ bytesPerSecond: 10, clock });
    for (const bytes of [-1, 1.5, Number.NaN]) await expect(bucket.consume(bytes), String(bytes)).rejects.toThrow(RangeError);
    await expect(bucket.consume(0)).resolves.toBeUndefined();
  });
});

describe('other limiters', () => {
  test('unlimited never waits but honours an aborted signal', async () => {
    await expect(unlimited.consume(1 << 30)).resolves.toBeUndefined();
    const stop = new AbortController();
    stop.abort(new Error('stop'));
    await expect(unlimited.consume(1, stop.signal)).rejects.toThrow('stop');
  });

  test('combineLimiters: bytes pass at the slower of the two', async () => {
    const clock = new ManualClock();
    const perConnection = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 10, initialTokens: 0, clock });
    const processWide = new TokenBucket({ bytesPerSecond: 500, burstBytes: 10, initialTokens: 0, clock });
    const both = combineLimiters(perConnection, processWide);
    let passed = 0;
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        await both.consume(10);
        passed += 10;
      }
    })();
    await run(clock, 1000);
    stopped = true;
    expect(passed).toBeGreaterThanOrEqual(490);
    expect(passed).toBeLessThanOrEqual(510);
    void loop;
  });
});
