/**
 * Small tools for the swarm tests: bounded waits for a peer's events or
 * state, a limiter that holds uploads until the test lets them go, and a
 * file comparison that names the file that differs.
 */
import { createHash } from 'node:crypto';
import type { Transcript } from '../../lib/transcript/transcript.ts';
import { readTorrentFiles, type TestTorrent } from './peer-torrent.ts';

/** Polls `check` every few ms until it returns a value other than undefined/false; fails after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | undefined | false, timeoutMs: number, what: string, transcript?: Transcript): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      transcript?.expect(`expected ${what} within ${timeoutMs} ms`);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves with the promise's value, or fails (marking the transcript) after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string, transcript?: Transcript): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      transcript?.expect(`expected ${what} within ${timeoutMs} ms`);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects a peer's events (pass `onEvent`), and waits for one. */
export class EventLog<E extends { type: string }> {
  readonly events: E[] = [];
  readonly onEvent = (event: E): void => {
    this.events.push(event);
  };

  /** Events of one type. */
  of<T extends E['type']>(type: T): Extract<E, { type: T }>[] {
    return this.events.filter((e): e is Extract<E, { type: T }> => e.type === type);
  }

  /** Waits for an event of `type` satisfying `match` (already logged ones count). */
  waitFor<T extends E['type']>(type: T, match: (e: Extract<E, { type: T }>) => boolean, timeoutMs: number, what: string, transcript?: Transcript): Promise<Extract<E, { type: T }>> {
    return waitUntil(() => this.of(type).find(match), timeoutMs, what, transcript);
  }
}

/** A rate limiter that lets nothing through until `open()`, counting what was asked. */
export function gateLimiter(): { consume(bytes: number, signal?: AbortSignal): Promise<void>; open(): void; asked: number } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const limiter = {
    asked: 0,
    consume(bytes: number, signal?: AbortSignal): Promise<void> {
      limiter.asked += bytes;
      return new Promise((resolve, reject) => {
        void gate.then(() => resolve());
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    },
    open: () => open(),
  };
  return limiter;
}

/** SHA-1 (hex) of every file of the torrent under `dir`, `missing` where there is none: compare with {@link expectedDigests}. */
export async function digestsIn(dir: string, torrent: TestTorrent): Promise<Record<string, string>> {
  const files = await readTorrentFiles(dir, torrent);
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, bytes ? createHash('sha1').update(bytes).digest('hex') : 'missing']));
}

/** What {@link digestsIn} gives for a complete, correct download. */
export function expectedDigests(torrent: TestTorrent): Record<string, string> {
  return Object.fromEntries(Object.entries(torrent.files).map(([name, bytes]) => [name, createHash('sha1').update(bytes).digest('hex')]));
}
