/**
 * Bencode (BEP 3) over bytes: encode, strict decode, and the exact byte span
 * of a value inside a larger input (what an info_hash is computed over).
 *
 * Strings are bytes, never text: decoding gives Uint8Array views and never
 * guesses an encoding, so whatever bytes came in go out again unchanged.
 */
import { BencodeError } from './bencode-error.ts';
import {
  BENCODE,
  MAX_NESTING,
  type BencodeDictionary,
  type BencodeInput,
  type BencodeSpan,
  type BencodeValue,
} from './bencode-types.ts';

/**
 * Encodes a value as bencode.
 *
 *   integer   i<decimal>e          no leading zeros, no `-0`
 *   string    <length>:<bytes>     length in bytes, decimal
 *   list      l<value>…e
 *   dict      d<key><value>…e      keys sorted by their raw bytes
 *
 * Throws a TypeError for what bencode cannot express (a fraction, a key that is
 * not one byte per character): that is a bug in the caller, not bad input.
 */
export function encode(value: BencodeInput): Uint8Array {
  const chunks: Uint8Array[] = [];
  encodeInto(value, chunks);
  return Buffer.concat(chunks);
}

function encodeInto(value: BencodeInput, out: Uint8Array[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`bencode integers must be safe integers, got ${value}`);
    out.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(Buffer.from(`${bytes.length}:`, 'latin1'), bytes);
  } else if (value instanceof Uint8Array) {
    out.push(Buffer.from(`${value.length}:`, 'latin1'), value);
  } else if (Array.isArray(value)) {
    out.push(LIST_START);
    for (const item of value as readonly BencodeInput[]) encodeInto(item, out);
    out.push(END);
  } else if (typeof value === 'object' && value !== null) {
    const dict = value as { readonly [key: string]: BencodeInput | undefined };
    // One character per byte, so the default code-unit sort is the raw byte order.
    const keys = Object.keys(dict).filter((k) => dict[k] !== undefined).sort();
    out.push(DICTIONARY_START);
    for (const key of keys) {
      if (!/^[\x00-\xff]*$/.test(key)) throw new TypeError(`bencode dictionary key ${JSON.stringify(key)} is not one byte per character (latin1)`);
      const keyBytes = Buffer.from(key, 'latin1');
      out.push(Buffer.from(`${keyBytes.length}:`, 'latin1'), keyBytes);
      encodeInto(dict[key] as BencodeInput, out);
    }
    out.push(END);
  } else {
    throw new TypeError(`bencode has no way to write ${value === null ? 'null' : typeof value}`);
  }
}

const LIST_START = Uint8Array.of(BENCODE.LIST);
const DICTIONARY_START = Uint8Array.of(BENCODE.DICTIONARY);
const END = Uint8Array.of(BENCODE.END);

/**
 * Decodes exactly one bencoded value that fills all of `bytes`.
 * Strict: anything but the one canonical encoding throws a {@link BencodeError}
 * with the offset where the input went wrong, and so does trailing data.
 */
export function decode(bytes: Uint8Array): BencodeValue {
  const { value, end } = decodeAt(bytes, 0);
  if (end !== bytes.length) throw new BencodeError(end, 'trailing-data', `${bytes.length - end} bytes after the value`);
  return value;
}

/**
 * Decodes the one value that starts at `offset` and says where it ends; what
 * follows is left alone (a peer message may carry raw bytes after a bencoded
 * dictionary). Offsets in errors count from the start of `bytes`.
 */
export function decodeAt(bytes: Uint8Array, offset: number): { value: BencodeValue; end: number } {
  const decoder = new Decoder(bytes, offset);
  const value = decoder.value(0);
  return { value, end: decoder.pos };
}

/**
 * Finds the value reached from the top-level dictionary by following `path`
 * (dictionary keys), e.g. `locate(torrent, ['info'])`, and returns it with its
 * exact byte span, so `bytes.subarray(start, end)` are the bytes as they
 * appear in the input. The whole input is validated first (strict, like
 * {@link decode}); returns undefined when a key is missing or not a dictionary.
 */
export function locate(bytes: Uint8Array, path: readonly string[]): BencodeSpan | undefined {
  let value = decode(bytes);
  let start = 0;
  let end = bytes.length;
  for (const wanted of path) {
    if (!isDictionary(value)) return undefined;
    // The input is already known to be valid, so walk the pairs of this dictionary.
    let pos = start + 1;
    let found = false;
    while (bytes[pos] !== BENCODE.END) {
      const key = decodeAt(bytes, pos);
      const item = decodeAt(bytes, key.end);
      if (latin1(key.value as Uint8Array) === wanted) {
        ({ value } = item);
        start = key.end;
        end = item.end;
        found = true;
        break;
      }
      pos = item.end;
    }
    if (!found) return undefined;
  }
  return { value, start, end };
}

