/**
 * Header fields (RFC 9110 §5, RFC 9112 §5): one `Name: value` line each,
 * parsed the same way in requests from clients and in responses from the
 * origin. Pure.
 *
 *   field-line = field-name ":" OWS field-value OWS
 *   field-name = token            (no whitespace before the colon!)
 *   OWS        = *( SP / HTAB )
 */
import { HttpRequestError } from './http-errors.ts';

/** One header field as received: name in its original case, value without surrounding whitespace. */
export type Field = readonly [name: string, value: string];

/** `tchar` of RFC 9110 §5.6.2: the characters a token (a method, a field name) may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than HTAB: never allowed in a field value (RFC 9110 §5.5). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** True when `text` is a token (RFC 9110 §5.6.2). */
export function isToken(text: string): boolean {
  // TODO: true when every character is a tchar (TOKEN above) and there is at least one.
  throw new Error('TODO(13-cdn): isToken');
}

/**
 * Parses one field line. Throws {@link HttpRequestError} 400 for a line with
 * no colon, whitespace before the colon (RFC 9112 §5.1 requires rejecting it:
 * it is how requests are smuggled past proxies), a name that is not a token,
 * a control character in the value, or a folded continuation line (obs-fold,
 * a line starting with whitespace; RFC 9112 §5.2 lets us reject it).
 */
export function parseFieldLine(line: string): Field {
  // TODO: split at the first colon into name and value; refuse (HttpRequestError 400) a line with no colon or
  // TODO: a name that is not a token (which includes whitespace before the colon), a folded line (starting
  // TODO: with SP or HTAB) and a value with a control character (CONTROL); trim the value with trimOws.
  throw new Error('TODO(13-cdn): parseFieldLine');
}

/** Removes optional whitespace (SP, HTAB) at both ends. */
export function trimOws(text: string): string {
  // TODO: drop spaces and tabs at both ends (and nothing else: not CR, not LF).
  throw new Error('TODO(13-cdn): trimOws');
}

/** The comma-separated members of a list-based field (`Connection: keep-alive, Upgrade`), lower-cased. */
export function listMembers(value: string | undefined): string[] {
  // TODO: split at commas, trim each member, lower-case it, drop empty members; undefined → [].
  throw new Error('TODO(13-cdn): listMembers');
}

/**
 * Fields that describe one connection, not the message (RFC 9110 §7.6.1):
 * a cache must not store them nor pass them on, and neither may it pass on the
 * fields a `Connection` header names.
 */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** A field's value by name (case-insensitive), several occurrences joined with ", "; undefined if absent. */
export function fieldValue(fields: readonly Field[], lowerName: string): string | undefined {
  // TODO: compare names case-insensitively; join repeated fields with ", " in their order.
  throw new Error('TODO(13-cdn): fieldValue');
}

/** The fields in `fields` that are end-to-end: hop-by-hop ones and those `Connection` names removed. */
export function endToEnd(fields: readonly Field[]): Field[] {
  // TODO: keep only fields that are neither in HOP_BY_HOP nor named by the Connection field.
  throw new Error('TODO(13-cdn): endToEnd');
}

/** `"text"` shortened to 60 characters, for error messages. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
