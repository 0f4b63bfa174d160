/**
 * Paces what a connection writes to a rate limiter: each write goes out in
 * slices, each slice once the limiter lets it pass, so the wire sees a steady
 * flow rather than bursts. Writes made without awaiting the previous one
 * still go out whole and in the order they were made.
 */
import { DEFAULT_SLICE_BYTES, type RateLimiter } from '../throttle/rate-limiter.ts';
import type { WaitOptions } from '../wait.ts';

const ignore = (): void => {};

/** Sends writes through a limiter, slice by slice, one write after the other. */
export class WritePacer {
  /** Settles once every write made so far has been sent or has failed. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly limiter: RateLimiter,
    /** Sends one slice now (the connection's unpaced write: resolves when the socket has room again). */
    private readonly send: (slice: Uint8Array, options: WaitOptions) => Promise<void>,
  ) {}

  /**
   * Queues `data` behind the earlier writes; resolves once its last slice went
   * to the socket. An aborted or failed write leaves the stream mid-message.
   */
  write(data: Uint8Array | string, options: WaitOptions): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const done = this.tail.then(() => this.pace(bytes, options));
    this.tail = done.then(ignore, ignore);
    return done;
  }

  /** Resolves once every write made so far has been sent or has failed (before an `end()`). */
  get idle(): Promise<void> {
    return this.tail;
  }

  private async pace(bytes: Uint8Array, options: WaitOptions): Promise<void> {
    for (let at = 0; at < bytes.length; at += DEFAULT_SLICE_BYTES) {
      const slice = bytes.subarray(at, at + DEFAULT_SLICE_BYTES);
      await this.limiter.consume(slice.length, options.signal);
      await this.send(slice, options);
    }
  }
}
