/**
 * The command lines a client sends (RFC 5321 §4.1.1), each ending with CRLF.
 * Pure functions: the client writes what these return.
 */
import { InvalidAddressError } from './smtp-errors.ts';

/** Ends every command line. */
export const CRLF = '\r\n';
/** Asks the server to take the message that follows. */
export const DATA_COMMAND = `DATA${CRLF}`;
/** Abandons the current transaction; the connection stays usable. */
export const RSET_COMMAND = `RSET${CRLF}`;
/** Ends the session; the server answers 221 and closes. */
export const QUIT_COMMAND = `QUIT${CRLF}`;

/** Longest path RFC 5321 §4.5.3.1.3 allows, with its angle brackets. */
export const MAX_PATH_OCTETS = 256;

/** The parameters this client puts after `MAIL FROM:<…>`. */
export interface MailParams {
  /** RFC 1870: the message size in octets, sent only when the server offers SIZE. */
  size?: number;
  /** RFC 6152: `BODY=8BITMIME`, sent when the message has 8-bit bytes and the server offers 8BITMIME. */
  eightBitMime?: boolean;
}

/**
 * Checks that an address can go between `<` and `>`: no line breaks (they
 * would smuggle in a second command), no spaces, brackets or control bytes,
 * and no longer than a path may be. The empty address is the null
 * reverse-path `<>` that bounces use.
 * @throws InvalidAddressError
 */
export function checkAddress(address: string): void {
  if (/[\r\n]/.test(address)) throw new InvalidAddressError(address, 'contains a line break');
  if (/[<>\s\x00-\x1f\x7f]/.test(address)) throw new InvalidAddressError(address, 'contains a space, a control character or an angle bracket');
  if (Buffer.byteLength(address, 'utf8') + 2 > MAX_PATH_OCTETS) {
    throw new InvalidAddressError(address, `is longer than ${MAX_PATH_OCTETS - 2} octets`);
  }
}

/** `EHLO <name>` CRLF: the greeting that asks for the server's extensions. */
export function ehloCommand(clientName: string): string {
  return `EHLO ${clientName}${CRLF}`;
}

/** `HELO <name>` CRLF: the old greeting, for servers that refuse EHLO. */
export function heloCommand(clientName: string): string {
  return `HELO ${clientName}${CRLF}`;
}

/**
 * `MAIL FROM:<from>[ SIZE=n][ BODY=8BITMIME]` CRLF: starts a transaction.
 * @throws InvalidAddressError when `from` cannot be sent.
 */
export function mailCommand(from: string, params: MailParams = {}): string {
  checkAddress(from);
  let line = `MAIL FROM:<${from}>`;
  if (params.size !== undefined) line += ` SIZE=${params.size}`;
  if (params.eightBitMime) line += ' BODY=8BITMIME';
  return line + CRLF;
}

/**
 * `RCPT TO:<to>` CRLF: adds one recipient to the transaction.
 * @throws InvalidAddressError when `to` cannot be sent (an empty recipient included).
 */
export function rcptCommand(to: string): string {
  if (to === '') throw new InvalidAddressError(to, 'is empty');
  checkAddress(to);
  return `RCPT TO:<${to}>${CRLF}`;
}
