/**
 * What a server advertises in its EHLO reply (RFC 5321 §4.1.1.1): the first
 * line greets, every further line names one extension and its parameters:
 *
 *   250-mx.example.test Hello client.test    server name, then free text
 *   250-SIZE 10240000                        RFC 1870: messages up to 10240000 octets
 *   250-8BITMIME                             RFC 6152: 8-bit bodies pass untouched
 *   250 PIPELINING                           RFC 2920: commands may be sent in batches
 *
 * Keywords are case-insensitive; we keep them upper-cased.
 */
import type { SmtpReply } from './smtp-reply.ts';

/** What a server said about itself in its EHLO reply. */
export interface EhloInfo {
  /** The first word of the first line: the name the server gives itself. */
  readonly serverName: string;
  /** Each extension keyword, upper-cased, with its parameters: `SIZE 1000` → `'SIZE' → ['1000']`. */
  readonly extensions: ReadonlyMap<string, readonly string[]>;
}

/** Extension keywords this client acts on. */
export const EXTENSION = {
  SIZE: 'SIZE',
  EIGHT_BIT_MIME: '8BITMIME',
  PIPELINING: 'PIPELINING',
} as const;

/**
 * Reads the server name and the advertised extensions from an EHLO reply.
 * Lines whose first word is not a valid keyword (old `AUTH=LOGIN` forms) are skipped.
 */
export function parseEhloReply(reply: SmtpReply): EhloInfo {
  // TODO: the first line is the greeting: its first word is the server name.
  // TODO: every other line: first word = keyword (upper-case it), the rest = parameters.
  throw new Error(`TODO(04-smtp-client): parseEhloReply (${reply.lines.length} lines)`);
}

/**
 * The SIZE limit a server advertised, in octets: `undefined` when it does not
 * offer SIZE at all, `0` when it offers SIZE without a fixed limit.
 */
export function sizeLimit(info: EhloInfo | undefined): number | undefined {
  // TODO: look up SIZE; its first parameter (if any) is the limit.
  throw new Error(`TODO(04-smtp-client): sizeLimit (${info?.serverName})`);
}

/** True when the server advertised the extension (keyword in any case). */
export function offers(info: EhloInfo | undefined, keyword: string): boolean {
  return info?.extensions.has(keyword.toUpperCase()) ?? false;
}
