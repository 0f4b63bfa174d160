/**
 * A transcript records every chunk of bytes that crosses a connection or a
 * socket, with its direction and time, so a failing test can show the student
 * the dialogue that went wrong:
 *
 *   C: MAIL FROM:<alice@a.test>
 *   S: 250 OK
 *   C: DATA
 *   S: 250 OK            <- expected 354 (start mail input) after DATA
 *
 * Recording is cheap (a copy of each chunk); turning chunks into lines happens
 * only when a test fails, in `render.ts`.
 */

/** Who sent a chunk: `client` renders as `C:`, `server` as `S:`. */
export type Direction = 'client' | 'server';

/** One chunk as it crossed the wire. */
export interface TranscriptEntry {
  readonly direction: Direction;
  /** Milliseconds since the transcript started. */
  readonly at: number;
  readonly bytes: Uint8Array;
  /**
   * True for a UDP datagram: a message of its own, never merged with its
   * neighbours. Stream chunks (TCP) are merged per direction before display,
   * so a line split across reads shows once.
   */
  readonly datagram?: boolean;
  /** What a fault-injection proxy did to this chunk (`dropped`, `duplicated`, …), shown as `[dropped]`. */
  readonly fault?: string;
  /** Set by {@link Transcript.expect}: what the test wanted instead of this. */
  note?: string;
}

/** Extra facts about one recorded chunk. */
export interface RecordOptions {
  /** The chunk is one UDP datagram (see {@link TranscriptEntry.datagram}). @default false */
  datagram?: boolean;
  /** What a fault proxy did to it, e.g. `'dropped'`. */
  fault?: string;
}

/**
 * A decoded message: its display text and how many bytes it took from the
 * start of the bytes it was given. `text` may hold several lines (`\n`).
 */
export interface DecodedMessage {
  text: string;
  length: number;
}

/** Where the bytes handed to a {@link TranscriptDecoder} come from. */
export interface DecodeContext {
  readonly direction: Direction;
  /** Bytes of this direction already decoded before these (0 at the start of the stream: a handshake). */
  readonly offset: number;
  /** True when the bytes are exactly one UDP datagram. */
  readonly datagram: boolean;
}

/**
 * Decodes the message at the start of `bytes` into one display line, e.g.
 * `handshake`, `bitfield`, `request 3 0 16384`; returns `null` when the bytes
 * hold only part of a message (the renderer then offers more of the stream).
 * Binary protocols plug one in; text protocols use the default line decoder
 * (`decodeTextLine` in `render.ts`), which a custom decoder may also fall back to.
 */
export type TranscriptDecoder = (bytes: Buffer, context: DecodeContext) => DecodedMessage | null;

/** Limits of one transcript. */
export interface TranscriptOptions {
  /**
   * Bytes kept at most; later chunks are only counted (shown as "… N more
   * chunks not kept") so a large transfer cannot exhaust memory.
   * @default 16 MiB
   */
  maxBytes?: number;
}

/** Records what crosses a connection; rendering lives in `render.ts`. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  /** Chunks (and their bytes) that arrived after `maxBytes` was reached. */
  readonly omitted = { chunks: 0, bytes: 0 };
  private readonly started = performance.now();
  private readonly maxBytes: number;
  private keptBytes = 0;
  private lateNote: string | undefined;

  constructor(
    /** Shows binary entries as message names; text protocols leave it unset. */
    public decoder?: TranscriptDecoder,
    options: TranscriptOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  }

  /** Adds one chunk (copied, so later reuse of the buffer cannot change history). */
  record(direction: Direction, bytes: Uint8Array | string, options: RecordOptions = {}): void {
    const copy = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    if (this.keptBytes + copy.length > this.maxBytes) {
      this.omitted.chunks++;
      this.omitted.bytes += copy.length;
      return;
    }
    this.keptBytes += copy.length;
    const entry: { -readonly [K in keyof TranscriptEntry]: TranscriptEntry[K] } = {
      direction,
      at: performance.now() - this.started,
      bytes: copy,
    };
    if (options.datagram) entry.datagram = true;
    if (options.fault !== undefined) entry.fault = options.fault;
    this.entries.push(entry);
  }

  /**
   * Marks the latest entry (or the latest from `direction`) as the first place
   * where the exchange left what the test expected. The first mark wins:
   * later marks are ignored so the student sees where things started to go wrong.
   * With nothing to mark (nothing recorded yet, or chunks no longer kept) the
   * note is shown at the end of the dialogue.
   */
  expect(note: string, direction?: Direction): void {
    if (this.note !== undefined) return;
    if (this.omitted.chunks === 0) {
      for (let i = this.entries.length - 1; i >= 0; i--) {
        const entry = this.entries[i]!;
        if (direction === undefined || entry.direction === direction) {
          entry.note = note;
          return;
        }
      }
    }
    this.lateNote = note;
  }

  /** The note given to the first {@link expect}, if any. */
  get note(): string | undefined {
    return this.lateNote ?? this.entries.find((e) => e.note !== undefined)?.note;
  }

  /** A note that could not be attached to an entry; the renderer shows it last. */
  get trailingNote(): string | undefined {
    return this.lateNote;
  }

  /** True when there is nothing to show: no chunk recorded and no note. */
  get isEmpty(): boolean {
    return this.entries.length === 0 && this.omitted.chunks === 0 && this.lateNote === undefined;
  }
}
