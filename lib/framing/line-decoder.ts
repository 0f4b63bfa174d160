/**
 * Cuts a byte stream into lines, whatever sizes the chunks arrive in: TCP
 * delivers bytes, not messages, so "HELO a\r\nMAIL" may arrive as "HE",
 * "LO a\r", "\nMAIL". Pure (no sockets): push chunks in, get lines out.
 */
import { ByteQueue, type LineEnding } from './byte-queue.ts';

export { CR, LF, type LineEnding } from './byte-queue.ts';

/** Longest line accepted unless told otherwise (SMTP allows 1000 with CRLF; 8 KiB leaves room). */
export const DEFAULT_MAX_LINE_BYTES = 8192;

/** How a line-based reader cuts lines. */
export interface LineOptions {
  /**
   * `any`: LF ends a line and a CR before it is dropped; `crlf`: only CR LF
   * ends a line and a bare LF stays inside it.
   * @default 'any'
   */
  lineEnding?: LineEnding;
  /**
   * Longest line, in bytes without its line end. A longer line throws
   * `FramingError` kind `line-too-long` and the rest of it is skipped.
   * @default 8192
   */
  maxLineBytes?: number;
}

/**
 * Turns chunks into lines (Buffers without their line end).
 *
 * @example
 * const decoder = new LineDecoder({ lineEnding: 'crlf' });
 * decoder.push(Buffer.from('HELO a\r'));   // []
 * decoder.push(Buffer.from('\nQUIT\r\n')); // [<HELO a>, <QUIT>]
 */
export class LineDecoder {
  private readonly queue = new ByteQueue();
  private readonly lineEnding: LineEnding;
  private readonly maxLineBytes: number;
  private deferred: Error | undefined;

  constructor(options: LineOptions = {}) {
    this.lineEnding = options.lineEnding ?? 'any';
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /**
   * Adds a chunk and returns every line it completed. Lines may share memory
   * with the chunks pushed (no copy when a line sits in one chunk).
   *
   * An overlong line throws `FramingError('line-too-long')`. If lines before it
   * were completed by the same push, they are returned first and the error is
   * thrown by the next call to `push`, after that call's chunk has been stored:
   * no line is ever lost. Likewise, when a push throws, lines already complete
   * behind the overlong one come out of the next push (an empty chunk will
   * do). The rest of the overlong line is skipped.
   */
  push(chunk: Uint8Array): Buffer[] {
    this.queue.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (this.deferred !== undefined) {
      const error = this.deferred;
      this.deferred = undefined;
      throw error;
    }
    const lines: Buffer[] = [];
    for (;;) {
      let line: Buffer | undefined;
      try {
        line = this.queue.takeLine(this.lineEnding, this.maxLineBytes);
      } catch (error) {
        if (lines.length === 0) throw error;
        this.deferred = error as Error;
        return lines;
      }
      if (line === undefined) return lines;
      lines.push(line);
    }
  }

  /** Bytes of an unfinished line held until its line end arrives. */
  get pendingBytes(): number {
    return this.queue.length;
  }
}
