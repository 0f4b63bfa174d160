/**
 * A transcript records every chunk of bytes that crosses a connection or a
 * socket, with its direction and time, so a failing test can show the student
 * the dialogue that went wrong:
 *
 *   C: MAIL FROM:<alice@a.test>
 *   S: 250 OK
 *   C: DATA
 *   S: 250 OK            <- expected 354 (start mail input) after DATA
 */

/** Who sent a chunk: `client` renders as `C:`, `server` as `S:`. */
export type Direction = 'client' | 'server';

/** One chunk as it crossed the wire. */
export interface TranscriptEntry {
  readonly direction: Direction;
  /** Milliseconds since the transcript started. */
  readonly at: number;
  readonly bytes: Uint8Array;
  /** Set by {@link Transcript.expect}: what the test wanted instead of this. */
  note?: string;
}

/**
 * Turns one entry into display lines; binary protocols plug one in to show
 * message names (`handshake`, `request 3 0 16384`) instead of hex.
 */
export type TranscriptDecoder = (entry: TranscriptEntry) => string[];

/** Records what crosses a connection; rendering lives in `render.ts`. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private readonly started = performance.now();

  constructor(
    /** Shows binary entries as message names; text protocols leave it unset. */
    public decoder?: TranscriptDecoder,
  ) {}

  /** Adds one chunk (copied, so later reuse of the buffer cannot change history). */
  record(direction: Direction, bytes: Uint8Array | string): void {
    const copy = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    this.entries.push({ direction, at: performance.now() - this.started, bytes: copy });
  }

  /**
   * Marks the latest entry (or the latest from `direction`) as the first place
   * where the exchange left what the test expected. The first mark wins:
   * later marks are ignored so the student sees where things started to go wrong.
   */
  expect(note: string, direction?: Direction): void {
    if (this.entries.some((e) => e.note !== undefined)) return;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (direction === undefined || entry.direction === direction) {
        entry.note = note;
        return;
      }
    }
  }

  /** True when nothing has been recorded. */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }
}
