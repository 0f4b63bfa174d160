/**
 * The two ways a waiting read on a connection gives up early: its time limit
 * and its AbortSignal. A server waits once per request, and a new timer and
 * abort listener for every wait were a visible share of its CPU time, so a
 * connection keeps one timer (re-armed with refresh()) and keeps listening to
 * the same signal across reads.
 */
import { TimeoutError } from '../errors.ts';

/** What a read waiting for bytes needs to give up. */
export interface WaitingRead {
  /** What is being read, for the timeout message: `"a line"`. */
  readonly what: string;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** Ends the read with `error`. */
  fail(error: unknown): void;
}

/** The deadline of the one read that may wait on a connection at a time. */
export class ReadDeadline {
  private waiting: WaitingRead | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  private watchedSignal: AbortSignal | undefined;

  constructor(
    /** Where the bytes come from, for the timeout message: `"127.0.0.1:2525"`. */
    private readonly peer: () => string,
  ) {}

  /** `read` starts waiting: its time limit starts now, and its signal can end it. */
  start(read: WaitingRead): void {
    this.waiting = read;
    if (read.timeoutMs !== undefined) this.armTimer(read.timeoutMs);
    if (read.signal !== undefined) this.watchSignal(read.signal);
  }

  /** The waiting read is over; the timer stays for the next read but no longer keeps the process alive. */
  stop(): void {
    this.waiting = undefined;
    this.timer?.unref();
  }

  /** The connection closed: no read will wait again. */
  dispose(): void {
    this.stop();
    clearTimeout(this.timer);
    this.watchedSignal?.removeEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => {
    const { waiting, watchedSignal } = this;
    if (waiting !== undefined && watchedSignal !== undefined && waiting.signal === watchedSignal) waiting.fail(watchedSignal.reason);
  };

  private readonly onTimer = (): void => {
    const waiting = this.waiting;
    // The timer was re-armed when this read began, so it has waited its full time limit.
    if (waiting !== undefined && waiting.timeoutMs === this.timerMs) waiting.fail(new TimeoutError(`${waiting.what} from ${this.peer()}`, this.timerMs));
  };

  /** Starts the time limit over: one timer, created again only when the limit changes. */
  private armTimer(ms: number): void {
    if (this.timer !== undefined && this.timerMs === ms) {
      this.timer.refresh();
      this.timer.ref();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, ms);
    this.timerMs = ms;
  }

  /** Listens to `signal` until the connection closes (or a read brings another signal). */
  private watchSignal(signal: AbortSignal): void {
    if (signal === this.watchedSignal) return;
    this.watchedSignal?.removeEventListener('abort', this.onAbort);
    this.watchedSignal = signal;
    signal.addEventListener('abort', this.onAbort, { once: true });
  }
}
