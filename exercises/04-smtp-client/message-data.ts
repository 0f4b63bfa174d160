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

/** What ends the data: the lone dot line (the CRLF before it ends the last message line). */
export const END_OF_DATA = Buffer.from('.\r\n', 'latin1');

/**
 * Gives every line a CRLF end, whatever the input used (CRLF, LF or a lone
 * CR), and ends the message with CRLF if it does not end with a line end.
 * The result is what the server stores, and the size SIZE= announces.
 * An empty message stays empty. Strings are encoded as UTF-8.
 */
export function normaliseLineEnds(message: Buffer | string): Buffer {
  // TODO: work on bytes (Buffer.from(string, 'utf8')), never on a decoded string: 8-bit bytes must survive.
  // TODO: CR LF → CR LF, lone LF → CR LF, lone CR → CR LF; every other byte as it is.
  // TODO: a non-empty message that does not end with a line end gets a CR LF.
  throw new Error(`TODO(04-smtp-client): normaliseLineEnds (${message.length} bytes)`);
}

/**
 * Doubles the dot at the start of every line of a message whose line ends
 * are already CRLF (see {@link normaliseLineEnds}): `".hi\r\n"` → `"..hi\r\n"`.
 */
export function dotStuff(normalised: Buffer): Buffer {
  // TODO: a line starts at offset 0 and right after every LF; if its first byte is '.', put another '.' before it.
  throw new Error(`TODO(04-smtp-client): dotStuff (${normalised.length} bytes)`);
}

/**
 * Everything the client writes after the server's `354`: the message with
 * CRLF line ends, dot-stuffed, then `.` CRLF. Together with the CRLF ending
 * the last line that is the `CRLF.CRLF` the server waits for.
 */
export function encodeMessageData(message: Buffer | string): Buffer {
  // TODO: normalise, stuff, then END_OF_DATA.
  throw new Error(`TODO(04-smtp-client): encodeMessageData (${message.length} bytes)`);
}

/** True when the message holds a byte above 127 (then it needs 8BITMIME to be sent as it is). */
export function hasEightBitBytes(message: Buffer): boolean {
  for (const byte of message) if (byte > 0x7f) return true;
  return false;
}
