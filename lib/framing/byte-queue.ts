/**
 * The bytes received but not read yet, kept as the list of chunks they arrived
 * in. Joining every chunk onto one growing Buffer would copy the whole backlog
 * on each arrival (quadratic); here a line is found with `Buffer.indexOf` on
 * each chunk in turn, and bytes are copied only when a line spans chunks.
 */
import { FramingError } from '../errors.ts';

/** Line feed, the byte that ends a line in both modes. */
export const LF = 0x0a;
/** Carriage return: dropped before LF in `any` mode, required before LF in `crlf` mode. */
export const CR = 0x0d;

/**
 * How lines end on the wire.
 * - `any`: LF ends a line; a CR right before it is dropped too (CRLF and LF both work).
 * - `crlf`: only CR LF ends a line; a bare LF stays inside the line (SMTP, POP3).
 */
export type LineEnding = 'any' | 'crlf';

/** Where a line end was found, counted from the first unread byte. */
interface LineEnd {
  /** Bytes of the line itself, without CR LF / LF. */
  content: number;
  /** Bytes up to and including the LF. */
  total: number;
}

/** A FIFO of byte chunks with line and exact-size extraction. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Index of the first chunk still holding unread bytes (avoids Array#shift, O(n)). */
  private head = 0;
  /** Bytes of `chunks[head]` already read. */
  private offset = 0;
  private bytes = 0;

  // Where the search for the next LF resumes: a line that arrives in many
  // chunks is scanned once in total, not once per arrival.
  private scanChunk = 0;
  private scanPos = 0;
  private scanned = 0;
  private scanMode: LineEnding = 'any';

  /** True after an overlong line was rejected, until its line end has been discarded. */
  private skipping = false;

  /** The result of the last search, reused: one object per line would be garbage per line. */
  private readonly found: LineEnd = { content: 0, total: 0 };

  // Text lines are sliced from one decoded string covering many lines of the
  // head chunk: one UTF-8 decode per window instead of one Buffer and one
  // decode per line (this is what makes readLine() as fast as node:readline).
  // Valid while `textChunk` is the head chunk, `textByteStart === offset` and
  // the line ends before `textByteEnd`.
  private textChunk: Buffer | undefined;
  private text = '';
  private textPos = 0;
  private textByteStart = 0;
  private textByteEnd = 0;

  /** Unread bytes. */
  get length(): number {
    return this.bytes;
  }

  /** True while the rest of a rejected overlong line is being thrown away. */
  get isSkippingLine(): boolean {
    return this.skipping;
  }

  /** Appends a chunk (kept by reference, not copied). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /**
   * Takes the next complete line (without its line end), or returns
   * `undefined` when no line end has arrived yet. A line longer than
   * `maxLineBytes` throws `FramingError('line-too-long')`; the rest of that
   * line is then discarded as it arrives, so the next call starts on the
   * following line.
   */
  takeLine(lineEnding: LineEnding, maxLineBytes: number): Buffer | undefined {
    const end = this.nextLine(lineEnding, maxLineBytes);
    if (end === undefined) return undefined;
    const first = this.chunks[this.head]!;
    if (end.total > first.length - this.offset) return this.take(end.total).subarray(0, end.content);
    // The line sits in one chunk: one view of it, not a view of the line end and then one without.
    const line = first.subarray(this.offset, this.offset + end.content);
    this.offset += end.total;
    if (this.offset === first.length) {
      this.head++;
      this.offset = 0;
    }
    this.consumed(end.total);
    return line;
  }

  /**
   * {@link takeLine}, decoded as UTF-8. Same result as
   * `takeLine(…)?.toString('utf8')`, only faster.
   */
  takeLineText(lineEnding: LineEnding, maxLineBytes: number): string | undefined {
    const end = this.nextLine(lineEnding, maxLineBytes);
    if (end === undefined) return undefined;
    const first = this.chunks[this.head]!;
    if (end.total > first.length - this.offset) return this.take(end.total).toString('utf8', 0, end.content);
    if (this.textChunk !== first || this.textByteStart !== this.offset || this.offset + end.total > this.textByteEnd) {
      this.decodeWindow(first, this.offset + end.total - 1);
    }
    // The k-th LF byte decodes to the k-th '\n' char, and CR to '\r': repeat the byte search on the text.
    const text = this.text;
    const start = this.textPos;
    let lf = text.indexOf('\n', start);
    if (lineEnding === 'crlf') while (!(lf > start && text.charCodeAt(lf - 1) === CR)) lf = text.indexOf('\n', lf + 1);
    const contentEnd = lf > start && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
    this.textPos = lf + 1;
    this.offset += end.total;
    if (this.offset === first.length) {
      this.head++;
      this.offset = 0;
    }
    this.consumed(end.total);
    this.textByteStart = this.offset;
    return text.slice(start, contentEnd);
  }

  /** Finds the next complete line, enforcing the length limit; `undefined` while none is complete. */
  private nextLine(lineEnding: LineEnding, maxLineBytes: number): LineEnd | undefined {
    if (this.skipping && !this.skipRestOfLine(lineEnding)) return undefined;
    const end = this.findLineEnd(lineEnding);
    if (end === undefined) {
      // A trailing CR may be the start of CR LF, so it does not count yet.
      const atLeast = this.bytes - (this.lastByte() === CR ? 1 : 0);
      if (atLeast > maxLineBytes) {
        this.skipping = true;
        this.skipRestOfLine(lineEnding);
        throw tooLong(maxLineBytes);
      }
      return undefined;
    }
    if (end.content > maxLineBytes) {
      this.discard(end.total);
      throw tooLong(maxLineBytes);
    }
    return end;
  }

  /** Decodes the head chunk from `offset` to an LF at least 8 KiB on (bounded work if lines are not all read as text). */
  private decodeWindow(chunk: Buffer, lineEndAt: number): void {
    let until = chunk.indexOf(LF, Math.max(lineEndAt, this.offset + 8192));
    if (until === -1) until = chunk.lastIndexOf(LF);
    this.text = chunk.toString('utf8', this.offset, until + 1);
    this.textChunk = chunk;
    this.textPos = 0;
    this.textByteStart = this.offset;
    this.textByteEnd = until + 1;
  }

  /** Takes exactly `n` bytes, or returns `undefined` while fewer have arrived. */
  takeExactly(n: number): Buffer | undefined {
    if (n > this.bytes) return undefined;
    return this.take(n);
  }

  /**
   * The first `n` unread bytes, without consuming them (n ≤ length). Zero-copy
   * when they sit in one chunk (the result then shares memory with the queued
   * bytes: do not write to it); copied only when they span chunks.
   */
  peek(n: number): Buffer {
    const first = this.chunks[this.head];
    if (first !== undefined && first.length - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    for (let i = this.head; copied < n; i++) {
      const chunk = this.chunks[i]!;
      const from = i === this.head ? this.offset : 0;
      copied += chunk.copy(out, copied, from, Math.min(chunk.length, from + n - copied));
    }
    return out;
  }

  /** Removes and returns the first `n` unread bytes (n ≤ length); zero-copy when they sit in one chunk. */
  take(n: number): Buffer {
    const first = this.chunks[this.head];
    let out: Buffer;
    if (first !== undefined && first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) {
        this.head++;
        this.offset = 0;
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const chunk = this.chunks[this.head]!;
        const piece = Math.min(n - copied, chunk.length - this.offset);
        chunk.copy(out, copied, this.offset, this.offset + piece);
        copied += piece;
        this.offset += piece;
        if (this.offset === chunk.length) {
          this.head++;
          this.offset = 0;
        }
      }
    }
    this.consumed(n);
    return out;
  }

  /** Drops the first `n` unread bytes (n ≤ length). */
  discard(n: number): void {
    let left = n;
    while (left > 0) {
      const chunk = this.chunks[this.head]!;
      const piece = Math.min(left, chunk.length - this.offset);
      left -= piece;
      this.offset += piece;
      if (this.offset === chunk.length) {
        this.head++;
        this.offset = 0;
      }
    }
    this.consumed(n);
  }

  private consumed(n: number): void {
    this.bytes -= n;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.scanChunk = this.head;
    this.scanPos = this.offset;
    this.scanned = 0;
  }

  /** Finds the next line end from where the last search stopped (the result is valid until the next search). */
  private findLineEnd(lineEnding: LineEnding): LineEnd | undefined {
    if (lineEnding !== this.scanMode) {
      // A `crlf` search skips bare LFs that an `any` search must stop at: start over.
      this.scanMode = lineEnding;
      this.scanChunk = this.head;
      this.scanPos = this.offset;
      this.scanned = 0;
    }
    while (this.scanChunk < this.chunks.length) {
      const chunk = this.chunks[this.scanChunk]!;
      const at = chunk.indexOf(LF, this.scanPos);
      if (at === -1) {
        this.scanned += chunk.length - this.scanPos;
        this.scanChunk++;
        this.scanPos = 0;
        continue;
      }
      const lf = this.scanned + (at - this.scanPos);
      const crBefore = this.byteBefore(this.scanChunk, at) === CR;
      this.scanned = lf + 1;
      this.scanPos = at + 1;
      if (lineEnding === 'crlf' && !crBefore) continue; // a bare LF is part of the line
      this.found.content = crBefore ? lf - 1 : lf;
      this.found.total = lf + 1;
      return this.found;
    }
    return undefined;
  }

  /** The unread byte just before `chunks[index][at]`, or -1 if there is none. */
  private byteBefore(index: number, at: number): number {
    const start = index === this.head ? this.offset : 0;
    if (at > start) return this.chunks[index]![at - 1]!;
    if (index > this.head) {
      const previous = this.chunks[index - 1]!;
      return previous[previous.length - 1]!;
    }
    return -1;
  }

  private lastByte(): number {
    if (this.bytes === 0) return -1;
    const last = this.chunks[this.chunks.length - 1]!;
    return last[last.length - 1]!;
  }

  /** Discards up to and including the next line end; true once it was found. */
  private skipRestOfLine(lineEnding: LineEnding): boolean {
    const end = this.findLineEnd(lineEnding);
    if (end !== undefined) {
      this.discard(end.total);
      this.skipping = false;
      return true;
    }
    // Keep a trailing CR: the LF that completes CR LF may be in the next chunk.
    this.discard(this.bytes - (this.lastByte() === CR ? 1 : 0));
    return false;
  }
}

function tooLong(limit: number): FramingError {
  return new FramingError(`line longer than ${limit} bytes (the rest of it is skipped)`, 'line-too-long', limit);
}
