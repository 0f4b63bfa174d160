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
    this.started = true;
    this.wake();
  }

  /** A new entry (already on disk) to attempt. */
  add(entry: QueueEntry): void {
    this.entries.set(entry.id, entry);
    this.wake();
  }

  /** Stops the timer and waits for attempts in flight (abandoned at once); every entry stays on disk. */
  async close(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.inFlight.values());
  }

  /** Starts the entries that are due and sets the timer for the next one. */
  private wake(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.started || this.stop.signal.aborted) return;
    const now = Date.now();
    let earliest = Infinity;
    for (const entry of this.entries.values()) {
      if (this.inFlight.has(entry.id)) continue;
      if (entry.nextAttemptAt > now) earliest = Math.min(earliest, entry.nextAttemptAt);
      else if (this.inFlight.size < MAX_CONCURRENT_ATTEMPTS) this.run(entry);
      // else: due, but the pool is full; a finishing attempt calls wake() again
    }
    if (earliest !== Infinity) this.timer = setTimeout(() => this.wake(), Math.min(Math.max(earliest - now, 0), MAX_TIMER_MS));
  }

  /** One attempt of one entry, and storing its result. */
  private run(entry: QueueEntry): void {
    const done = (async () => {
      try {
        const next = await this.attempt(entry);
        if (next === undefined) {
          await removeEntry(this.dir, entry.id);
          this.entries.delete(entry.id);
        } else {
          await updateEntry(this.dir, next);
          this.entries.set(entry.id, next);
        }
      } catch (error) {
        // A disk error, say: keep the entry as it was on disk and try again after the usual wait.
        console.error(`wirelab mail: attempt of queue entry ${entry.id} failed:`, error);
        this.entries.set(entry.id, { ...entry, nextAttemptAt: Date.now() + DEFAULT_RETRY_SCHEDULE.initialMs });
      } finally {
        this.inFlight.delete(entry.id);
        this.wake();
      }
    })();
    this.inFlight.set(entry.id, done);
  }
}
