/**
 * A rolling transfer rate: bytes per second over about the last 20 seconds,
 * what the choker ranks peers by (Cohen: "a rolling 20-second average").
 * Given complete: the same file in exercises/ and solutions/.
 */

/** The window the rate is averaged over. @see RateMeter */
export const RATE_WINDOW_MS = 20_000;
/** Bytes are counted in buckets of this many ms: memory stays at window / bucket numbers. */
export const RATE_BUCKET_MS = 500;

/** Counts bytes as they pass and tells their rate over the last {@link RATE_WINDOW_MS}. */
export class RateMeter {
  /** Bytes per bucket, a ring indexed by bucket number modulo its length. */
  private readonly buckets: number[];
  /** The bucket number `buckets` were last brought up to date for. */
  private current: number;
  /** Every byte ever counted. */
  total = 0;

  /** `start`: now on the same clock as later calls (ms), the meter's birth. */
  constructor(
    private readonly start: number,
    private readonly windowMs = RATE_WINDOW_MS,
  ) {
    this.buckets = new Array<number>(Math.ceil(windowMs / RATE_BUCKET_MS)).fill(0);
    this.current = Math.floor(start / RATE_BUCKET_MS);
  }

  /** Counts `bytes` passed at time `now` (ms). */
  add(bytes: number, now: number): void {
    this.advance(now);
    this.buckets[this.current % this.buckets.length]! += bytes;
    this.total += bytes;
  }

  /**
   * Bytes per second over the window ending at `now`; a younger meter divides
   * by its age (at least one bucket), so a new connection is not ranked as slow.
   */
  rate(now: number): number {
    this.advance(now);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    const spanMs = Math.max(RATE_BUCKET_MS, Math.min(this.windowMs, now - this.start));
    return (sum * 1000) / spanMs;
  }

  /** Empties the buckets that fell out of the window since the last call. */
  private advance(now: number): void {
    const bucket = Math.floor(now / RATE_BUCKET_MS);
    const stale = Math.min(bucket - this.current, this.buckets.length);
    for (let i = 1; i <= stale; i++) this.buckets[(this.current + i) % this.buckets.length] = 0;
    if (bucket > this.current) this.current = bucket;
  }
}
