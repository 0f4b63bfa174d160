/**
 * The one error bencode decoding throws. It carries the byte offset where the
 * input stopped being valid bencode and a short machine-readable reason, so a
 * program (or a graded test) can tell "ended too early" from "keys out of
 * order" without parsing the message.
 *
 * This file is given complete: it is the same in exercises/ and solutions/.
 */
import { WirelabError } from 'wirelab';

/** Why a byte string is not valid bencode. */
export type BencodeErrorReason =
  /** The input ended in the middle of a value (or was empty). */
  | 'unexpected-end'
  /** A byte that cannot start a value, or is not allowed where it stands. */
  | 'unexpected-byte'
  /** An integer or a string length with a superfluous leading zero: `i03e`, `03:abc`. */
  | 'leading-zero'
  /** `i-0e`: zero has exactly one spelling, `i0e`. */
  | 'negative-zero'
  /** An integer larger than Number.MAX_SAFE_INTEGER (it would be silently rounded). */
  | 'integer-too-large'
  /** A dictionary key that is not a byte string. */
  | 'key-not-string'
  /** A dictionary key that is not greater (in raw bytes) than the one before it. */
  | 'unsorted-key'
  /** The same dictionary key twice. */
  | 'duplicate-key'
  /** Bytes left over after one complete value. */
  | 'trailing-data'
  /** Lists and dictionaries nested deeper than the decoder allows. */
  | 'too-deep';

/** The input is not valid bencode; `offset` is where it went wrong (see the exercise README). */
export class BencodeError extends WirelabError {
  override name = 'BencodeError';
  constructor(
    /** Byte offset into the input: where the bad byte, key or value is; the input length when it ended too early. */
    readonly offset: number,
    /** What kind of mistake, for programs. */
    readonly reason: BencodeErrorReason,
    /** A human explanation; the message is `bencode: <detail> at offset <offset>`. */
    detail: string = reason,
  ) {
    super(`bencode: ${detail} at offset ${offset}`);
  }
}
