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
  return TOKEN.test(text);
}

/**
 * Parses one field line. Throws {@link HttpRequestError} 400 for a line with
 * no colon, whitespace before the colon (RFC 9112 §5.1 requires rejecting it:
 * it is how requests are smuggled past proxies), a name that is not a token,
 * a control character in the value, or a folded continuation line (obs-fold,
 * a line starting with whitespace; RFC 9112 §5.2 lets us reject it).
 */
export function parseFieldLine(line: string): Field {
  if (line.startsWith(' ') || line.startsWith('\t')) throw new HttpRequestError(400, 'folded header lines (starting with whitespace) are not accepted');
  const colon = line.indexOf(':');
  if (colon <= 0) throw new HttpRequestError(400, `a header line needs "Name: value", got ${quote(line)}`);
  const name = line.slice(0, colon);
  if (!TOKEN.test(name)) throw new HttpRequestError(400, `${quote(name)} is not a header name (no spaces before the colon)`);
  const value = trimOws(line.slice(colon + 1));
  if (CONTROL.test(value)) throw new HttpRequestError(400, `the value of ${name} holds a control character`);
  return [name, value];
}

/** Removes optional whitespace (SP, HTAB) at both ends. */
export function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(start, end);
}

/** The comma-separated members of a list-based field (`Connection: keep-alive, Upgrade`), lower-cased. */
export function listMembers(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((member) => trimOws(member).toLowerCase())
    .filter((member) => member !== '');
}

/**
 * Fields that describe one connection, not the message (RFC 9110 §7.6.1):
 * a cache must not store them nor pass them on, and neither may it pass on the
 * fields a `Connection` header names.
 */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** A field's value by name (case-insensitive), several occurrences joined with ", "; undefined if absent. */
export function fieldValue(fields: readonly Field[], lowerName: string): string | undefined {
  let found: string | undefined;
  for (const [name, value] of fields) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) found = found === undefined ? value : `${found}, ${value}`;
  }
  return found;
}

/** The fields in `fields` that are end-to-end: hop-by-hop ones and those `Connection` names removed. */
export function endToEnd(fields: readonly Field[]): Field[] {
  const named = new Set(listMembers(fieldValue(fields, 'connection')));
  return fields.filter(([name]) => {
    const lower = name.toLowerCase();
    return !HOP_BY_HOP.has(lower) && !named.has(lower);
  });
}

/** `"text"` shortened to 60 characters, for error messages. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
