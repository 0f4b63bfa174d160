/**
 * The shouting protocol: a client sends lines, the server answers each one
 * with exactly one line. Pure (no sockets), so every rule can be tested alone.
 *
 *   C: hello, world          S: OK HELLO, WORLD
 *   C:                       S: ERR empty line
 *   C: quit                  S: BYE            (then the server closes)
 *
 * Lines end with CR LF in both directions (a bare LF is accepted from
 * clients, as many real servers do, so `nc` without -C works too).
 */

/** Longest line the server accepts, in bytes of UTF-8 without the line end. */
export const MAX_LINE_BYTES = 1024;

/** The command that ends a session, compared without regard to case. */
export const QUIT_COMMAND = 'QUIT';

/** First word of a reply to an ordinary line; the upper-cased line follows after one space. */
export const OK_WORD = 'OK';

/** The whole reply to QUIT; the server closes the connection after sending it. */
export const BYE_REPLY = 'BYE';

/** First word of every error reply; a reason follows after one space. */
export const ERR_WORD = 'ERR';

/** Reply to a line with nothing in it. */
export const EMPTY_LINE_REPLY = `${ERR_WORD} empty line`;

/** Reply to a line longer than {@link MAX_LINE_BYTES} (the rest of that line is skipped). */
export const LINE_TOO_LONG_REPLY = `${ERR_WORD} line too long (max ${MAX_LINE_BYTES} bytes)`;

/** What the server does with one line. */
export interface LineReply {
  /** The reply line, without its CR LF. */
  readonly text: string;
  /** True when the server must close the connection after sending `text`. */
  readonly close: boolean;
}

/**
 * Decides the reply to one line (given without its line end).
 *
 * @example replyTo('hello') // { text: 'OK HELLO', close: false }
 * @example replyTo('Quit')  // { text: 'BYE', close: true }
 */
export function replyTo(line: string): LineReply {
  if (line === '') return { text: EMPTY_LINE_REPLY, close: false };
  if (line.toUpperCase() === QUIT_COMMAND) return { text: BYE_REPLY, close: true };
  return { text: `${OK_WORD} ${line.toUpperCase()}`, close: false };
}
