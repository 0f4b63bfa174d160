/**
 * Reading an HTTP query string whose values are BINARY: `info_hash` and
 * `peer_id` are 20 raw bytes, percent-encoded one byte at a time
 * (`%12%34V%9A…`). Decoding them as UTF-8 (decodeURIComponent, URLSearchParams)
 * would corrupt every byte above 0x7f, so this works on bytes throughout.
 */
import { TrackerRequestError } from './request-error.ts';

const PERCENT = 0x25; // '%'
const PLUS = 0x2b; // '+': a space in form encoding
const SPACE = 0x20;

/**
 * Decodes one percent-encoded component into the bytes it stands for:
 * `%XX` is the byte 0xXX, `+` is a space, every other character is its own byte.
 * Throws {@link TrackerRequestError} on a `%` not followed by two hex digits.
 */
export function percentDecodeBytes(component: string): Buffer {
  const input = Buffer.from(component, 'latin1');
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === PERCENT) {
      const high = hexValue(input[i + 1]);
      const low = hexValue(input[i + 2]);
      if (high < 0 || low < 0) throw new TrackerRequestError(`malformed percent-encoding at character ${i} of "${component.slice(0, 64)}"`);
      out[n++] = (high << 4) | low;
      i += 2;
    } else {
      out[n++] = byte === PLUS ? SPACE : byte;
    }
  }
  return out.subarray(0, n);
}

/** The value of one hex digit byte, or -1 when it is not one (or missing). */
function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30; // 0-9
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10; // A-F
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10; // a-f
  return -1;
}

/**
 * Splits a raw query string (what follows `?`, still encoded) into its
 * parameters. A name may repeat (scrape sends several `info_hash`), so each
 * maps to the list of its values in order. Names are decoded as latin1 text.
 */
export function parseQuery(rawQuery: string): Map<string, Buffer[]> {
  const params = new Map<string, Buffer[]>();
  if (rawQuery === '') return params;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = percentDecodeBytes(eq < 0 ? pair : pair.slice(0, eq)).toString('latin1');
    const value = percentDecodeBytes(eq < 0 ? '' : pair.slice(eq + 1));
    const list = params.get(name);
    if (list) list.push(value);
    else params.set(name, [value]);
  }
  return params;
}
