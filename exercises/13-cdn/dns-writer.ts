/**
 * Writing a message, with name compression (RFC 1035 §4.1.4): the writer
 * remembers where every name (and every suffix of one) was written, and the
 * next time a name ends with a suffix it has seen, writes a 2-byte pointer
 * there instead of the labels. That is why a real server's answer to
 * `video.cdn.test` names its record `C0 0C`: "the name at offset 12", the
 * question's.
 */
import { CLASSIC_UDP_PAYLOAD_BYTES, LABEL_KIND_POINTER, MAX_LABEL_BYTES, MAX_NAME_BYTES, POINTER_OFFSET_MASK } from './dns-constants.ts';

/** Big-endian writes into a growing buffer, and domain names written with pointers to earlier ones. */
export class DnsWriter {
  private buffer: Buffer;
  /** How many bytes are written so far: the offset of the next one. */
  offset = 0;
  /** Name suffixes already in the message, in lower case (names compare without case), → their offset. */
  private readonly suffixes = new Map<string, number>();

  constructor(capacity = CLASSIC_UDP_PAYLOAD_BYTES) {
    this.buffer = Buffer.alloc(capacity);
  }

  /** Writes one byte. */
  u8(value: number): void {
    this.room(1);
    this.buffer[this.offset++] = value;
  }

  /** Writes a 16-bit integer, big-endian. */
  u16(value: number): void {
    this.room(2);
    this.offset = this.buffer.writeUInt16BE(value, this.offset);
  }

  /** Writes a 32-bit integer, big-endian. */
  u32(value: number): void {
    this.room(4);
    this.offset = this.buffer.writeUInt32BE(value >>> 0, this.offset);
  }

  /** Writes bytes as they are. */
  bytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** Overwrites the 16-bit integer at `at` (a length known only after what follows it was written). */
  patchU16(at: number, value: number): void {
    this.buffer.writeUInt16BE(value, at);
  }

  /**
   * Tells the writer that a name with these labels already stands in the
   * message, label i at offsets[i] (say, the question, copied byte for byte):
   * later names ending the same way point there.
   */
  rememberName(labels: readonly string[], offsets: readonly number[]): void {
    // TODO: remember where each suffix of this name stands (labels i… at offsets[i]), without
    // TODO: regard to case, so that name() can point there. Only offsets a pointer can reach count.
    throw new Error('TODO(13-cdn): DnsWriter.rememberName');
  }

  /**
   * Writes a name given as text (`ns.cdn.test`; `.` or `''` is the root): its
   * labels up to the first suffix already in the message, then a pointer to
   * that suffix, or the final zero byte if none is. Names compare without
   * regard to case; the pointer keeps the case written first. Throws
   * RangeError for an empty label, a label over 63 bytes or a name over 255.
   */
  name(name: string): void {
    // TODO: check the labels (1 to 63 bytes each, 255 bytes in all; RangeError otherwise).
    // TODO: write labels until the rest of the name is a suffix already in the message: then a
    // TODO: 2-byte pointer to it (top bits 11) and stop; with no such suffix, end with a zero byte.
    // TODO: remember the suffixes written here, for the names after this one.
    throw new Error('TODO(13-cdn): DnsWriter.name');
  }

  /** The message written so far. */
  finish(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  /** Makes room for `length` more bytes, doubling the buffer when it is full. */
  private room(length: number): void {
    if (this.offset + length <= this.buffer.length) return;
    const bigger = Buffer.alloc(Math.max(this.buffer.length * 2, this.offset + length));
    this.buffer.copy(bigger, 0, 0, this.offset);
    this.buffer = bigger;
  }
}
