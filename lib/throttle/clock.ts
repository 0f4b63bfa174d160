/**
 * Where a rate limiter reads the time and sets its timer. The real clock is
 * `performance.now()` and `setTimeout`; tests pass a {@link ManualClock} and
 * move time themselves, so a test of a rate cannot flake on a busy machine.
 */

/** A timer that can be cancelled. */
export interface ClockTimer {
  cancel(): void;
}

/** Time in milliseconds, and one-shot timers on the same clock. */
export interface Clock {
  /** Milliseconds on a clock that never jumps back. */
  now(): number;
  /** Calls `callback` once, `ms` milliseconds from now. */
  setTimer(callback: () => void, ms: number): ClockTimer;
}

/** The real clock: `performance.now()` and `setTimeout` (which keeps the process alive while it runs). */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

interface ManualTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to: `advance(ms)` fires the timers that
 * fall due, in order, each with `now()` at its own due time.
 *
 * @example
 * const clock = new ManualClock();
 * const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 100, clock });
 * clock.advance(50); // 50 bytes' worth of tokens later
 */
export class ManualClock implements Clock {
  private time: number;
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): ClockTimer {
    const timer: ManualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Timers set and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (timers they set included). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): time only moves forward`);
    const end = this.time + ms;
    for (let next = this.nextDue(end); next !== undefined; next = this.nextDue(end)) {
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }

  /** The earliest live timer due by `end` (ties: the one set first). */
  private nextDue(end: number): ManualTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let first: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.at <= end && (first === undefined || t.at < first.at || (t.at === first.at && t.seq < first.seq))) first = t;
    }
    return first;
  }
}
