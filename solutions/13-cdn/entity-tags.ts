/**
 * Entity tags (RFC 9110 §8.8.3), shared by the origin, which makes them, and
 * the edge, which revalidates with them and answers clients' `If-None-Match`.
 * Given complete: the same file in exercises/ and solutions/.
 *
 *   ETag: "xyzzy"        strong: these exact bytes
 *   ETag: W/"xyzzy"      weak: equivalent content, maybe not the same bytes
 */
import { createHash } from 'node:crypto';

/**
 * A strong entity tag: a hash of the bytes themselves, so two different
 * contents never share a tag and the same content always has the same one,
 * whatever its modification time.
 */
export function strongEtag(body: Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * True when an `If-None-Match` value matches `etag`: `*`, or any listed tag
 * equal to it by the weak comparison (RFC 9110 §13.1.2: `W/"x"` matches `"x"`),
 * which is the one If-None-Match uses.
 */
export function noneMatchHits(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  const ours = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === ours);
}
