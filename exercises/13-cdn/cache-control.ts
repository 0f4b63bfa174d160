/**
 * The `Cache-Control` response field (RFC 9111 §5.2), pure: the origin's
 * instructions to every cache on the way.
 *
 *   Cache-Control: max-age=60, must-revalidate
 *   cache-directive = token [ "=" ( token / quoted-string ) ]     (names case-insensitive)
 */
import { trimOws } from './http-fields.ts';

/** The directives a shared cache such as a CDN edge acts on. */
export interface CacheControl {
  /** `max-age=N`: fresh for N seconds after it was generated. */
  readonly maxAge?: number;
  /** `s-maxage=N`: like max-age, for shared caches only, and it wins over max-age. */
  readonly sMaxAge?: number;
  /** `no-store`: never keep a copy. */
  readonly noStore: boolean;
  /** `no-cache`: a copy may be kept, but must be revalidated before every use. */
  readonly noCache: boolean;
  /** `private`: meant for one user; a shared cache must not store it. */
  readonly private: boolean;
  /** `must-revalidate` or `proxy-revalidate`: once stale, never serve it unvalidated (not even when the origin is down). */
  readonly mustRevalidate: boolean;
}

/**
 * The largest delta-seconds a cache needs to represent: a larger (or
 * overflowing) value counts as this one (RFC 9111 §1.2.2).
 */
export const MAX_DELTA_SECONDS = 2 ** 31;

/**
 * Parses a `Cache-Control` value (several fields joined with commas are one
 * list). Unknown directives are ignored. A max-age that is not a number makes
 * the response stale at once (0), the safe reading; a repeated directive keeps
 * its first value (RFC 9111 §4.2.1).
 */
export function parseCacheControl(value: string | undefined): CacheControl {
  // TODO: split the value into directives at commas outside quoted strings; names are case-insensitive;
  // TODO: max-age / s-maxage take delta-seconds (digits, maybe quoted; anything else → 0; capped at MAX_DELTA_SECONDS;
  // TODO: the first occurrence wins); no-store, no-cache, private, must-revalidate and proxy-revalidate are flags.
  throw new Error('TODO(13-cdn): parseCacheControl');
}

/** A delta-seconds argument (RFC 9111 §1.2.2): digits only; anything else means "already stale" (0). */
function deltaSeconds(argument: string | undefined): number {
  if (argument === undefined || !/^\d+$/.test(argument)) return 0;
  return Math.min(Number(argument), MAX_DELTA_SECONDS);
}

/** Splits at commas that are not inside a quoted string (`private="a, b"` is one directive). */
function splitDirectives(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\') {
      current += c + (value[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map(trimOws).filter((d) => d !== '');
}

/** `"60"` → `60`: senders should not quote numbers, but recipients accept both forms (RFC 9111 §5.2). */
function unquote(text: string): string {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return text;
  return text.slice(1, -1).replace(/\\(.)/g, '$1');
}
