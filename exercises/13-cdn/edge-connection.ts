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

/** Serves one client until it closes, asks to close, misbehaves or the edge shuts down. */
export async function serveConnection(conn: Connection, context: ConnectionContext): Promise<void> {
  // TODO: loop: read a head; nothing came (or the client left) → return; refused → send errorResponse with
  // TODO: Connection: close, then close gently (end, and read and drop what still comes for a moment, so the
  // TODO: answer is not lost to a reset); a request → read and drop its Content-Length body, context.respond (await it
  // TODO: only if it is a promise), write head and body corked together, tell context.sent, and wait for the socket to
  // TODO: drain only if its buffer is full; stop after a response that closes, or when the edge shuts down.
  throw new Error('TODO(13-cdn): serveConnection');
}
