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
  // TODO: numbers → `i42e` (reject non-integers); JS strings → their UTF-8 bytes as a byte string;
  // TODO: Uint8Array → `<length>:<bytes>`; arrays → `l…e`;
  // TODO: objects → `d…e` with the keys (latin1: one byte per character) sorted, skipping undefined values.
  void BENCODE;
  throw new Error(`TODO(08-metainfo): encode ${typeof value}`);
}

/**
 * Decodes exactly one bencoded value that fills all of `bytes`.
 * Strict: anything but the one canonical encoding throws a {@link BencodeError}
 * with the offset where the input went wrong, and so does trailing data.
 */
export function decode(bytes: Uint8Array): BencodeValue {
  // TODO: decodeAt(bytes, 0), then anything left over is `trailing-data` at the value's end.
  throw new Error(`TODO(08-metainfo): decode ${bytes.length} bytes`);
}

/**
 * Decodes the one value that starts at `offset` and says where it ends; what
 * follows is left alone (a peer message may carry raw bytes after a bencoded
 * dictionary). Offsets in errors count from the start of `bytes`.
 */
export function decodeAt(bytes: Uint8Array, offset: number): { value: BencodeValue; end: number } {
  // TODO: look at the byte at `offset`: `i` integer, `l` list, `d` dictionary, a digit starts a string.
  // TODO: read byte by byte and throw new BencodeError(offset, reason) at the first byte that cannot be right.
  // TODO: dictionaries: keys must be strings, each greater (raw bytes) than the one before; store them latin1.
  // TODO: refuse to nest deeper than MAX_NESTING (`too-deep`).
  void BencodeError;
  void MAX_NESTING;
  throw new Error(`TODO(08-metainfo): decodeAt ${bytes.length} bytes from ${offset}`);
}

/**
 * Finds the value reached from the top-level dictionary by following `path`
 * (dictionary keys), e.g. `locate(torrent, ['info'])`, and returns it with its
 * exact byte span, so `bytes.subarray(start, end)` are the bytes as they
 * appear in the input. The whole input is validated first (strict, like
 * {@link decode}); returns undefined when a key is missing or not a dictionary.
 */
export function locate(bytes: Uint8Array, path: readonly string[]): BencodeSpan | undefined {
  // TODO: decode(bytes) to validate; then walk: in each dictionary, decodeAt the key and the value
  // TODO: in turn; the value under the wanted key starts where its key ended.
  throw new Error(`TODO(08-metainfo): locate ${path.join('.')} in ${bytes.length} bytes`);
}

/** True for a decoded dictionary (not a list, string or integer). */
export function isDictionary(value: BencodeValue | undefined): value is BencodeDictionary {
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}
