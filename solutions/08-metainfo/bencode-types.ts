/**
 * The shapes bencode values take in TypeScript, and the bytes that delimit
 * them on the wire. Given complete: the same file in exercises/ and solutions/.
 *
 * Bencode (BEP 3) has four kinds of value:
 *
 *   integer      i<decimal>e           i42e   i-7e   i0e
 *   byte string  <length>:<bytes>      4:spam   0:
 *   list         l<values>e            l4:spami42ee
 *   dictionary   d<key><value>…e       d3:cow3:moo4:spam4:eggse   (keys: byte strings, sorted)
 */

/** What {@link decode} returns: strings stay bytes (a Uint8Array view into the input). */
export type BencodeValue = number | Uint8Array | BencodeValue[] | BencodeDictionary;

/**
 * A decoded dictionary. Keys are byte strings too; they are held in JS strings
 * with one character per byte (latin1), so ASCII keys such as `piece length`
 * read as themselves and a binary key (a 20-byte info_hash in a scrape reply)
 * survives a round trip unchanged. Decoded dictionaries have no prototype.
 */
export interface BencodeDictionary {
  [key: string]: BencodeValue;
}

/**
 * What {@link encode} accepts: a decoded value, or a friendlier one built by
 * hand. A JS string value is encoded as its UTF-8 bytes; a dictionary entry
 * whose value is `undefined` is left out (handy for optional fields).
 */
export type BencodeInput =
  | number
  | string
  | Uint8Array
  | readonly BencodeInput[]
  | { readonly [key: string]: BencodeInput | undefined };

/** The exact bytes of one value inside a larger bencoded input: `bytes.subarray(start, end)`. */
export interface BencodeSpan {
  /** The decoded value found there. */
  value: BencodeValue;
  /** Offset of its first byte (`i`, `l`, `d` or the first length digit). */
  start: number;
  /** Offset just past its last byte. */
  end: number;
}

/** The delimiter bytes of bencode, named. */
export const BENCODE = {
  /** `i`: an integer starts. */
  INTEGER: 0x69,
  /** `l`: a list starts. */
  LIST: 0x6c,
  /** `d`: a dictionary starts. */
  DICTIONARY: 0x64,
  /** `e`: ends an integer, a list or a dictionary. */
  END: 0x65,
  /** `:` separates a string's length from its bytes. */
  COLON: 0x3a,
  /** `-`: a negative integer. */
  MINUS: 0x2d,
  /** `0`…`9`. */
  DIGIT_0: 0x30,
  DIGIT_9: 0x39,
} as const;

/**
 * How deep lists and dictionaries may nest before the decoder gives up
 * (`too-deep`): a hostile `llllll…` must not overflow the call stack.
 * Real metainfo nests four levels at most.
 */
export const MAX_NESTING = 256;
