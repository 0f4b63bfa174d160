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
/** Stored fields rendered once per entry: most responses are hits, and the fields of a hit do not change. */
const renderedFields = new WeakMap<StoredResponse, string>();

/**
 * Answers one request through the cache. A hit is answered at once; a miss
 * returns a promise, which never rejects for the origin's failures (they
 * become 502/504).
 */
export function respond(request: HttpRequest, cache: EdgeCache, now: () => number): EdgeResponse | Promise<EdgeResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const status = KNOWN_METHODS.has(request.method) ? 405 : 501;
    return errorResponse(status, `this edge serves GET and HEAD, not ${request.method}`, { close: !request.keepAlive, extra: status === 405 ? [ALLOW] : [] });
  }
  const found = cache.lookup(request.target);
  if (!(found instanceof Promise)) return answer(request, found, now());
  return found.then(
    (later) => answer(request, later, now()),
    (error: unknown) => {
      if (!(error instanceof OriginError)) throw error;
      return { ...errorResponse(error.status, error.message, { close: !request.keepAlive, head: request.method === 'HEAD', extra: [['X-Cache', 'MISS']] }), cache: 'MISS' as const };
    },
  );
}

/** The response for what the cache found: a stored entry, or a response passed on once. */
function answer(request: HttpRequest, found: Lookup, now: number): EdgeResponse {
  if (found.kind === 'stored') return serveStored(request, found.entry, found.cache, now);
  const { status, fields, body } = found.response;
  const passed = endToEnd(fields).filter(([name]) => !/^(content-length|age|x-cache)$/i.test(name));
  return withBody(request, status, `${render(passed)}X-Cache: MISS\r\n`, request.method === 'HEAD' ? undefined : body, body.length, 'MISS');
}

/** A stored response as this request wants it: 304, 416, 206 or 200, with Age and X-Cache. */
export function serveStored(request: HttpRequest, entry: StoredResponse, cache: CacheStatus, now: number): EdgeResponse {
  let fields = renderedFields.get(entry);
  if (fields === undefined) {
    fields = render(entry.fields);
    renderedFields.set(entry, fields);
  }
  fields += `Age: ${ageFieldValue(entry, now)}\r\nX-Cache: ${cache}\r\n`;
  const size = entry.body.length;
  const close = !request.keepAlive;

  if (clientHasCurrent(request.headers.get('if-none-match'), entry)) {
    const bodyless = render(entry.fields.filter(([name]) => !BODY_FIELDS.has(name.toLowerCase())));
    return finish(request, 304, `${bodyless}Age: ${ageFieldValue(entry, now)}\r\nX-Cache: ${cache}\r\n`, undefined, close, cache);
  }
  const rangeHeader = request.headers.get('range');
  if (request.method === 'GET' && rangeHeader !== undefined && ifRangeAllows(request.headers.get('if-range'), entry.etag, entry.lastModified)) {
    const range = decideRange(rangeHeader, size);
    if (range.kind === 'unsatisfiable') {
      return finish(request, 416, `${fields}Content-Range: ${unsatisfiedRange(size)}\r\nContent-Length: 0\r\n`, undefined, close, cache);
    }
    if (range.kind === 'part') {
      const length = range.end - range.start + 1;
      const part = entry.body.subarray(range.start, range.end + 1);
      return finish(request, 206, `${fields}Content-Range: ${contentRange(range.start, range.end, size)}\r\nContent-Length: ${length}\r\n`, part, close, cache);
    }
  }
  return withBody(request, entry.status, fields, request.method === 'HEAD' ? undefined : entry.body, size, cache);
}

/** A response with `Content-Length` (the length a GET gets, for HEAD too). */
function withBody(request: HttpRequest, status: number, fields: string, body: Uint8Array | undefined, length: number, cache: CacheStatus): EdgeResponse {
  return finish(request, status, `${fields}Content-Length: ${length}\r\n`, body, !request.keepAlive, cache);
}

function finish(request: HttpRequest, status: number, fields: string, body: Uint8Array | undefined, close: boolean, cache: CacheStatus): EdgeResponse {
  // HTTP/1.0 clients close unless told the connection persists; HTTP/1.1 clients keep it unless told it closes.
  const connection = close ? 'Connection: close\r\n' : request.version === '1.0' ? 'Connection: keep-alive\r\n' : '';
  const head = `${statusLine(status)}${fields}${connection}\r\n`;
  return body === undefined ? { status, head, close, cache } : { status, head, body, close, cache };
}

/** Fields as wire text, each line ending in CRLF. */
function render(fields: readonly Field[]): string {
  let text = '';
  for (const [name, value] of fields) text += `${name}: ${value}\r\n`;
  return text;
}
