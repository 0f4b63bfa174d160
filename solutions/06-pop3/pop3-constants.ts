/**
 * The words and numbers a POP3 server lives by (RFC 1939, RFC 2449). Given
 * complete: the same file in exercises/ and solutions/.
 *
 * Every response starts with a status indicator, a space and free text, and
 * ends in CRLF:
 *
 *   +OK 2 messages (320 octets)
 *   -ERR no such message
 *
 * A multi-line response (LIST, UIDL, RETR, TOP, CAPA) is a `+OK` line, then
 * its lines, then a line holding only `.`; a line that starts with `.` is sent
 * with one more `.` in front (byte-stuffing), so it cannot end the response early.
 */

/** The status indicators, in upper case as RFC 1939 §3 requires. */
export const STATUS = {
  /** The command worked. */
  OK: '+OK',
  /** It did not (unknown command, bad argument, wrong state, wrong password …). */
  ERR: '-ERR',
} as const;

/** `+OK` or `-ERR`. */
export type Status = (typeof STATUS)[keyof typeof STATUS];

/** Every line of the protocol ends with these two octets. */
export const CRLF = '\r\n';

/** The line that ends a multi-line response (after the CRLF of its last line). */
export const TERMINATOR = '.';

/** One response: a status line and, for multi-line responses, the lines after it. */
export interface Response {
  readonly status: Status;
  /** The text after `+OK ` or `-ERR ` on the status line. Never contains CR or LF. */
  readonly text: string;
  /** Present for a multi-line response: its lines (without CRLF, not yet byte-stuffed). */
  readonly lines?: readonly string[];
}

/** A one-line `+OK` response. */
export function ok(text: string): Response {
  return { status: STATUS.OK, text };
}

/** A one-line `-ERR` response. */
export function err(text: string): Response {
  return { status: STATUS.ERR, text };
}

/** A multi-line `+OK` response: the status line, then `lines`, then the terminator. */
export function okLines(text: string, lines: readonly string[]): Response {
  return { status: STATUS.OK, text, lines };
}

/** Limits, in octets. */
export const LIMITS = {
  /** A command line, CRLF included (RFC 2449 §4): longer lines get -ERR. */
  COMMAND_LINE: 255,
  /** One argument of a command (RFC 2449 §4). */
  ARGUMENT: 40,
  /** A status line of a response, CRLF included (RFC 2449 §4). */
  RESPONSE_LINE: 512,
} as const;

/** The commands we understand, as CAPA and the session name them. */
export const COMMANDS = {
  USER: 'USER',
  PASS: 'PASS',
  STAT: 'STAT',
  LIST: 'LIST',
  UIDL: 'UIDL',
  RETR: 'RETR',
  TOP: 'TOP',
  DELE: 'DELE',
  RSET: 'RSET',
  NOOP: 'NOOP',
  QUIT: 'QUIT',
  CAPA: 'CAPA',
} as const;

/** What CAPA (RFC 2449) lists: the optional commands we have, and who we are. */
export const CAPABILITIES = ['USER', 'UIDL', 'TOP', 'PIPELINING', 'IMPLEMENTATION wirelab'] as const;

/** The port POP3 servers listen on (110 needs privileges; tests use port 0). */
export const POP3_PORT = 110;

/**
 * How long a client may stay silent before we hang up (RFC 1939 §3: the
 * autologout timer is at least 10 minutes). Expiry closes the connection
 * WITHOUT entering UPDATE: nothing is deleted.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;

/** The `:2,` that a Maildir reader appends to a file name when it moves it from new/ to cur/. */
export const MAILDIR_INFO_SEPARATOR = ':2,';
