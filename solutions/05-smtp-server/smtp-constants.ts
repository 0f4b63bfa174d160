/**
 * The numbers an SMTP server lives by: reply codes (RFC 5321 §4.2.3), the
 * size limits (§4.5.3.1) and the extension keywords we advertise. Given
 * complete: the same file in exercises/ and solutions/.
 *
 * A reply is a three-digit code, a space (or a `-` on every line but the last
 * of a multi-line reply) and free text, each line ending in CRLF:
 *
 *   250-mail.test greets client.test
 *   250-PIPELINING
 *   250 SIZE 10485760
 */

/** Reply codes by name, so no handler ever writes a bare number. */
export const REPLY = {
  /** Greeting: the server is ready. */
  SERVICE_READY: 220,
  /** Answer to QUIT; the server closes the connection after it. */
  CLOSING: 221,
  /** AUTH: the credentials are good (RFC 4954). */
  AUTH_SUCCEEDED: 235,
  /** The command worked. */
  OK: 250,
  /** VRFY: we do not say whether a user exists, but will try to deliver. */
  CANNOT_VERIFY: 252,
  /** AUTH: send the next SASL response, one base64 line (RFC 4954). */
  AUTH_CONTINUE: 334,
  /** Answer to DATA: send the message, end it with CRLF.CRLF. */
  START_MAIL_INPUT: 354,
  /** Shutting down (or idle too long); the connection closes after it. */
  SERVICE_UNAVAILABLE: 421,
  /** Something broke on our side (a disk write failed): try again later. */
  LOCAL_ERROR: 451,
  /** One recipient too many for this transaction: send the rest later. */
  TOO_MANY_RECIPIENTS: 452,
  /** AUTH: the credentials could not be checked right now: try again later. */
  AUTH_TEMPORARY_FAILURE: 454,
  /** Unknown command, or a line longer than the limit. */
  UNKNOWN_COMMAND: 500,
  /** The command is known but its arguments are malformed. */
  SYNTAX_ERROR: 501,
  /** A command this server does not offer (AUTH when no password check is configured). */
  COMMAND_NOT_IMPLEMENTED: 502,
  /** The command is fine but not now (RCPT before MAIL, DATA before RCPT …). */
  BAD_SEQUENCE: 503,
  /** A command parameter we do not implement (an AUTH mechanism we do not know). */
  PARAMETER_NOT_IMPLEMENTED: 504,
  /** AUTH: wrong user name or password. */
  AUTH_FAILED: 535,
  /** We do not take mail for that mailbox (unknown user, or not our domain). */
  MAILBOX_UNAVAILABLE: 550,
  /** The message is bigger than we accept. */
  EXCEEDED_STORAGE: 552,
  /** The transaction failed (DATA when every recipient was refused). */
  TRANSACTION_FAILED: 554,
  /** MAIL or RCPT carried a parameter we do not know. */
  UNKNOWN_PARAMETER: 555,
} as const;

/** Any of the codes above. */
export type ReplyCode = (typeof REPLY)[keyof typeof REPLY];

/** One reply: a code and one or more lines of text. */
export interface Reply {
  readonly code: ReplyCode;
  /** One entry per line; a multi-line reply has several. Never contains CR or LF. */
  readonly lines: readonly string[];
}

/** Builds a reply from a code and its text lines. */
export function reply(code: ReplyCode, ...lines: string[]): Reply {
  return { code, lines: lines.length === 0 ? [''] : lines };
}

/**
 * Encodes a reply for the wire:
 *
 *   <code>-<text> CRLF      (every line but the last)
 *   <code> <text> CRLF      (the last line)
 */
export function encodeReply(r: Reply): string {
  const last = r.lines.length - 1;
  if (last === 0 && !HAS_UNPRINTABLE.test(r.lines[0]!)) return `${r.code} ${r.lines[0]}\r\n`; // the usual one-line reply
  let out = '';
  for (let i = 0; i <= last; i++) {
    out += `${r.code}${i === last ? ' ' : '-'}${r.lines[i]!.replace(UNPRINTABLE, '?')}\r\n`;
  }
  return out;
}

/** Text may quote what the client sent: a stray CR or LF must not end the reply early, and replies are ASCII. */
const UNPRINTABLE = /[^\x20-\x7e]/g;
const HAS_UNPRINTABLE = /[^\x20-\x7e]/;

/** Size limits of RFC 5321 §4.5.3.1, in octets. */
export const LIMITS = {
  /** A command line, CRLF included. */
  COMMAND_LINE: 512,
  /** A line of the message text, CRLF included. */
  TEXT_LINE: 1000,
  /** The local part of an address (before the `@`). */
  LOCAL_PART: 64,
  /** A domain name. */
  DOMAIN: 255,
  /** A whole path, angle brackets included: `<alice@a.test>`. */
  PATH: 256,
  /** Recipients a server must accept in one transaction (more get 452). */
  RECIPIENTS: 100,
  /** A line answering an AUTH challenge (334), CRLF included (RFC 4954 §4). */
  SASL_RESPONSE_LINE: 12288,
} as const;

/** Message size limit when none is configured (RFC 5321 asks for at least 64 KiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Extensions we implement, as the EHLO reply names them. Never STARTTLS: we do not speak TLS. */
export const EXTENSIONS = {
  PIPELINING: 'PIPELINING',
  SIZE: 'SIZE',
  EIGHT_BIT_MIME: '8BITMIME',
  /** RFC 4954; offered only when the server can check passwords. */
  AUTH: 'AUTH',
} as const;

/** The line that ends DATA (after the CRLF of the last message line). */
export const END_OF_DATA_LINE = '.';

/** How long a client may stay silent between commands (RFC 5321 §4.5.3.2.7 says 5 minutes). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
