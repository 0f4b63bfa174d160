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
  const now = options.now ?? Date.now;
  const timeouts = options.timeouts ?? {};
  const cache = new EdgeCache(
    options.origin,
    {
      connectTimeoutMs: timeouts.originConnectMs ?? EDGE_DEFAULTS.originConnectMs,
      responseTimeoutMs: timeouts.originResponseMs ?? EDGE_DEFAULTS.originResponseMs,
      maxBodyBytes: options.maxObjectBytes ?? EDGE_DEFAULTS.maxObjectBytes,
      now,
    },
    options.cacheBytes ?? EDGE_DEFAULTS.cacheBytes,
  );
  const counts = { requests: 0, hits: 0, misses: 0, revalidated: 0, stale: 0, bytesServed: 0 };
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per waiting read: as many as there are clients

  const sent = (conn: Connection, request: HttpRequest | undefined, response: EdgeResponse, bytes: number, startedAt: number): void => {
    counts.requests++;
    counts.bytesServed += bytes;
    if (response.cache === 'HIT') counts.hits++;
    else if (response.cache === 'MISS') counts.misses++;
    else if (response.cache === 'REVALIDATED') counts.revalidated++;
    else if (response.cache === 'STALE') counts.stale++;
    options.onRequest?.({
      client: conn.peer,
      ...(request !== undefined ? { method: request.method, target: request.target } : {}),
      status: response.status,
      ...(response.cache !== undefined ? { cache: response.cache } : {}),
      bytes,
      ms: performance.now() - startedAt,
    });
  };

  const server = await listenTcp(
    (conn) =>
      serveConnection(conn, {
        limits: { ...DEFAULT_REQUEST_LIMITS, ...options.limits },
        clientHeaderMs: timeouts.clientHeaderMs ?? EDGE_DEFAULTS.clientHeaderMs,
        shutdown: stop.signal,
        respond: (request) => respond(request, cache, now),
        sent,
      }),
    {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      ...(options.transcript ? { transcript: options.transcript } : {}),
      onError: (error, conn) => {
        // A client that vanishes mid-response is routine; anything else is a bug worth a line, never a crash.
        if (!(error instanceof ConnectionClosedError)) console.error(`wirelab edge: connection ${conn.peer} failed:`, error);
      },
    },
  );

  return {
    host: server.host,
    port: server.port,
    get stats(): EdgeStats {
      return {
        ...counts,
        ...cache.counters,
        cacheBytes: cache.store.bytes,
        cacheEntries: cache.store.size,
        evictions: cache.store.evictions,
      };
    },
    close: async () => {
      stop.abort();
      await server.close();
    },
  };
}
