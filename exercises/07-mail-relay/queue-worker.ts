/**
 * When each entry of the outgoing queue is attempted (mail-server.ts says
 * what an attempt does).
 */
import { setMaxListeners } from 'node:events';
import { DEFAULT_RETRY_SCHEDULE } from './backoff.ts';
import { removeEntry, updateEntry, type QueueEntry } from './queue.ts';

/** The longest a timer may wait (setTimeout's limit is 2^31−1 ms, about 24 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How many queue entries are attempted at the same time. */
const MAX_CONCURRENT_ATTEMPTS = 8;

/**
 * What one attempt of an entry leads to: the entry as it should be stored
 * for the next attempt, or undefined when it is finished (delivered or bounced).
 */
export type Attempt = (entry: QueueEntry) => Promise<QueueEntry | undefined>;

/**
 * Runs the queue: one timer that wakes at the earliest `nextAttemptAt`,
 * starts every entry that is due (at most a few at a time, never the same
 * entry twice at once), stores what each attempt leads to, and sleeps again.
 */
export class QueueWorker {
  private readonly entries = new Map<string, QueueEntry>();
  /** The entries being attempted now, with the attempt. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly stop = new AbortController();

  constructor(
    private readonly dir: string,
    loaded: readonly QueueEntry[],
    private readonly attempt: Attempt,
  ) {
    for (const entry of loaded) this.entries.set(entry.id, entry);
    setMaxListeners(0, this.stop.signal); // every attempt in flight listens for it, a few per entry
  }

  /** Aborted by close(): attempts in flight give up at once. */
  get stopping(): AbortSignal {
    return this.stop.signal;
  }

  /** Entries in the queue, being attempted or waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Begins working (after the listeners are up). */
  start(): void {
    // TODO: remember that we started, and wake()
    throw new Error('TODO(07-mail-relay): QueueWorker.start');
  }

  /** A new entry (already on disk) to attempt. */
  add(entry: QueueEntry): void {
    // TODO: keep it in `entries`, and wake() (it is due at once)
    throw new Error('TODO(07-mail-relay): QueueWorker.add');
  }

  /** Stops the timer and waits for attempts in flight (abandoned at once); every entry stays on disk. */
  async close(): Promise<void> {
    // TODO: abort `stop` (attempts in flight give up), clear the timer, wait for every attempt in `inFlight`
    throw new Error('TODO(07-mail-relay): QueueWorker.close');
  }

  /** Starts the entries that are due and sets the timer for the next one. */
  private wake(): void {
    // TODO: clear the timer; do nothing before start() or after close()
    // TODO: for each entry not in flight: due (nextAttemptAt <= now) → run(entry), while fewer than
    //       MAX_CONCURRENT_ATTEMPTS are in flight; not due yet → remember the earliest nextAttemptAt
    // TODO: one setTimeout(() => this.wake(), earliest − now) (at most MAX_TIMER_MS): one timer, never a busy loop
    throw new Error('TODO(07-mail-relay): QueueWorker.wake');
  }

  /** One attempt of one entry, and storing its result. */
  private run(entry: QueueEntry): void {
    // TODO: an async task, put into `inFlight` under the entry's id, that:
    //       calls this.attempt(entry); undefined → removeEntry from disk and `entries`; else updateEntry on disk and in `entries`;
    //       an error (a full disk…) is logged, and the entry waits DEFAULT_RETRY_SCHEDULE.initialMs before its next try;
    //       finally: delete it from `inFlight` and wake() (the next entry may be due, or a slot is free now)
    throw new Error('TODO(07-mail-relay): QueueWorker.run');
  }
}
