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

/** Longest status or field line we read from the origin. */
const MAX_LINE = 16 * 1024;
/** Most field lines in one origin response. */
const MAX_FIELDS = 200;

/** The request line and fields of a GET to the origin, with `extra` fields (a revalidation's If-None-Match). */
export function encodeOriginRequest(target: string, host: string, extra: readonly Field[]): string {
  let head = `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nVia: 1.1 ${EDGE_NAME}\r\nConnection: close\r\n`;
  for (const [name, value] of extra) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

/** `HTTP/1.1 200 OK` → 200; throws OriginError for anything else. */
export function parseStatusLine(line: string): number {
  const match = /^HTTP\/1\.\d (\d{3})(?: .*)?$/.exec(line);
  if (match === null) throw new OriginError('bad-response', `the origin answered ${quote(line)}, not an HTTP/1.x status line`);
  return Number(match[1]);
}

/**
 * How the body of a response to GET is delimited (RFC 9112 §6.3): none for
 * 1xx, 204 and 304; chunked when Transfer-Encoding ends in chunked; else
 * Content-Length; else everything until the origin closes.
 */
export function bodyFraming(status: number, fields: readonly Field[]): BodyFraming {
  if (status < 200 || status === 204 || status === 304) return { kind: 'none' };
  const codings = listMembers(fieldValue(fields, 'transfer-encoding'));
  if (codings.length > 0) {
    if (codings.at(-1) !== 'chunked') return { kind: 'until-close' };
    return { kind: 'chunked' };
  }
  const lengthText = fieldValue(fields, 'content-length');
  if (lengthText === undefined) return { kind: 'until-close' };
  const values = new Set(listMembers(lengthText));
  const only = [...values][0];
  if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) throw new OriginError('bad-response', `the origin sent Content-Length ${quote(lengthText)}`);
  return { kind: 'length', length: Number(only) };
}

/**
 * GETs `target` from the origin and reads the whole response. Rejects only
 * with {@link OriginError}: `unreachable` (refused, reset, closed early),
 * `timeout`, or `bad-response`.
 */
export async function fetchFromOrigin(origin: OriginAddress, target: string, extra: readonly Field[], limits: FetchLimits): Promise<FetchedResponse> {
  const where = `${origin.host}:${origin.port}`;
  const requestTime = limits.now();
  const deadline = AbortSignal.timeout(limits.responseTimeoutMs);
  let conn: Connection;
  try {
    conn = await connectTcp({ host: origin.host, port: origin.port, timeoutMs: limits.connectTimeoutMs, signal: deadline, maxLineBytes: MAX_LINE });
  } catch (error) {
    throw asOriginError(error, `connecting to the origin ${where}`);
  }
  try {
    await conn.write(encodeOriginRequest(target, where, extra), { signal: deadline });
    const read = { signal: deadline };
    const status = parseStatusLine((await conn.readLine(read)) ?? '');
    const responseTime = limits.now();
    const fields: Field[] = [];
    for (;;) {
      const line = await conn.readLine(read);
      if (line === null) throw new OriginError('unreachable', `the origin ${where} closed the connection in the middle of the header`);
      if (line === '') break;
      if (fields.length >= MAX_FIELDS) throw new OriginError('bad-response', `the origin ${where} sent more than ${MAX_FIELDS} header fields`);
      fields.push(parseFieldLine(line));
    }
    if (status >= 100 && status < 200) throw new OriginError('bad-response', `the origin ${where} sent an interim ${status} to a GET`);
    const body = await readBody(conn, bodyFraming(status, fields), limits.maxBodyBytes, deadline);
    return { status, fields, body, requestTime, responseTime };
  } catch (error) {
    throw asOriginError(error, `reading the response of the origin ${where}`);
  } finally {
    conn.destroy();
  }
}

/** Reads the body as `framing` says, never more than `max` bytes. */
async function readBody(conn: Connection, framing: BodyFraming, max: number, signal: AbortSignal): Promise<Buffer> {
  const tooLarge = (): OriginError => new OriginError('bad-response', `the origin's body is larger than the ${max} bytes this edge holds`);
  switch (framing.kind) {
    case 'none':
      return Buffer.alloc(0);
    case 'length':
      if (framing.length > max) throw tooLarge();
      return conn.readExactly(framing.length, { signal });
    case 'until-close': {
      const parts: Buffer[] = [];
      let total = 0;
      for (let part = await conn.readAvailable({ signal }); part !== null; part = await conn.readAvailable({ signal })) {
        total += part.length;
        if (total > max) throw tooLarge();
        parts.push(part);
      }
      return Buffer.concat(parts, total);
    }
    case 'chunked': {
      // chunk = chunk-size [ ext ] CRLF chunk-data CRLF … last-chunk = "0" CRLF, then trailer fields, CRLF (RFC 9112 §7.1)
      const parts: Buffer[] = [];
      let total = 0;
      for (;;) {
        const sizeLine = await conn.readLine({ signal });
        const size = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(sizeLine ?? '');
        if (size === null) throw new OriginError('bad-response', `bad chunk size line ${quote(sizeLine ?? '(end)')}`);
        const length = parseInt(size[1]!, 16);
        if (length === 0) break;
        total += length;
        if (total > max) throw tooLarge();
        parts.push(await conn.readExactly(length, { signal }));
        if ((await conn.readLine({ signal })) !== '') throw new OriginError('bad-response', 'a chunk did not end with CRLF');
      }
      for (let trailer = await conn.readLine({ signal }); trailer !== '' && trailer !== null; trailer = await conn.readLine({ signal })) {
        // trailer fields are read and dropped
      }
      return Buffer.concat(parts, total);
    }
  }
}

/** Any failure of a fetch, as the OriginError the client's status comes from. */
function asOriginError(error: unknown, during: string): OriginError {
  if (error instanceof OriginError) return error;
  if (error instanceof TimeoutError || (error instanceof DOMException && error.name === 'TimeoutError')) {
    return new OriginError('timeout', `no answer in time ${during}`);
  }
  if (error instanceof FramingError) return new OriginError('bad-response', `${during}: ${error.message}`);
  if (error instanceof ConnectionClosedError) return new OriginError('unreachable', `the origin closed the connection ${during}`);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) return new OriginError('unreachable', `${code} ${during}`);
  if (error instanceof HttpRequestError) return new OriginError('bad-response', `${during}: ${error.reason}`); // a malformed field line
  throw error; // a bug, not the origin's doing
}
