/**
 * Reading an HTTP query string whose values are BINARY: `info_hash` and
 * `peer_id` are 20 raw bytes, percent-encoded one byte at a time
 * (`%12%34V%9A…`). Decoding them as UTF-8 (decodeURIComponent, URLSearchParams)
 * would corrupt every byte above 0x7f, so this works on bytes throughout.
 */
import { TrackerRequestError } from './request-error.ts';

/**
 * Decodes one percent-encoded component into the bytes it stands for:
 * `%XX` is the byte 0xXX, `+` is a space, every other character is its own byte.
 * Throws {@link TrackerRequestError} on a `%` not followed by two hex digits.
 */
export function percentDecodeBytes(component: string): Buffer {
  // TODO: walk the characters; `%` + two hex digits → one byte; `+` → 0x20; else the character's own byte.
  // TODO: a bad escape → throw new TrackerRequestError('malformed percent-encoding …')
  throw new Error('TODO(09-tracker): percentDecodeBytes');
}

/**
 * Splits a raw query string (what follows `?`, still encoded) into its
 * parameters. A name may repeat (scrape sends several `info_hash`), so each
 * maps to the list of its values in order. Names are decoded as latin1 text.
 */
export function parseQuery(rawQuery: string): Map<string, Buffer[]> {
  // TODO: split on `&`, then on the first `=`; decode both sides with percentDecodeBytes.
  throw new Error('TODO(09-tracker): parseQuery');
}
