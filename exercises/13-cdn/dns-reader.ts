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
    // TODO: how many bytes of the message come after `offset` (never negative).
    throw new Error('TODO(13-cdn): DnsReader.remaining');
  }

  /** One unsigned byte. */
  u8(): number {
    // TODO: the byte at `offset`, and move past it; DnsFormatError 'truncated' when there is none.
    throw new Error('TODO(13-cdn): DnsReader.u8');
  }

  /** An unsigned 16-bit integer, big-endian. */
  u16(): number {
    // TODO: as u8, for two bytes. A read that fails must leave `offset` where it was.
    throw new Error('TODO(13-cdn): DnsReader.u16');
  }

  /** An unsigned 32-bit integer, big-endian. */
  u32(): number {
    // TODO: as u8, for four bytes; unsigned (0xffffffff, never -1).
    throw new Error('TODO(13-cdn): DnsReader.u32');
  }

  /** The next `length` bytes (a view into the message, not a copy). */
  bytes(length: number): Buffer {
    // TODO: the next `length` bytes, and move past them; 'truncated' when fewer are left.
    throw new Error('TODO(13-cdn): DnsReader.bytes');
  }

  /** Moves the cursor past `length` bytes. */
  skip(length: number): void {
    // TODO: as bytes(), without returning them.
    throw new Error('TODO(13-cdn): DnsReader.skip');
  }
}
