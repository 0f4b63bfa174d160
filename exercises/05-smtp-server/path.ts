/**
 * Addresses as SMTP writes them in MAIL FROM and RCPT TO (RFC 5321 §4.1.2):
 *
 *   Path        = "<" [ A-d-l ":" ] Mailbox ">"      <@relay.test:alice@a.test> (the route is ignored)
 *   Mailbox     = Local-part "@" ( Domain / address-literal )
 *   Local-part  = Dot-string / Quoted-string         alice.smith   "alice smith"
 *   Domain      = sub-domain *("." sub-domain)       mail.a.test
 *   address-literal = "[" IPv4 "]" / "[IPv6:" IPv6 "]"
 *
 * plus two special paths: `<>` (the null reverse-path of bounces, MAIL only)
 * and `<Postmaster>` (RCPT only, no domain needed, always accepted).
 */
// isIPv4/isIPv6 check address literals such as [127.0.0.1] and [IPv6:::1].
import { isIPv4, isIPv6 } from 'node:net';
import { LIMITS } from './smtp-constants.ts';

/** An address with both halves, as written (no case folding). */
export interface Mailbox {
  /** What stands before the `@`, quotes included when it was quoted. */
  readonly localPart: string;
  /** A domain name or an address literal such as `[127.0.0.1]`. */
  readonly domain: string;
}

/** What can stand between the angle brackets. */
export type Path =
  | { readonly kind: 'null' }
  | { readonly kind: 'postmaster' }
  | { readonly kind: 'mailbox'; readonly mailbox: Mailbox };

/** Either the parsed value or why the text is malformed. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** `atext` of RFC 5322: the characters of an unquoted local part, besides the dots. */
const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+";
const DOT_STRING = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
/** A quoted string: printable ASCII, `\` escapes any printable character. */
const QUOTED_STRING = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;
/** One label of a domain: letters, digits, inner hyphens. */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** A source route, `@one.test,@two.test:`, that RFC 5321 says to accept and ignore. */
const SOURCE_ROUTE = /^@[^,:]+(?:,@[^,:]+)*:/;

/** Renders a path back as it goes on the wire: `<alice@a.test>`, `<>`, `<Postmaster>`. */
export function formatPath(path: Path): string {
  switch (path.kind) {
    case 'null':
      return '<>';
    case 'postmaster':
      return '<Postmaster>';
    case 'mailbox':
      return `<${path.mailbox.localPart}@${path.mailbox.domain}>`;
  }
}

/** Checks a domain or address literal: labels of letters, digits and hyphens, or `[IPv4]` / `[IPv6:…]`. */
export function isValidDomain(domain: string): boolean {
  // TODO: empty or longer than LIMITS.DOMAIN → false
  // TODO: "[...]" is an address literal: "[IPv6:…]" checked with isIPv6, otherwise isIPv4
  // TODO: otherwise every dot-separated label (≤ 63 octets) must match LABEL
  throw new Error('TODO(05-smtp-server): isValidDomain');
}

/** Parses `local@domain` (no brackets), enforcing the RFC length limits. */
export function parseMailbox(text: string): Parsed<Mailbox> {
  // TODO: split at the LAST @ (a quoted local part may contain one)
  // TODO: the local part matches DOT_STRING or QUOTED_STRING and is at most LIMITS.LOCAL_PART octets
  // TODO: the domain passes isValidDomain
  // TODO: return { ok: false, reason } for each problem, { ok: true, value: { localPart, domain } } otherwise
  throw new Error('TODO(05-smtp-server): parseMailbox');
}

/**
 * Parses a whole path with its angle brackets: `<alice@a.test>`, `<>`,
 * `<Postmaster>` or `<@route.test:alice@a.test>`. Longer than 256 octets is an error.
 */
export function parsePath(text: string): Parsed<Path> {
  // TODO: angle brackets required; at most LIMITS.PATH octets including them
  // TODO: drop a source route (SOURCE_ROUTE) after the "<"
  // TODO: "<>" → { kind: "null" }; "<Postmaster>" (any case) → { kind: "postmaster" }
  // TODO: anything else → parseMailbox
  throw new Error('TODO(05-smtp-server): parsePath');
}
