/**
 * From a parsed request to the bytes of the response: which method is served,
 * what the cache says, and how the stored object goes out (whole, a range,
 * 304 for a client that already has it, headers only for HEAD). The cache
 * decides WHAT is served; this file decides HOW it looks on the wire. Pure
 * except for the one `await` on the cache.
 */
import { ageFieldValue, clientHasCurrent, type StoredResponse } from './cache-policy.ts';
import { contentRange, decideRange, ifRangeAllows, unsatisfiedRange } from './byte-range.ts';
import type { EdgeCache, Lookup } from './edge-cache.ts';
import type { CacheStatus } from './edge-types.ts';
import { OriginError } from './http-errors.ts';
import { endToEnd, type Field } from './http-fields.ts';
import type { HttpRequest } from './http-request.ts';
import { errorResponse, statusLine, type EncodedResponse } from './http-response.ts';

/** A response and how the cache produced it (for X-Cache, the stats and the log). */
export interface EdgeResponse extends EncodedResponse {
  readonly cache?: CacheStatus;
}

/** Methods HTTP defines that this edge does not serve: 405 with `Allow` (an unknown method is 501). */
const KNOWN_METHODS = new Set(['POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const ALLOW: Field = ['Allow', 'GET, HEAD'];
/** Stored fields a 304 leaves out: they describe a body, and a 304 has none (RFC 9110 §15.4.5). */
const BODY_FIELDS = new Set(['content-type', 'content-encoding', 'content-language', 'content-range']);

/**
 * Answers one request through the cache. A hit is answered at once; a miss
 * returns a promise, which never rejects for the origin's failures (they
 * become 502/504).
 */
export function respond(request: HttpRequest, cache: EdgeCache, now: () => number): EdgeResponse | Promise<EdgeResponse> {
  // TODO: GET and HEAD only: other known methods 405 with Allow, unknown ones 501 (errorResponse).
  // TODO: cache.lookup(target), awaited only if it is a promise (a hit then goes out in the same turn): a stored entry →
  // TODO: serveStored; a passed response → its status, end-to-end fields
  // TODO: (without Content-Length, Age, X-Cache), X-Cache: MISS and Content-Length (no body for HEAD).
  // TODO: An OriginError → errorResponse with its status (502 or 504) and X-Cache: MISS.
  throw new Error('TODO(13-cdn): respond');
}

/** A stored response as this request wants it: 304, 416, 206 or 200, with Age and X-Cache. */
export function serveStored(request: HttpRequest, entry: StoredResponse, cache: CacheStatus, now: number): EdgeResponse {
  // TODO: the stored fields plus Age (ageFieldValue) and X-Cache; then, in this order:
  // TODO: the client's If-None-Match matches (clientHasCurrent) → 304 without the body fields;
  // TODO: a GET with Range that If-Range allows → decideRange: 416 with Content-Range bytes */size and no body,
  // TODO: or 206 with Content-Range and just those bytes; otherwise 200 with the whole body (none for HEAD).
  // TODO: Content-Length always; Connection: close when the request does not keep the connection alive
  // TODO: (and Connection: keep-alive for an HTTP/1.0 client that does).
  throw new Error('TODO(13-cdn): serveStored');
}