/** True for a decoded dictionary (not a list, string or integer). */
export function isDictionary(value: BencodeValue | undefined): value is BencodeDictionary {
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= BENCODE.DIGIT_0 && byte <= BENCODE.DIGIT_9;
}

/** A cursor over the input; each method consumes one value and leaves `pos` just past it. */
class Decoder {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  value(depth: number): BencodeValue {
    const byte = this.peek('a value');
    if (byte === BENCODE.INTEGER) return this.integer();
    if (byte === BENCODE.LIST) return this.list(depth + 1);
    if (byte === BENCODE.DICTIONARY) return this.dictionary(depth + 1);
    if (isDigit(byte)) return this.string();
    throw new BencodeError(this.pos, 'unexpected-byte', `0x${byte.toString(16).padStart(2, '0')} cannot start a value`);
  }

  /** i<digits>e, read byte by byte so the error points at the first bad byte. */
  private integer(): number {
    const start = this.pos++;
    const negative = this.peek('an integer') === BENCODE.MINUS;
    if (negative) this.pos++;
    const magnitude = this.digits('an integer', negative ? 'negative-zero' : 'leading-zero', start);
    this.expect(BENCODE.END, 'the `e` ending an integer');
    return negative ? -magnitude : magnitude;
  }

  /** <length>:<bytes>; the bytes are a view into the input. */
  private string(): Uint8Array {
    const start = this.pos;
    const length = this.digits('a string length', 'leading-zero', start);
    this.expect(BENCODE.COLON, 'the `:` after a string length');
    if (length > this.bytes.length - this.pos) {
      throw new BencodeError(this.bytes.length, 'unexpected-end', `the string at ${start} declares ${length} bytes, ${this.bytes.length - this.pos} are left`);
    }
    const value = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  private list(depth: number): BencodeValue[] {
    this.enter(depth);
    const items: BencodeValue[] = [];
    while (this.peek('a list item or `e`') !== BENCODE.END) items.push(this.value(depth));
    this.pos++;
    return items;
  }

  private dictionary(depth: number): BencodeDictionary {
    this.enter(depth);
    const dict = Object.create(null) as BencodeDictionary;
    let previous: Uint8Array | undefined;
    while (this.peek('a dictionary key or `e`') !== BENCODE.END) {
      const keyStart = this.pos;
      if (!isDigit(this.bytes[keyStart])) throw new BencodeError(keyStart, 'key-not-string', 'a dictionary key must be a byte string');
      const key = this.string();
      if (previous !== undefined) {
        const order = Buffer.compare(previous, key);
        if (order === 0) throw new BencodeError(keyStart, 'duplicate-key', `key ${JSON.stringify(latin1(key))} appears twice`);
        if (order > 0) throw new BencodeError(keyStart, 'unsorted-key', `key ${JSON.stringify(latin1(key))} comes after ${JSON.stringify(latin1(previous))}`);
      }
      previous = key;
      dict[latin1(key)] = this.value(depth);
    }
    this.pos++;
    return dict;
  }

  /** Non-negative decimal digits; a `0` must stand alone (`zeroRule` names the mistake otherwise). */
  private digits(what: string, zeroRule: 'leading-zero' | 'negative-zero', start: number): number {
    const first = this.peek(what);
    if (!isDigit(first)) throw new BencodeError(this.pos, 'unexpected-byte', `expected a digit in ${what}`);
    if (first === BENCODE.DIGIT_0) {
      if (zeroRule === 'negative-zero') throw new BencodeError(this.pos, 'negative-zero', '-0 is not allowed (and no leading zeros either)');
      this.pos++;
      if (isDigit(this.bytes[this.pos])) throw new BencodeError(this.pos, 'leading-zero', `${what} has a leading zero`);
      return 0;
    }
    let value = 0;
    while (isDigit(this.bytes[this.pos])) {
      value = value * 10 + ((this.bytes[this.pos] as number) - BENCODE.DIGIT_0);
      this.pos++;
    }
    if (!Number.isSafeInteger(value)) throw new BencodeError(start, 'integer-too-large', `${what} is larger than 2^53-1`);
    return value;
  }

  private expect(byte: number, what: string): void {
    if (this.peek(what) !== byte) throw new BencodeError(this.pos, 'unexpected-byte', `expected ${what}`);
    this.pos++;
  }

  /** The byte at the cursor; running out of input is an error at the input's length. */
  private peek(what: string): number {
    const byte = this.bytes[this.pos];
    if (byte === undefined) throw new BencodeError(this.bytes.length, 'unexpected-end', `input ended where ${what} was expected`);
    return byte;
  }

  private enter(depth: number): void {
    if (depth > MAX_NESTING) throw new BencodeError(this.pos, 'too-deep', `nested deeper than ${MAX_NESTING} levels`);
    this.pos++;
  }
}
