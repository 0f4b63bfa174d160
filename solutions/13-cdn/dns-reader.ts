/**
 * A cursor over a received message that checks every read against the
 * message's end. A datagram from the network can say anything ("300 bytes of
 * RDATA follow" in a 40-byte packet); reading past the end must be a
 * {@link DnsFormatError}, never a RangeError from Buffer and never a crash.
 */
import { DnsFormatError } from './dns-errors.ts';

/** Reads big-endian integers and byte runs from a message, refusing to read past its end. */
export class DnsReader {
  /** The next byte to read. */
  offset: number;

  constructor(
    /** The whole message (pointers in names are offsets from its start). */
    readonly message: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return Math.max(0, this.message.length - this.offset);
  }

  /** One unsigned byte. */
  u8(): number {
    this.need(1, 'a byte');
    return this.message[this.offset++]!;
  }

  /** An unsigned 16-bit integer, big-endian. */
  u16(): number {
    this.need(2, 'a 16-bit field');
    const value = this.message.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  /** An unsigned 32-bit integer, big-endian. */
  u32(): number {
    this.need(4, 'a 32-bit field');
    const value = this.message.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** The next `length` bytes (a view into the message, not a copy). */
  bytes(length: number): Buffer {
    this.need(length, `${length} bytes`);
    const view = this.message.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  /** Moves the cursor past `length` bytes. */
  skip(length: number): void {
    this.need(length, `${length} bytes`);
    this.offset += length;
  }

  /** Throws `truncated` unless `length` more bytes are there. */
  private need(length: number, what: string): void {
    if (this.offset + length > this.message.length) {
      throw new DnsFormatError('truncated', this.offset, `expected ${what}, but the message ends after ${this.remaining} more`);
    }
  }
}
