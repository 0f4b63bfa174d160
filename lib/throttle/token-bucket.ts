/**
 * A token bucket: the classic rate limiter. Tokens (one per byte) drip into
 * a bucket at `bytesPerSecond`; a request for n bytes takes n tokens. While
 * nobody asks, the bucket fills up to `burstBytes` and stops: that is the
 * most that can pass at once after a quiet spell. So over any time t, at most
 * `initialTokens + bytesPerSecond · t` bytes pass, whatever the callers do.
 *
 * Waiting requests queue in order (FIFO). A large request is served in
 * slices, going to the back of the queue after each one, so one 1 MiB write
 * does not hold up the small ones behind it: connections sharing a bucket get
 * equal shares. There is one timer for the whole queue, and only while someone
 * waits; it wakes when the head's slice is covered, and everything the tokens
 * cover by then passes in one go. A timer that fires late costs nothing: the
 * tokens earned meanwhile go to the waiters (the cap applies only while
 * nobody waits), so a busy event loop does not slow the rate down.
 */
import { systemClock, type Clock, type ClockTimer } from './clock.ts';
import { DEFAULT_SLICE_BYTES, type RateLimiter } from './rate-limiter.ts';

/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** The sustained rate, in bytes per second (finite, > 0). */
  bytesPerSecond: number;
  /**
   * The most tokens the bucket holds while nobody waits: how much may pass at
   * once after a quiet spell.
   * @default bytesPerSecond × 20 ms (at least 1 byte)
   */
  burstBytes?: number;
  /**
   * Tokens in the bucket at the start. 0 makes even the first second exact:
   * at most `bytesPerSecond · t` bytes by time t.
   * @default burstBytes (a full bucket)
   */
  initialTokens?: number;
  /**
   * The largest piece of a request served in one turn when others wait.
   * @default min(16 KiB, burstBytes)
   */
  sliceBytes?: number;
  /** Where time comes from. @default systemClock */
  clock?: Clock;
}

/** How long a full bucket takes to fill by default, in milliseconds. */
export const DEFAULT_BURST_MS = 20;

/** The shortest sleep: waking more often than this costs more than it gains. */
const MIN_SLEEP_MS = 1;

/** One request waiting in the queue. */
interface Waiter {
  /** Bytes not yet granted. */
  remaining: number;
  /** Bytes granted so far; given back if the request is aborted. */
  granted: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/**
 * A token-bucket {@link RateLimiter}. Give each connection its own, or share
 * one between connections to cap them together (they then get equal shares).
 *
 * @example
 * const bucket = new TokenBucket({ bytesPerSecond: 1_000_000 });
 * for (const block of blocks) {
 *   await bucket.consume(block.length);
 *   await conn.write(block);
 * }
 */
export class TokenBucket implements RateLimiter {
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  readonly sliceBytes: number;

  private readonly clock: Clock;
  private tokens: number;
  /** When `tokens` was last brought up to date. */
  private last: number;
  private readonly queue: Waiter[] = [];
  private timer: ClockTimer | undefined;
  /** When the pending timer fires. */
  private timerAt = 0;
  private passed = 0;

