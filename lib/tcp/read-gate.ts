/**
 * Paces what a connection reads to a rate limiter. Each chunk the socket
 * delivers is held, with the socket paused, until the limiter lets its bytes
 * pass (in slices); the kernel's receive buffer then fills and TCP's flow
 * control slows the sender down to our rate. The end of the stream and the
 * close wait behind the held bytes, so the connection sees them in order.
 */
import type { Socket } from 'node:net';
import { DEFAULT_SLICE_BYTES, type RateLimiter } from '../throttle/rate-limiter.ts';

/** Where the gate delivers, in the order the socket reported them. */
export interface GatedEvents {
  data(chunk: Buffer): void;
  end(): void;
  close(): void;
  /** True unless the connection paused the socket itself (its queue is full): the gate resumes it only then. */
  wantsMore(): boolean;
}

/** What waits at the gate: bytes, or the end and close that came after them. */
type Held = Buffer | 'end' | 'close';

/** Holds a socket's incoming bytes until a limiter lets them through. */
export class ReadGate {
  private readonly held: Held[] = [];
  private passing = false;
  private readonly stopper = new AbortController();

  constructor(
    private readonly socket: Socket,
    private readonly limiter: RateLimiter,
    private readonly events: GatedEvents,
  ) {}

  /** The socket's 'data' listener. */
  readonly onData = (chunk: Buffer): void => {
    this.socket.pause(); // nothing more from the kernel until these bytes are paid for
    this.hold(chunk);
  };

  /** The socket's 'end' listener. */
  readonly onEnd = (): void => this.hold('end');

  /** The socket's 'close' listener. */
  readonly onClose = (): void => this.hold('close');

  /**
   * The connection failed or was destroyed: held bytes are dropped (nobody
   * will read them, and they must not use up a shared limiter); the end and
   * close still go through.
   */
  stop(): void {
    if (this.stopper.signal.aborted) return;
    this.stopper.abort(new Error('the connection closed'));
    for (let i = this.held.length - 1; i >= 0; i--) if (typeof this.held[i] !== 'string') this.held.splice(i, 1);
  }

  private hold(item: Held): void {
    this.held.push(item);
    if (!this.passing) void this.pass();
  }

  /** Delivers what is held, in order, each chunk once the limiter has let it through. */
  private async pass(): Promise<void> {
    this.passing = true;
    for (let item = this.held[0]; item !== undefined; item = this.held[0]) {
      if (typeof item === 'string') {
        this.held.shift();
        if (item === 'end') this.events.end();
        else this.events.close();
        continue;
      }
      const slice = item.subarray(0, DEFAULT_SLICE_BYTES);
      try {
        await this.limiter.consume(slice.length, this.stopper.signal);
      } catch (error) {
        // Stopped (the bytes are gone already), or the limiter failed: then the connection cannot go on.
        if (!this.stopper.signal.aborted) {
          this.stop();
          this.socket.destroy(error instanceof Error ? error : new Error(String(error)));
        }
        continue;
      }
      if (this.stopper.signal.aborted) continue; // stopped while waiting: stop() dropped the bytes
      if (slice.length === item.length) this.held.shift();
      else this.held[0] = item.subarray(slice.length);
      this.events.data(slice);
    }
    this.passing = false;
    if (!this.stopper.signal.aborted && this.events.wantsMore()) this.socket.resume();
  }
}
