/**
 * Range requests (RFC 9110 §14), pure: how a video player seeks. It asks for
 * the bytes it needs, and a cache that holds the whole object answers from
 * memory without bothering the origin.
 *
 *   Range: bytes=0-499         the first 500 bytes
 *   Range: bytes=500-          from byte 500 to the end
 *   Range: bytes=-500          the last 500 bytes
 *
 *   206 Partial Content   Content-Range: bytes 0-499/8000   (first-last/total, inclusive)
 *   416 Range Not Satisfiable   Content-Range: bytes *\/8000
 */

/** What to send for a Range header, given the body's size. */
export type RangeDecision =
  /** No usable Range: send the whole body with 200 (absent, malformed, several ranges, another unit). */
  | { readonly kind: 'whole' }
  /** Send bytes `start`…`end` (inclusive) with 206. */
  | { readonly kind: 'part'; readonly start: number; readonly end: number }
  /** Every range asked for starts past the end: 416. */
  | { readonly kind: 'unsatisfiable' };

const WHOLE: RangeDecision = { kind: 'whole' };
const UNSATISFIABLE: RangeDecision = { kind: 'unsatisfiable' };
/** One byte-range-spec: `first-last`, `first-` or `-suffix` (RFC 9110 §14.1.2). */
const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Decides how to answer `Range` for a body of `size` bytes. A server may
 * always ignore Range and send the whole body, and does here for anything
 * malformed and for several ranges (which would need a multipart answer). A
 * last position past the end is clamped to it; a first position at or past
 * the end, or a suffix of 0, cannot be satisfied.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return WHOLE;
  const equals = header.indexOf('=');
  if (equals < 0 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return WHOLE;
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length !== 1) return WHOLE;
  const match = RANGE_SPEC.exec(specs[0]!);
  if (match === null) return WHOLE;
  const [, firstText, lastText] = match as unknown as [string, string, string];
  if (firstText === '') {
    if (lastText === '') return WHOLE;
    const suffix = Number(lastText);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const first = Number(firstText);
  const last = lastText === '' ? Infinity : Number(lastText);
  if (last < first) return WHOLE; // invalid: ignore the header
  if (first >= size) return UNSATISFIABLE;
  return { kind: 'part', start: first, end: Math.min(last, size - 1) };
}

/** `bytes 0-499/8000`: the Content-Range of a 206. */
export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}

/** `bytes *\/8000`: the Content-Range of a 416, telling the client the real size. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/**
 * Does `If-Range` allow the range (RFC 9110 §13.1.5)? Absent: yes. An entity
 * tag: only if it is strong and equal to ours. A date: only if it equals our
 * Last-Modified exactly. Otherwise the client's copy is outdated and it gets
 * the whole new body instead of a piece that would not fit what it has.
 */
export function ifRangeAllows(ifRange: string | undefined, etag: string | undefined, lastModified: string | undefined): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return etag !== undefined && !value.startsWith('W/') && !etag.startsWith('W/') && value === etag;
  return lastModified !== undefined && Date.parse(value) === Date.parse(lastModified) && !Number.isNaN(Date.parse(value));
}
