/**
 * Reading domain names (RFC 1035 §3.1, §4.1.4). A name is a run of labels,
 * each a length byte (1–63) and that many bytes, ended by a zero byte:
 *
 *   offset 12: 05 v i d e o 03 c d n 04 t e s t 00      video.cdn.test
 *
 * To save room, a name may end with a POINTER instead: two bytes whose top
 * two bits are 11 and whose other 14 bits are the offset of an earlier name
 * (or name suffix) in the same message; reading continues there.
 *
 *   offset 40: 03 w w w C0 12                            www. + (what is at 18) = www.cdn.test
 *                       └─ 0xC012: 11 000000 00010010 → offset 18, "cdn.test"
 *
 * A message from the network may point anywhere, so the reader refuses what
 * no real encoder writes: a pointer at itself, forward, into the header, or
 * in a loop. The rule that catches all of them at once: a pointer must jump
 * to before the start of the run of labels it ends. Each jump then lands
 * strictly earlier than the last one, so reading always finishes.
 */
import {
  DNS_HEADER_BYTES,
  LABEL_KIND_MASK,
  LABEL_KIND_NORMAL,
  LABEL_KIND_POINTER,
  MAX_NAME_BYTES,
  POINTER_OFFSET_MASK,
} from './dns-constants.ts';
import { DnsFormatError } from './dns-errors.ts';
import type { DecodedName } from './dns-types.ts';

const BACKSLASH = 0x5c;
const DOT = 0x2e;

/**
 * Reads the name that starts at `offset` of `message`, following pointers.
 * Throws {@link DnsFormatError}: `truncated`, `bad-label-type` (a length byte
 * 0x40–0xBF), `bad-pointer`, or `name-too-long` (over 255 bytes as it would
 * be written without pointers).
 */
export function decodeName(message: Buffer, offset: number): DecodedName {
  // TODO: read labels (a length byte 1–63, then that many bytes) until the zero byte, keeping each
  // TODO: label as text (labelText below) and the offset of its length byte.
  // TODO: a length byte with top bits 11 is a pointer: continue at the 14-bit offset it names.
  // TODO: `end` is where the name ends in the place it started: after its first pointer, or its zero byte.
  // TODO: refuse with DnsFormatError: a pointer that does not go back before the labels it ends
  // TODO: (forward, to itself, in a loop) or into the header ('bad-pointer'); top bits 01 or 10
  // TODO: ('bad-label-type'); more than 255 bytes as written without pointers ('name-too-long');
  // TODO: anything that runs past the end ('truncated'). Reading must always finish.
  throw new Error('TODO(13-cdn): decodeName');
}

/** A name's labels as text: `video.cdn.test`, or `.` for the root. */
export function nameText(labels: readonly string[]): string {
  return labels.length === 0 ? '.' : labels.join('.');
}

/**
 * One label in presentation form (RFC 1035 §5.1, as dig prints it): printable
 * ASCII as itself, `\.` and `\\` for a dot and a backslash inside the label,
 * `\DDD` for any other byte. Names then compare as text, and two different
 * labels never print alike.
 */
function labelText(message: Buffer, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length; i++) {
    const byte = message[i]!;
    if (byte === DOT || byte === BACKSLASH) text += `\\${String.fromCharCode(byte)}`;
    else if (byte > 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\${byte.toString().padStart(3, '0')}`;
  }
  return text;
}
