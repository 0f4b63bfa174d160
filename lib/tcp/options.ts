/** Options shared by `listenTcp`, `connectTcp` and the reads of a `Connection`. */
import type { LineOptions } from '../framing/line-decoder.ts';
import type { RateLimiter } from '../throttle/rate-limiter.ts';
import type { Direction, Transcript } from '../transcript/transcript.ts';
import type { WaitOptions } from '../wait.ts';

/** Options of one read (`readLine`, `readExactly`, …); unset fields fall back to the connection's. */
export interface ReadOptions extends LineOptions, WaitOptions {}

/** How a connection reads, and what it records. */
export interface ConnectionOptions extends LineOptions {
  /**
   * Time limit of every read that does not give its own `timeoutMs`.
   * @default undefined (reads wait as long as the connection is open)
   */
  readTimeoutMs?: number;
  /**
   * Unread bytes held before the socket is paused, so a peer that sends
   * faster than we read is slowed down by TCP instead of filling our memory.
   * @default 262144
   */
  readHighWaterMark?: number;
  /** Records every chunk written and read. */
  transcript?: Transcript;
  /**
   * Which side we are in the transcript: what we write is recorded as `role`,
   * what we read as the other side.
   * @default 'client' for connectTcp, 'server' for listenTcp
   */
  role?: Direction;
  /**
   * Caps how fast this connection reads: bytes from the socket are held, with
   * the socket paused, until `readLimiter.consume(n)` lets them through, so TCP
   * slows the sender down to that rate. Share one limiter (a `TokenBucket`)
   * between connections to cap them together; `listenTcp` gives the same
   * limiter to every connection it accepts.
   * @default undefined (no limit)
   */
  readLimiter?: RateLimiter;
  /**
   * Caps how fast this connection writes: each write goes out in 16 KiB
   * slices, each once `writeLimiter.consume(n)` lets it pass. Shared like
   * `readLimiter`. With a limiter, `timeoutMs` bounds each wait for the socket
   * to drain; only `signal` ends the wait for tokens.
   * @default undefined (no limit)
   */
  writeLimiter?: RateLimiter;
}

/** Unread bytes held before the socket is paused. */
export const DEFAULT_READ_HIGH_WATER_MARK = 256 * 1024;