  constructor(options: TokenBucketOptions) {
    const { bytesPerSecond } = options;
    if (!(Number.isFinite(bytesPerSecond) && bytesPerSecond > 0)) {
      throw new RangeError(`bytesPerSecond must be a finite number above 0, got ${bytesPerSecond} (use \`unlimited\` for no limit)`);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = options.burstBytes ?? Math.max(1, Math.ceil((bytesPerSecond * DEFAULT_BURST_MS) / 1000));
    if (!(Number.isFinite(this.burstBytes) && this.burstBytes >= 1)) throw new RangeError(`burstBytes must be a finite number of at least 1, got ${this.burstBytes}`);
    this.sliceBytes = options.sliceBytes ?? Math.max(1, Math.min(DEFAULT_SLICE_BYTES, Math.floor(this.burstBytes)));
    if (!(Number.isSafeInteger(this.sliceBytes) && this.sliceBytes >= 1)) throw new RangeError(`sliceBytes must be a whole number of at least 1, got ${this.sliceBytes}`);
    this.tokens = options.initialTokens ?? this.burstBytes;
    if (!(this.tokens >= 0 && this.tokens <= this.burstBytes)) throw new RangeError(`initialTokens must be between 0 and burstBytes (${this.burstBytes}), got ${this.tokens}`);
    this.clock = options.clock ?? systemClock;
    this.last = this.clock.now();
  }

  /** Resolves once `bytes` may pass (see {@link RateLimiter.consume}). `bytes` must be a whole number ≥ 0. */
  consume(bytes: number, signal?: AbortSignal): Promise<void> {
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) return Promise.reject(new RangeError(`consume(${bytes}): need a whole number of bytes ≥ 0`));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (bytes === 0) return Promise.resolve();
    this.refill();
    if (this.queue.length === 0 && this.tokens >= bytes) {
      // Nobody waits and the tokens cover it: no promise queue, no timer.
      this.tokens -= bytes;
      this.passed += bytes;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { remaining: bytes, granted: 0, resolve, reject, signal, onAbort: signal && (() => this.abandon(waiter)) };
      if (waiter.onAbort) signal!.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.serve();
    });
  }

  /** Whole tokens in the bucket now: bytes that could pass at once if nobody waits. */
  get availableBytes(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Requests waiting for tokens. */
  get waitingRequests(): number {
    return this.queue.length;
  }

  /** Bytes of every request that has resolved so far. */
  get passedBytes(): number {
    return this.passed;
  }

  /** Adds the tokens earned since the last update. */
  private refill(): void {
    const now = this.clock.now();
    const earned = ((now - this.last) * this.bytesPerSecond) / 1000;
    this.last = now;
    if (!(earned > 0)) return;
    // The queue has not changed since `last` (every change refills first), so
    // this says whether someone waited all along: their tokens are never capped.
    if (this.queue.length > 0) this.tokens += earned;
    else if (this.tokens < this.burstBytes) this.tokens = Math.min(this.burstBytes, this.tokens + earned);
  }

  /** Grants slices in queue order while the tokens cover the head's, then sleeps until they cover the next. */
  private serve(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const slice = Math.min(head.remaining, this.sliceBytes);
      if (this.tokens < slice) break;
      this.tokens -= slice;
      head.remaining -= slice;
      head.granted += slice;
      this.queue.shift();
      if (head.remaining > 0) this.queue.push(head); // to the back: the others get their turn
      else this.finish(head);
    }
    this.sleep();
  }

  private finish(waiter: Waiter): void {
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    this.passed += waiter.granted;
    waiter.resolve();
  }

  /** A waiting request's signal aborted: it leaves the queue, and its tokens go back. */
  private abandon(waiter: Waiter): void {
    const at = this.queue.indexOf(waiter);
    if (at < 0) return;
    this.refill();
    this.queue.splice(at, 1);
    this.tokens += waiter.granted;
    waiter.reject(waiter.signal!.reason);
    this.serve();
  }

  /** Keeps one timer while someone waits, set for when the head's slice is covered; none when idle. */
  private sleep(): void {
    const head = this.queue[0];
    if (head === undefined) {
      this.timer?.cancel();
      this.timer = undefined;
      return;
    }
    const missing = Math.min(head.remaining, this.sliceBytes) - this.tokens;
    const ms = Math.max(MIN_SLEEP_MS, (missing * 1000) / this.bytesPerSecond);
    const at = this.clock.now() + ms;
    if (this.timer !== undefined && this.timerAt <= at) return; // wakes in time; it will look again
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimer(this.wake, ms);
  }

  private readonly wake = (): void => {
    this.timer = undefined;
    this.refill();
    this.serve();
  };
}
