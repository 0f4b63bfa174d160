/**
 * Parsing of command lines (RFC 1939 §3): a keyword of three or four letters,
 * case-insensitive, then arguments separated by single spaces:
 *
 *   USER bob
 *   PASS secret with spaces      (the password is the rest of the line)
 *   TOP 1 10
 *
 * Pure functions: no sockets, no state. The session decides what to answer.
 */
import { LIMITS } from './pop3-constants.ts';

/** A command line cut into its keyword (upper-cased) and its arguments. */
export interface Command {
  /** `USER`, `RETR` … always upper case, whatever the client sent. */
  readonly verb: string;
  /** Everything after the first space, as sent (PASS takes it whole: passwords may hold spaces). */
  readonly rest: string;
  /** The arguments, split at spaces (several spaces count as one); empty when there are none. */
  readonly args: readonly string[];
}

/** Either the parsed value or why it was refused (the text of the -ERR). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Splits `keyword SP args` and upper-cases the keyword (`retr 1` is RETR). */
export function parseCommand(line: string): Command {
  // TODO: cut at the first space: before it the verb (upper-cased), after it `rest` ('' when there is no space)
  // TODO: args = rest split at spaces, empty words dropped
  throw new Error('TODO(06-pop3): parseCommand');
}

/**
 * Reads a non-negative integer argument (`TOP n lines` line count): digits only.
 * @param what names the argument in the error text
 */
export function parseCount(arg: string | undefined, what: string): Parsed<number> {
  // TODO: missing → not ok; anything but digits (no sign, no "0x", no spaces) or longer than LIMITS.ARGUMENT → not ok
  // TODO: a number too large to be exact (Number.isSafeInteger) → not ok; otherwise ok with the value
  throw new Error('TODO(06-pop3): parseCount');
}

/**
 * Reads a message-number argument: digits only, from 1 to `count` (message
 * numbers start at 1; 0 never names a message). Whether the message is marked
 * deleted is the session's business.
 */
export function parseMessageNumber(arg: string | undefined, count: number): Parsed<number> {
  // TODO: parseCount, then 1 ≤ n ≤ count, else "no such message"
  throw new Error('TODO(06-pop3): parseMessageNumber');
}

/** Quotes client input for an error text: printable ASCII only, at most 40 characters. */
export function printable(text: string): string {
  return text.slice(0, LIMITS.ARGUMENT).replace(/[^\x21-\x7e]/g, '?');
}
