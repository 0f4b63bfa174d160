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
  // TODO: no header, a unit other than bytes (case-insensitive), several ranges or a malformed one → whole;
  // TODO: first-last with last < first → whole; -suffix → the last suffix bytes (suffix 0, or an empty body → unsatisfiable);
  // TODO: first at or past the end → unsatisfiable; otherwise clamp last to size - 1.
  throw new Error('TODO(13-cdn): decideRange');
}

/** `bytes 0-499/8000`: the Content-Range of a 206. */
export function contentRange(start: number, end: number, size: number): string {
  // TODO: "bytes first-last/size".
  throw new Error('TODO(13-cdn): contentRange');
}

/** `bytes *\/8000`: the Content-Range of a 416, telling the client the real size. */
export function unsatisfiedRange(size: number): string {
  // TODO: "bytes */size".
  throw new Error('TODO(13-cdn): unsatisfiedRange');
}

/**
 * Does `If-Range` allow the range (RFC 9110 §13.1.5)? Absent: yes. An entity
 * tag: only if it is strong and equal to ours. A date: only if it equals our
 * Last-Modified exactly. Otherwise the client's copy is outdated and it gets
 * the whole new body instead of a piece that would not fit what it has.
 */
export function ifRangeAllows(ifRange: string | undefined, etag: string | undefined, lastModified: string | undefined): boolean {
  // TODO: absent → true; an entity tag → only a strong one equal to ours; a date → only if it equals Last-Modified.
  throw new Error('TODO(13-cdn): ifRangeAllows');
}
