/**
 * When to try a queued message again, and when to give up (RFC 5321
 * §4.5.4.1). The receiving server may be down for a minute or for a day: the
 * first retry comes soon, each later one waits twice as long as the one
 * before (so a long outage costs few connection attempts), the wait never
 * grows past a ceiling, and after some days the sender is told the mail could
 * not be delivered.
 *
 *   failed attempts   1        2         3         4        …  n
 *   wait before next  initial  2×initial 4×initial 8×initial   min(initial × 2^(n−1), max)
 *
 * Pure functions of numbers (milliseconds since the epoch), so the schedule is
 * tested without waiting for it.
 */

/** The three knobs of the schedule, all in milliseconds. */
export interface RetrySchedule {
  /** The wait after the first failed attempt. @default 60000 (1 minute) */
  readonly initialMs: number;
  /** The wait between tries never grows past this. @default 3600000 (1 hour) */
  readonly maxMs: number;
  /** Give up (and bounce) once the message has been queued this long. @default 345600000 (4 days) */
  readonly giveUpAfterMs: number;
}

/** The schedule of a real server; tests use milliseconds instead. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  initialMs: 60_000,
  maxMs: 3_600_000,
  giveUpAfterMs: 4 * 24 * 3_600_000, // RFC 5321 §4.5.4.1: "at least 4-5 days"
};

/**
 * The wait before the next attempt after `attempts` failed ones:
 * `min(initialMs × 2^(attempts−1), maxMs)`. 0 when nothing has failed yet
 * (the first attempt is made at once).
 */
export function retryDelay(attempts: number, schedule: Pick<RetrySchedule, 'initialMs' | 'maxMs'>): number {
  // TODO: nothing failed yet (attempts < 1): 0, try at once
  // TODO: else initialMs × 2^(attempts−1), but at most maxMs (mind: 2 ** 1100 is Infinity, and 0 × Infinity is NaN)
  throw new Error('TODO(07-mail-relay): retryDelay');
}

/** True once a message queued at `firstQueuedAt` has waited `giveUpAfterMs` or longer by `now`. */
export function shouldGiveUp(firstQueuedAt: number, now: number, giveUpAfterMs: number): boolean {
  // TODO: one comparison: has the message waited giveUpAfterMs or longer?
  throw new Error('TODO(07-mail-relay): shouldGiveUp');
}

/**
 * When to make the next attempt after `attempts` failed ones, the last at
 * `now`: `now + retryDelay(attempts)`, but never later than the give-up time,
 * so the last attempt (and the bounce, if it fails too) comes on time even
 * when the delays are long.
 */
export function nextAttemptAt(attempts: number, now: number, firstQueuedAt: number, schedule: RetrySchedule): number {
  // TODO: now + retryDelay(attempts, schedule) …
  // TODO: … but no later than firstQueuedAt + giveUpAfterMs
  throw new Error('TODO(07-mail-relay): nextAttemptAt');
}
