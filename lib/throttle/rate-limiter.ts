/**
 * The one interface every rate limiter of the kit implements, and the two
 * trivial limiters. The peer of exercise 10 takes its limiters as this type,
 * so any object with a `consume` method will do (a test's fake included).
 */

/**
 * Lets bytes pass at a limited rate: `await limiter.consume(n)` before
 * sending n bytes (or after receiving n bytes and before reading more).
 */
export interface RateLimiter {
  /**
   * Resolves once `bytes` more bytes may pass. Requests are served in the
   * order they were made. Rejects with `signal.reason` if the signal aborts
   * first (and then the bytes must not pass).
   */
  consume(bytes: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The largest piece a throttled connection or stream asks a limiter for at a
 * time (16 KiB, a BitTorrent block): small enough that connections sharing a
 * limiter take turns often, large enough that a fast link needs few turns.
 */
export const DEFAULT_SLICE_BYTES = 16 * 1024;

/** A limiter that never waits: what "no limit" looks like where a limiter is expected. */
export const unlimited: RateLimiter = {
  consume(_bytes: number, signal?: AbortSignal): Promise<void> {
    return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  },
};

/**
 * Several limits at once, e.g. one bucket per connection AND one for the
 * whole process: bytes pass once every limiter has let them, asked in turn.
 * (If the signal aborts half-way, what the first limiters granted is spent.)
 *
 * @example
 * const process = new TokenBucket({ bytesPerSecond: 1_000_000 });
 * const conn = await connectTcp({ port, writeLimiter: combineLimiters(new TokenBucket({ bytesPerSecond: 300_000 }), process) });
 */
export function combineLimiters(...limiters: readonly RateLimiter[]): RateLimiter {
  return {
    async consume(bytes: number, signal?: AbortSignal): Promise<void> {
      for (const limiter of limiters) await limiter.consume(bytes, signal);
    },
  };
}
