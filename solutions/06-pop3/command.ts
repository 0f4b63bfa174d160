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
  const space = line.indexOf(' ');
  const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
  const rest = space === -1 ? '' : line.slice(space + 1);
  const args = rest.split(' ').filter((word) => word !== '');
  return { verb, rest, args };
}

/** A decimal number written with digits only (no sign, no spaces), within the argument limit. */
const DIGITS = /^\d+$/;

/**
 * Reads a non-negative integer argument (`TOP n lines` line count): digits only.
 * @param what names the argument in the error text
 */
export function parseCount(arg: string | undefined, what: string): Parsed<number> {
  if (arg === undefined) return { ok: false, reason: `${what} missing` };
  if (!DIGITS.test(arg) || arg.length > LIMITS.ARGUMENT) return { ok: false, reason: `${what} must be a number, got ${printable(arg)}` };
  const value = Number(arg);
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `${what} too large` };
  return { ok: true, value };
}

/**
 * Reads a message-number argument: digits only, from 1 to `count` (message
 * numbers start at 1; 0 never names a message). Whether the message is marked
 * deleted is the session's business.
 */
export function parseMessageNumber(arg: string | undefined, count: number): Parsed<number> {
  const parsed = parseCount(arg, 'message number');
  if (!parsed.ok) return parsed;
  if (parsed.value < 1 || parsed.value > count) {
    return { ok: false, reason: `no such message, only ${count} message${count === 1 ? '' : 's'} in maildrop` };
  }
  return parsed;
}

/** Quotes client input for an error text: printable ASCII only, at most 40 characters. */
export function printable(text: string): string {
  return text.slice(0, LIMITS.ARGUMENT).replace(/[^\x21-\x7e]/g, '?');
}
