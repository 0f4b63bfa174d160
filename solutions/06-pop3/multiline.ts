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

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CRLF_BYTES = Buffer.from(CRLF, 'latin1');
const DOT_BYTES = Buffer.from(TERMINATOR, 'latin1');
const TERMINATOR_LINE = Buffer.from(TERMINATOR + CRLF, 'latin1');

/** Text may quote what the client sent: a stray CR or LF must never end a line early. */
const LINE_BREAKS = /[\r\n]/g;

/** Byte-stuffs one line of text: `.x` → `..x`, anything else unchanged. */
export function stuffLine(line: string): string {
  return line.startsWith(TERMINATOR) ? TERMINATOR + line : line;
}

/**
 * Encodes a response for the wire:
 *
 *   <status> [SP <text>] CRLF                      (every response; no space when there is no text)
 *   <byte-stuffed line> CRLF …  "." CRLF           (multi-line responses only)
 */
export function encodeResponse(response: Response): string {
  const text = response.text.replace(LINE_BREAKS, ' ');
  let out = text === '' ? response.status + CRLF : `${response.status} ${text}${CRLF}`;
  if (response.lines === undefined) return out;
  for (const line of response.lines) out += stuffLine(line.replace(LINE_BREAKS, ' ')) + CRLF;
  return out + TERMINATOR + CRLF;
}

/**
 * Cuts a stored message into its lines, without their line ends. A line ends
 * at LF, and a CR right before that LF belongs to the line end (CRLF and bare
 * LF files give the same lines). A last line without a line end is a line too;
 * an empty file has no lines. The lines share memory with `bytes`.
 */
export function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const lf = bytes.indexOf(LF, start);
    if (lf === -1) break;
    const end = lf > start && bytes[lf - 1] === CR ? lf - 1 : lf;
    lines.push(bytes.subarray(start, end));
    start = lf + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
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
  const lines = splitLines(bytes);
  let count = lines.length;
  if (bodyLines !== undefined) {
    const blank = lines.findIndex((line) => line.length === 0);
    // No empty line: the whole message is header, and TOP sends all of it.
    if (blank !== -1) count = Math.min(lines.length, blank + 1 + bodyLines);
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const line = lines[i]!;
    if (line[0] === DOT) parts.push(DOT_BYTES);
    parts.push(line, CRLF_BYTES);
  }
  parts.push(TERMINATOR_LINE);
  return Buffer.concat(parts);
}
