/**
 * SMTP replies, without sockets: one line at a time in, whole replies out.
 *
 * A reply is one or more lines with the same three-digit code (RFC 5321 §4.2):
 *
 *   250-mx.example.test greets client.test     code[3] "-" text   more lines follow
 *   250-SIZE 10240000
 *   250 8BITMIME                               code[3] " " text   the last line
 *
 * A last line may also be the bare code (`250`). The first digit says what
 * happened: 2 done, 3 go on (after DATA), 4 failed for now, 5 failed for good.
 */
import { ProtocolError } from 'wirelab';

/** A complete reply: its code and the text of each of its lines. */
export interface SmtpReply {
  /** The three-digit reply code, e.g. 250. */
  readonly code: number;
  /** The text of each line, without the code and the separator; `['OK']` for `250 OK`. */
  readonly lines: readonly string[];
}

/** One line of a reply, parsed. */
export interface ReplyLine {
  /** The three-digit reply code. */
  readonly code: number;
  /** True for the last line of a reply (separator space, or nothing after the code). */
  readonly last: boolean;
  /** What follows the separator; `''` when there is nothing. */
  readonly text: string;
}

/** Separator after the code on every line but the last. */
export const CONTINUATION = '-';
/** Separator after the code on the last line. */
export const LAST_LINE = ' ';

/**
 * Parses one reply line, given without its CRLF:
 * `"250-SIZE 1000"` → `{ code: 250, last: false, text: 'SIZE 1000' }`,
 * `"250 OK"` and `"250"` are last lines.
 * @throws ProtocolError when the line does not start with a reply code followed by a space, a hyphen or nothing.
 */
export function parseReplyLine(line: string): ReplyLine {
  // TODO: three digits, the first 2 to 5; then "-" (more lines follow), " " or nothing (last line); then the text.
  // TODO: anything else: throw new ProtocolError(`not an SMTP reply line: …`, 'smtp', line)
  throw new Error(`TODO(04-smtp-client): parseReplyLine(${JSON.stringify(line)})`);
}

/**
 * Collects the lines of one reply: `push` each line as it arrives; it returns
 * the reply once the last line came, `undefined` while more lines must follow.
 * After a complete reply the assembler is empty again, ready for the next one.
 */
export class ReplyAssembler {
  private code: number | undefined;
  private lines: string[] = [];

  /**
   * Adds one line (without its CRLF).
   * @throws ProtocolError when the line is not a reply line, or its code differs from the first line's.
   */
  push(line: string): SmtpReply | undefined {
    // TODO: parse the line; a code different from the first line's is a ProtocolError.
    // TODO: keep its text; on the last line return { code, lines } and start afresh.
    throw new Error(`TODO(04-smtp-client): ReplyAssembler.push(${JSON.stringify(line)}) (so far ${this.code} ${this.lines.length} lines)`);
  }

  /** True when some lines of a reply arrived but not its last one. */
  get pending(): boolean {
    return this.code !== undefined;
  }
}

/** The text of a reply as one string, lines joined with `\n`: for messages and errors. */
export function replyText(reply: SmtpReply): string {
  return reply.lines.join('\n');
}

/** The first digit of a reply code: 2 done, 3 go on, 4 temporary failure, 5 permanent failure. */
export function replyClass(code: number): 2 | 3 | 4 | 5 {
  return Math.floor(code / 100) as 2 | 3 | 4 | 5;
}
