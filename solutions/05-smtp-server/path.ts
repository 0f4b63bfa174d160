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
/** One label of a domain: letters, digits, inner hyphens, at most 63 octets. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** A domain name: labels joined by dots (`mail.a.test`). */
const DOMAIN_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
/** A source route, `@one.test,@two.test:`, that RFC 5321 says to accept and ignore. */
const SOURCE_ROUTE = /^@[^,:]+(?:,@[^,:]+)*:/;

/** The one mailbox that needs no domain (any case). */
const POSTMASTER = 'postmaster';

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
  if (domain.length === 0 || domain.length > LIMITS.DOMAIN) return false;
  if (domain.startsWith('[') && domain.endsWith(']')) {
    const literal = domain.slice(1, -1);
    if (/^ipv6:/i.test(literal)) return isIPv6(literal.slice(5));
    return isIPv4(literal);
  }
  return DOMAIN_NAME.test(domain);
}

/** Parses `local@domain` (no brackets), enforcing the RFC length limits. */
export function parseMailbox(text: string): Parsed<Mailbox> {
  const at = text.lastIndexOf('@');
  if (at <= 0) return { ok: false, reason: 'an address needs a local part, an @ and a domain' };
  const localPart = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (!DOT_STRING.test(localPart) && !QUOTED_STRING.test(localPart)) {
    return { ok: false, reason: `malformed local part ${localPart}` };
  }
  if (localPart.length > LIMITS.LOCAL_PART) {
    return { ok: false, reason: `local part longer than ${LIMITS.LOCAL_PART} octets` };
  }
  if (!isValidDomain(domain)) return { ok: false, reason: `malformed domain ${domain}` };
  return { ok: true, value: { localPart, domain } };
}

/**
 * Parses a whole path with its angle brackets: `<alice@a.test>`, `<>`,
 * `<Postmaster>` or `<@route.test:alice@a.test>`. Longer than 256 octets is an error.
 */
export function parsePath(text: string): Parsed<Path> {
  if (!text.startsWith('<') || !text.endsWith('>') || text.length < 2) {
    return { ok: false, reason: 'an address must be written in angle brackets, like <alice@example.test>' };
  }
  if (text.length > LIMITS.PATH) return { ok: false, reason: `path longer than ${LIMITS.PATH} octets` };
  const bracketed = text.slice(1, -1);
  const inside = bracketed.startsWith('@') ? bracketed.replace(SOURCE_ROUTE, '') : bracketed;
  if (inside === '') return { ok: true, value: { kind: 'null' } };
  if (inside.length === POSTMASTER.length && inside.toLowerCase() === POSTMASTER) return { ok: true, value: { kind: 'postmaster' } };
  const mailbox = parseMailbox(inside);
  return mailbox.ok ? { ok: true, value: { kind: 'mailbox', mailbox: mailbox.value } } : mailbox;
}
