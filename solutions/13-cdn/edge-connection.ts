/**
 * One client connection, from accept to close: read a request head line by
 * line (bounded in size and time), answer it, and go on while the connection
 * is kept alive (RFC 9112 §9.3). Pipelined requests that arrived together are
 * read from what is queued, answered in order.
 *
 *   wait for a head ─▶ complete ─▶ answer ─▶ keep-alive? ─▶ wait again
 *        │                                         └── close
 *        ├─ malformed / too long ─▶ 400 / 414 / 431, close
 *        ├─ too slow, begun ──────▶ 408, close
 *        └─ nothing came / EOF ───▶ close quietly
 */
import { ConnectionClosedError, FramingError, TimeoutError, type Connection, type ReadOptions } from 'wirelab';
import { HttpRequestError } from './http-errors.ts';
import { RequestHeadParser, tooLongHeader, tooLongLine, type HttpRequest, type RequestLimits } from './http-request.ts';
import { errorResponse, type EncodedResponse } from './http-response.ts';
import type { EdgeResponse } from './edge-respond.ts';

/** What a connection needs from its edge. */
export interface ConnectionContext {
  readonly limits: RequestLimits;
  /** The time a client has for a whole request head. */
  readonly clientHeaderMs: number;
  /** Aborted when the edge closes: waiting reads give up. */
  readonly shutdown: AbortSignal;
  /** Answers a complete request: at once (a hit), or later (a miss). */
  respond(request: HttpRequest): EdgeResponse | Promise<EdgeResponse>;
  /** Told about every response sent (`request` is undefined when the head never parsed). */
  sent(conn: Connection, request: HttpRequest | undefined, response: EdgeResponse, bytes: number, startedAt: number): void;
}

/** What reading one request head gave. */
type HeadResult = { readonly kind: 'request'; readonly request: HttpRequest } | { readonly kind: 'refused'; readonly error: HttpRequestError } | { readonly kind: 'gone' };

/** At most this much is read and dropped after refusing a request, so our answer is not lost to a reset. */
const LINGER_BYTES = 64 * 1024;
const LINGER_MS = 500;

/** Serves one client until it closes, asks to close, misbehaves or the edge shuts down. */
export async function serveConnection(conn: Connection, context: ConnectionContext): Promise<void> {
  for (;;) {
    const head = await readHead(conn, context);
    if (head.kind === 'gone') return;
    const startedAt = performance.now();
    if (head.kind === 'refused') {
      const response = errorResponse(head.error.status, head.error.reason, { close: true });
      const sent = send(conn, response);
      context.sent(conn, undefined, response, sent.bytes, startedAt);
      await sent.drained;
      return lingeringClose(conn);
    }
    const { request } = head;
    // A body nobody asked for (GET with Content-Length) is read and dropped, so the next request starts in the right place.
    if (request.contentLength > 0) {
      try {
        await conn.readExactly(request.contentLength, { timeoutMs: context.clientHeaderMs, signal: context.shutdown });
      } catch (error) {
        if (!(error instanceof TimeoutError)) return; // closed or shut down: nobody to answer
        const response = errorResponse(408, `the body did not arrive within ${context.clientHeaderMs} ms`, { close: true });
        const sent = send(conn, response);
        context.sent(conn, request, response, sent.bytes, startedAt);
        await sent.drained;
        return lingeringClose(conn);
      }
    }
    const answer = context.respond(request);
    const response = answer instanceof Promise ? await answer : answer;
    const sent = send(conn, response);
    context.sent(conn, request, response, sent.bytes, startedAt);
    if (sent.drained !== undefined) await sent.drained;
    if (response.close || context.shutdown.aborted) return;
  }
}

/** Reads one request head within the time limit, and says what came of it. */
async function readHead(conn: Connection, context: ConnectionContext): Promise<HeadResult> {
  const { limits, shutdown } = context;
  const parser = new RequestHeadParser(limits);
  const deadline = performance.now() + context.clientHeaderMs;
  const bytesBefore = conn.socket.bytesRead;
  for (;;) {
    const options: ReadOptions = {
      lineEnding: 'any', // RFC 9112 §2.2: a bare LF may end a line too (people type requests with nc)
      maxLineBytes: parser.started ? limits.headerBytes : limits.requestLineBytes,
      timeoutMs: Math.max(1, deadline - performance.now()),
      signal: shutdown,
    };
    let line: string | null | undefined;
    try {
      line = conn.tryReadLine(options) ?? (await conn.readLine(options));
    } catch (error) {
      if (error instanceof FramingError) return { kind: 'refused', error: parser.started ? tooLongHeader(limits) : tooLongLine(limits) };
      if (error instanceof TimeoutError) {
        const begun = parser.started || conn.socket.bytesRead > bytesBefore;
        return begun ? { kind: 'refused', error: new HttpRequestError(408, `no complete request within ${context.clientHeaderMs} ms`) } : { kind: 'gone' };
      }
      if (error instanceof ConnectionClosedError || shutdown.aborted) return { kind: 'gone' };
      throw error;
    }
    if (line === null) return { kind: 'gone' }; // the client closed between requests (or mid-head: nothing to answer)
    try {
      const request = parser.push(line);
      if (request !== undefined) return { kind: 'request', request };
    } catch (error) {
      if (error instanceof HttpRequestError) return { kind: 'refused', error };
      throw error;
    }
  }
}

/** What {@link send} did: bytes handed to the socket, and a wait if its buffer is full. */
interface Sent {
  readonly bytes: number;
  /** Set when the client is not reading fast enough: wait for it before serving more. */
  readonly drained?: Promise<unknown>;
}

/**
 * Writes a response, head and body in one go. Does not wait unless the
 * socket's send buffer is full (then `drained` says when it has room): a hit
 * is answered without a single trip through the promise queue.
 */
function send(conn: Connection, response: EncodedResponse): Sent {
  const socket = conn.socket;
  if (socket.destroyed || socket.writableEnded) return { bytes: 0 };
  // Corked, the head and the body leave in one system call (writev) instead of two packets.
  socket.cork();
  const wroteHead = conn.write(response.head);
  const wroteBody = response.body === undefined ? wroteHead : conn.write(response.body);
  socket.uncork();
  const bytes = Buffer.byteLength(response.head) + (response.body?.length ?? 0);
  // The writes' promises are already resolved unless a write found the buffer full, which sets writableNeedDrain.
  return socket.writableNeedDrain ? { bytes, drained: Promise.all([wroteHead, wroteBody]) } : { bytes };
}

/**
 * Ends our side after refusing a request, then reads and drops what the
 * client still sends for a moment: closing with unread bytes makes the kernel
 * send a reset, which can destroy our answer before the client reads it.
 */
async function lingeringClose(conn: Connection): Promise<void> {
  try {
    await conn.end({ timeoutMs: LINGER_MS });
    let dropped = 0;
    const until = performance.now() + LINGER_MS;
    while (dropped < LINGER_BYTES && performance.now() < until) {
      const chunk = await conn.readAvailable({ timeoutMs: Math.max(1, until - performance.now()) });
      if (chunk === null) break;
      dropped += chunk.length;
    }
  } catch {
    // timed out or reset: either way we are done with this client
  }
  conn.destroy();
}
