/**
 * The two ways a waiting read on a connection gives up early: its time limit
 * and its AbortSignal. A server waits once per request, and a new timer and
 * abort listener for every wait were a visible share of its CPU time, so a
 * connection keeps one lazy timer and keeps listening to the same signal
 * across reads.
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

/**
 * The deadline of the one read that may wait on a connection at a time.
 *
 * The timer is lazy: a wait only notes when it must end (`performance.now() + ms`).
 * When the timer fires it checks the waiting read's deadline and, if that is
 * still ahead, sleeps again for the time left. Re-arming a timer for every
 * read (thousands a second on a busy connection) would cost more than the
 * read itself.
 */
export class ReadDeadline {
  private waiting: WaitingRead | undefined;
  /** When the waiting read's time limit runs out (on the `performance.now()` clock, which never jumps). */
  private deadline = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private watchedSignal: AbortSignal | undefined;

  constructor(
    /** Where the bytes come from, for the timeout message: `"127.0.0.1:2525"`. */
    private readonly peer: () => string,
  ) {}

  /** `read` starts waiting: its time limit starts now, and its signal can end it. */
  start(read: WaitingRead): void {
    this.waiting = read;
    if (read.timeoutMs !== undefined) {
      this.deadline = performance.now() + read.timeoutMs;
      // A pending timer that fires at or before the new deadline will find it and sleep on.
      if (this.timer === undefined || this.timerFiresAt > this.deadline) this.sleepUntilDeadline();
    }
    if (read.signal !== undefined) this.watchSignal(read.signal);
  }

  /** The waiting read is over (the timer may still fire, and then finds nothing to do). */
  stop(): void {
    this.waiting = undefined;
  }

  /** The connection closed: no read will wait again. */
  dispose(): void {
    this.stop();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watchedSignal?.removeEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => {
    const { waiting, watchedSignal } = this;
    if (waiting !== undefined && watchedSignal !== undefined && waiting.signal === watchedSignal) waiting.fail(watchedSignal.reason);
  };

  /** When the pending timer fires (same clock). */
  private timerFiresAt = 0;

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const waiting = this.waiting;
    if (waiting === undefined || waiting.timeoutMs === undefined) return; // nobody waits: the next wait arms a new timer
    if (performance.now() >= this.deadline) waiting.fail(new TimeoutError(`${waiting.what} from ${this.peer()}`, waiting.timeoutMs));
    else this.sleepUntilDeadline(); // the read started after this timer was set: wait for the rest of its time
  };

  /**
   * Sets the timer for the current deadline. It never keeps the process alive
   * by itself: while a read waits, the socket is reading, and that does.
   */
  private sleepUntilDeadline(): void {
    clearTimeout(this.timer);
    const ms = Math.max(0, this.deadline - performance.now());
    this.timer = setTimeout(this.onTimer, ms).unref();
    this.timerFiresAt = this.deadline;
  }

  /** Listens to `signal` until the connection closes (or a read brings another signal). */
  private watchSignal(signal: AbortSignal): void {
    if (signal === this.watchedSignal) return;
    this.watchedSignal?.removeEventListener('abort', this.onAbort);
    this.watchedSignal = signal;
    signal.addEventListener('abort', this.onAbort, { once: true });
  }
}
