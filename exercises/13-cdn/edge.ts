/**
 * A caching edge of the CDN: an HTTP/1.1 server written by hand over lib/tcp,
 * in front of one origin. Clients near it get hits from memory; misses are
 * fetched from the origin once and kept for the next client.
 *
 *   client ──HTTP/1.1──▶ edge (edge-connection.ts: read, edge-respond.ts: answer)
 *                          │ cache (edge-cache.ts: LRU + policy + coalescing)
 *                          └──▶ origin (origin-client.ts), only on a miss
 *
 * Try it: `curl -v http://127.0.0.1:PORT/video.mp4` twice (X-Cache: MISS, then
 * HIT), or `nc -C 127.0.0.1 PORT` and type `GET / HTTP/1.1`, `Host: x`, and an
 * empty line.
 */
import { setMaxListeners } from 'node:events';
import { ConnectionClosedError, listenTcp, type Connection } from 'wirelab';
import { EdgeCache } from './edge-cache.ts';
import { serveConnection } from './edge-connection.ts';
import { respond, type EdgeResponse } from './edge-respond.ts';
import { EDGE_DEFAULTS, type Edge, type EdgeOptions, type EdgeStats } from './edge-types.ts';
import { DEFAULT_REQUEST_LIMITS, type HttpRequest } from './http-request.ts';

/** Starts an edge in front of `options.origin`. Rejects if it cannot listen (`EADDRINUSE`, …). */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  // TODO: an EdgeCache in front of options.origin (timeouts and sizes from options, else EDGE_DEFAULTS);
  // TODO: listenTcp with serveConnection for every client (limits, clientHeaderMs, a shutdown signal, respond, sent);
  // TODO: count every response in the stats by its X-Cache, call onRequest; close() aborts waiting reads, then closes.
  throw new Error('TODO(13-cdn): startEdge');
}
