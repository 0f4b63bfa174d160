/**
 * Encoding responses for the wire (RFC 1939 §3). Pure functions: no sockets.
 *
 * A one-line response:
 *
 *   +OK <text> CRLF          or          -ERR <text> CRLF
 *
 * A multi-line response (LIST, UIDL, CAPA, RETR, TOP):
 *
 *   +OK <text> CRLF
 *   <line 1> CRLF            each line byte-stuffed: a line that starts with "."
 *   …                        is sent with one more "." in front ("..x" for ".x")
 *   <line n> CRLF
 *   . CRLF                   the terminator: a line holding only "."
 *
 * The client removes one leading "." from every line that starts with one, so
 * a message line holding a single "." arrives intact instead of ending the
 * response early.
 */
import { CRLF, TERMINATOR, type Response } from './pop3-constants.ts';

/** Byte-stuffs one line of text: `.x` → `..x`, anything else unchanged. */
export function stuffLine(line: string): string {
  // TODO: a line starting with TERMINATOR gets one more in front
  throw new Error('TODO(06-pop3): stuffLine');
}

/**
 * Encodes a response for the wire:
 *
 *   <status> [SP <text>] CRLF                      (every response; no space when there is no text)
 *   <byte-stuffed line> CRLF …  "." CRLF           (multi-line responses only)
 */
export function encodeResponse(response: Response): string {
  // TODO: the status line: status, a space and the text (none if it is empty; replace any CR or LF in it:
  //       text may quote the client), CRLF
  // TODO: no `lines` → done; otherwise every line byte-stuffed (stuffLine) with CRLF, then TERMINATOR and CRLF
  throw new Error('TODO(06-pop3): encodeResponse');
}

/**
 * Cuts a stored message into its lines, without their line ends. A line ends
 * at LF, and a CR right before that LF belongs to the line end (CRLF and bare
 * LF files give the same lines). A last line without a line end is a line too;
 * an empty file has no lines. The lines share memory with `bytes`.
 */
export function splitLines(bytes: Buffer): Buffer[] {
  // TODO: find each LF (bytes.indexOf(0x0a, start)); the line is start..LF, minus a CR just before the LF
  // TODO: bytes after the last LF are a last line (unless there are none); use subarray, not copies
  throw new Error('TODO(06-pop3): splitLines');
}

/**
 * The body of a RETR or TOP response, ready for the wire (the `+OK` line goes
 * before it):
 *
 *   <line> CRLF …   every line of the message, line ends made CRLF, byte-stuffed
 *   "." CRLF        the terminator
 *
 * With `bodyLines` (TOP n k): all header lines, the empty line that ends them,
 * then only the first `bodyLines` lines of the body. Bytes are passed through
 * untouched otherwise (8-bit text stays 8-bit).
 */
export function encodeMessage(bytes: Buffer, bodyLines?: number): Buffer {
  // TODO: splitLines(bytes); for TOP keep the lines up to the first empty line (included) plus bodyLines more
  //       (no empty line at all: the whole message is header, send it all)
  // TODO: each line: an extra "." first if it starts with "." (0x2e), then the line, then CRLF
  // TODO: then ".\r\n"; Buffer.concat the pieces (work on bytes: a message is not necessarily UTF-8)
  throw new Error('TODO(06-pop3): encodeMessage');
}
