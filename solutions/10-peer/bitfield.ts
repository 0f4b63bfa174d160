/**
 * A set of pieces as BitTorrent sends it in a `bitfield` message (BEP 3): one
 * bit per piece, the high bit of the first byte is piece 0, and the spare bits
 * after the last piece are zero.
 *
 *   pieces:  0 1 2 3 4 5 6 7 | 8 9 . . . . . .      (10 pieces)
 *   byte:    1 0 1 1 0 0 0 0 | 1 0 0 0 0 0 0 0  →  0xb0 0x80
 */
import { WirelabError } from 'wirelab';
import type { PieceSet } from './types.ts';

/** A bitfield that cannot be right for this torrent; `reason` says why. */
export class BitfieldError extends WirelabError {
  override name = 'BitfieldError';
  constructor(
    readonly reason: 'wrong-length' | 'spare-bits-set',
    message: string,
  ) {
    super(message);
  }
}

/** Bytes a bitfield of `size` pieces takes on the wire. */
export function bitfieldBytes(size: number): number {
  return Math.ceil(size / 8);
}

/** One bit per piece, high bit first. */
export class Bitfield implements PieceSet {
  /** The wire bytes, kept up to date (spare bits always zero). */
  private readonly bits: Uint8Array;
  private setCount = 0;

  /** An empty bitfield of `size` pieces. */
  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`a bitfield needs a piece count of 0 or more, got ${size}`);
    this.bits = new Uint8Array(bitfieldBytes(size));
  }

  /**
   * The bitfield a peer sent for a torrent of `size` pieces. Throws a
   * {@link BitfieldError} when it has the wrong number of bytes or a spare
   * bit set (the peer is broken or lying: drop it).
   */
  static fromBytes(bytes: Uint8Array, size: number): Bitfield {
    const field = new Bitfield(size);
    if (bytes.length !== field.bits.length) {
      throw new BitfieldError('wrong-length', `a bitfield for ${size} pieces is ${field.bits.length} bytes, got ${bytes.length}`);
    }
    const spare = field.bits.length * 8 - size;
    if (spare > 0 && (bytes[bytes.length - 1]! & ((1 << spare) - 1)) !== 0) {
      throw new BitfieldError('spare-bits-set', `the ${spare} spare bits after piece ${size - 1} must be zero`);
    }
    field.bits.set(bytes);
    for (const byte of bytes) field.setCount += popcount(byte);
    return field;
  }

  /** A bitfield with every piece set (a seed's). */
  static full(size: number): Bitfield {
    const field = new Bitfield(size);
    for (let i = 0; i < size; i++) field.set(i);
    return field;
  }

  /** True when piece `index` is in the set (false outside 0…size-1). */
  has(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return false;
    return (this.bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  }

  /** Adds piece `index`; a RangeError outside 0…size-1. */
  set(index: number): void {
    this.check(index);
    if (this.has(index)) return;
    this.bits[index >> 3]! |= 0x80 >> (index & 7);
    this.setCount++;
  }

  /** Removes piece `index`; a RangeError outside 0…size-1. */
  clear(index: number): void {
    this.check(index);
    if (!this.has(index)) return;
    this.bits[index >> 3]! &= ~(0x80 >> (index & 7));
    this.setCount--;
  }

  /** How many pieces are in the set. */
  get count(): number {
    return this.setCount;
  }

  /** True when every piece is in the set. */
  get complete(): boolean {
    return this.setCount === this.size;
  }

  /** A copy of the wire bytes (for a `bitfield` message). */
  toBytes(): Uint8Array {
    return this.bits.slice();
  }

  /** `1011…`: one character per piece, for transcripts and logs. */
  toString(): string {
    let text = '';
    for (let i = 0; i < this.size; i++) text += this.has(i) ? '1' : '0';
    return text;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`piece ${index} is outside 0…${this.size - 1}`);
    }
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b !== 0; b &= b - 1) n++;
  return n;
}
