/**
 * The edge's options, its running handle and what it reports. Given complete:
 * the same file in exercises/ and solutions/; `wirelab serve cdn` and
 * `wirelab experiment cdn` are built on these names.
 */
import type { Transcript } from 'wirelab';
import type { RequestLimits } from './http-request.ts';

/** How the cache answered one request (the `X-Cache` field). */
export type CacheStatus =
  /** Served from the cache, fresh: the origin was not asked. */
  | 'HIT'
  /** Not in the cache (or not storable): fetched from the origin. */
  | 'MISS'
  /** Stale in the cache; the origin said 304 "still good", so the stored body was served. */
  | 'REVALIDATED'
  /** Stale in the cache and the origin could not be reached: served stale rather than failing. */
  | 'STALE';

/** Time limits of the edge, in milliseconds. */
export interface EdgeTimeouts {
  /** Opening a connection to the origin. @default 2000 */
  originConnectMs?: number;
  /** From the start of a fetch (connecting included) to the last byte of the origin's response (then 504). @default 5000 */
  originResponseMs?: number;
  /**
   * A client's whole request head, counted from when the edge starts waiting
   * for it (after the previous response). A client that began a request and
   * did not finish it in time gets 408 and the connection closes; a kept-alive
   * connection on which nothing arrived is closed without a word. @default 10000
   */
  clientHeaderMs?: number;
}

/** How to run an edge. */
export interface EdgeOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (the system picks; read `edge.port`) */
  port?: number;
  /** The origin the misses are fetched from. */
  origin: { host: string; port: number };
  /** The most bytes the cache holds (bodies plus stored fields). @default 67108864 (64 MiB) */
  cacheBytes?: number;
  /** The largest origin body the edge accepts (it holds whole bodies in memory; bigger ones are 502). @default 67108864 */
  maxObjectBytes?: number;
  timeouts?: EdgeTimeouts;
  /** Limits of a request head (414, 431, 413 beyond them). */
  limits?: Partial<RequestLimits>;
  /** The clock, ms since the epoch: tests move it to age entries without waiting. @default Date.now */
  now?: () => number;
  /** Called once per response sent, for `-v` logging. */
  onRequest?: (event: EdgeRequestEvent) => void;
  /** Records every client connection's bytes (what the edge writes as `server`). */
  transcript?: Transcript;
}

/** One response the edge sent. */
export interface EdgeRequestEvent {
  /** The client, `host:port`. */
  client: string;
  /** Method and target, when the request got that far. */
  method?: string;
  target?: string;
  status: number;
  /** How the cache answered; absent when the request never reached the cache (400, 405, …). */
  cache?: CacheStatus;
  /** Bytes written for this response, head and body. */
  bytes: number;
  /** From the complete request head to the response handed to the socket. */
  ms: number;
}

/** What an edge has done so far. */
export interface EdgeStats {
  /** Responses sent, of every kind. */
  requests: number;
  /** Answered from the cache while fresh. */
  hits: number;
  /** Answered with what the origin sent (not cached, or not storable). */
  misses: number;
  /** Stale entries the origin confirmed with 304. */
  revalidated: number;
  /** Stale entries served because the origin could not be reached. */
  stale: number;
  /** Requests sent to the origin: concurrent misses for one object share one. */
  originFetches: number;
  /** Origin fetches that failed (refused, reset, timed out, malformed). */
  originFailures: number;
  /** Bytes written to clients, heads and bodies. */
  bytesServed: number;
  /** Bytes the cache holds now. */
  cacheBytes: number;
  /** Objects the cache holds now. */
  cacheEntries: number;
  /** Objects pushed out of the cache to make room. */
  evictions: number;
}

/** A running edge. */
export interface Edge {
  readonly host: string;
  readonly port: number;
  /** A snapshot of the counters, taken when read. */
  readonly stats: EdgeStats;
  /** Stops accepting, ends kept-alive connections and resolves once all are gone. */
  close(): Promise<void>;
}

/** The defaults of {@link EdgeOptions}. */
export const EDGE_DEFAULTS = {
  cacheBytes: 64 * 1024 * 1024,
  maxObjectBytes: 64 * 1024 * 1024,
  originConnectMs: 2000,
  originResponseMs: 5000,
  clientHeaderMs: 10_000,
} as const;
