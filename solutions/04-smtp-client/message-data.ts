/**
 * The message as it goes on the wire after `354` (RFC 5321 §4.1.1.4, §4.5.2):
 *
 *   line CRLF line CRLF … line CRLF "." CRLF
 *
 * - Every line ends with CRLF. SMTP forbids a bare CR or a bare LF (§2.3.8),
 *   so whatever the input used becomes CRLF: CRLF stays, a lone LF (Unix) and
 *   a lone CR (old Macs) each become CRLF. `CR CR LF` is therefore two line ends.
 * - A message that does not end with a line end gets one: the CRLF before the
 *   final dot belongs to the last line.
 * - A line that starts with `.` gets one more `.` in front (dot-stuffing), so
 *   no line of the message can be mistaken for the lone `.` that ends it. The
 *   server removes that dot again.
 * - Every other byte, 8-bit ones included, passes untouched.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** What ends the data: the lone dot line (the CRLF before it ends the last message line). */
export const END_OF_DATA = Buffer.from('.\r\n', 'latin1');

/**
 * Gives every line a CRLF end, whatever the input used (CRLF, LF or a lone
 * CR), and ends the message with CRLF if it does not end with a line end.
 * The result is what the server stores, and the size SIZE= announces.
 * An empty message stays empty. Strings are encoded as UTF-8.
 */
export function normaliseLineEnds(message: Buffer | string): Buffer {
  const input = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  // Worst case every byte is a lone CR or LF and doubles; +2 for a final CRLF.
  const out = Buffer.allocUnsafe(input.length * 2 + 2);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === CR) {
      if (input[i + 1] === LF) i++; // CRLF: one line end, not two
      out[n++] = CR;
      out[n++] = LF;
    } else if (byte === LF) {
      out[n++] = CR;
      out[n++] = LF;
    } else {
      out[n++] = byte;
    }
  }
  if (n > 0 && out[n - 1] !== LF) {
    out[n++] = CR;
    out[n++] = LF;
  }
  return out.subarray(0, n);
}

/**
 * Doubles the dot at the start of every line of a message whose line ends
 * are already CRLF (see {@link normaliseLineEnds}): `".hi\r\n"` → `"..hi\r\n"`.
 */
export function dotStuff(normalised: Buffer): Buffer {
  let dots = 0;
  for (let i = 0; i < normalised.length; i++) {
    if (normalised[i] === DOT && (i === 0 || normalised[i - 1] === LF)) dots++;
  }
  if (dots === 0) return normalised;
  const out = Buffer.allocUnsafe(normalised.length + dots);
  let n = 0;
  for (let i = 0; i < normalised.length; i++) {
    const byte = normalised[i]!;
    if (byte === DOT && (i === 0 || normalised[i - 1] === LF)) out[n++] = DOT;
    out[n++] = byte;
  }
  return out;
}

/**
 * Everything the client writes after the server's `354`: the message with
 * CRLF line ends, dot-stuffed, then `.` CRLF. Together with the CRLF ending
 * the last line that is the `CRLF.CRLF` the server waits for.
 */
export function encodeMessageData(message: Buffer | string): Buffer {
  return Buffer.concat([dotStuff(normaliseLineEnds(message)), END_OF_DATA]);
}

/** True when the message holds a byte above 127 (then it needs 8BITMIME to be sent as it is). */
export function hasEightBitBytes(message: Buffer): boolean {
  for (const byte of message) if (byte > 0x7f) return true;
  return false;
}
