/**
 * Fetching a miss from the origin, over lib/tcp: the edge is an HTTP client
 * here. One connection per fetch, closed after it (simple, and misses are
 * rare once the cache is warm). Every step is bounded in time, so a dead or
 * slow origin costs the client a 502 or a 504, never a hang:
 *
 *   connect ≤ connectTimeoutMs   (refused or reset: 502; no answer: 504)
 *   whole fetch ≤ responseTimeoutMs, connecting included   (else 504)
 *
 *   → GET /video.mp4 HTTP/1.1          ← HTTP/1.1 200 OK
 *     Host: origin                       Content-Length: 8000
 *     Connection: close                  ETag: "…"
 *     (If-None-Match: "…")               (body, or chunked, or until close)
 */
import { ConnectionClosedError, FramingError, TimeoutError, connectTcp, type Connection } from 'wirelab';
import { HttpRequestError, OriginError } from './http-errors.ts';
import { fieldValue, listMembers, parseFieldLine, quote, type Field } from './http-fields.ts';
import type { FetchedResponse } from './cache-policy.ts';
import { EDGE_NAME } from './http-response.ts';

/** Where the origin listens. */
export interface OriginAddress {
  host: string;
  port: number;
}

/** Limits of one fetch. */
export interface FetchLimits {
  /** Time to open the connection. */
  connectTimeoutMs: number;
  /** Time from the start of the fetch (connecting included) to the last byte of the response. */
  responseTimeoutMs: number;
  /** Largest body accepted (a bigger one is a 502: the edge holds whole bodies in memory). */
  maxBodyBytes: number;
  /** Our clock, ms (for the request and response times the Age arithmetic needs). */
  now: () => number;
}

/** How a response's body is delimited (RFC 9112 §6.3). */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'until-close' };

/** The request line and fields of a GET to the origin, with `extra` fields (a revalidation's If-None-Match). */
export function encodeOriginRequest(target: string, host: string, extra: readonly Field[]): string {
  // TODO: a GET request line for target, Host, Via: 1.1 EDGE_NAME, Connection: close, the extra fields, the empty line.
  throw new Error('TODO(13-cdn): encodeOriginRequest');
}

/** `HTTP/1.1 200 OK` → 200; throws OriginError for anything else. */
export function parseStatusLine(line: string): number {
  // TODO: "HTTP/1.x NNN reason" → NNN; anything else: OriginError bad-response.
  throw new Error('TODO(13-cdn): parseStatusLine');
}

/**
 * How the body of a response to GET is delimited (RFC 9112 §6.3): none for
 * 1xx, 204 and 304; chunked when Transfer-Encoding ends in chunked; else
 * Content-Length; else everything until the origin closes.
 */
export function bodyFraming(status: number, fields: readonly Field[]): BodyFraming {
  // TODO: no body for 1xx, 204 and 304; chunked when the last Transfer-Encoding coding is chunked (another coding: until
  // TODO: close); else one Content-Length number (several different ones, or not a number: OriginError); else until close.
  throw new Error('TODO(13-cdn): bodyFraming');
}

/**
 * GETs `target` from the origin and reads the whole response. Rejects only
 * with {@link OriginError}: `unreachable` (refused, reset, closed early),
 * `timeout`, or `bad-response`.
 */
export async function fetchFromOrigin(origin: OriginAddress, target: string, extra: readonly Field[], limits: FetchLimits): Promise<FetchedResponse> {
  // TODO: connect with connectTcp (connectTimeoutMs), all later waits bounded by one deadline (responseTimeoutMs:
  // TODO: AbortSignal.timeout works with every read); send encodeOriginRequest; read the status line, the field lines
  // TODO: (parseFieldLine) up to the empty line, and the body as bodyFraming says (at most maxBodyBytes); note
  // TODO: requestTime and responseTime with limits.now(); always destroy the connection; turn every failure into an
  // TODO: OriginError: a time-out → timeout (504), refused/reset/closed → unreachable (502), nonsense → bad-response (502).
  throw new Error('TODO(13-cdn): fetchFromOrigin');
}
