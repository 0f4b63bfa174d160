/**
 * The edge's cache: the LRU store, the policy, and the origin behind them.
 * `lookup(target)` answers "what do I serve for this URL?":
 *
 *   fresh entry ─────────────────────────────▶ HIT (the origin is not asked)
 *   no entry ───── GET ──────▶ 200 storable ─▶ MISS (stored)
 *                              other ────────▶ MISS (passed on, not stored)
 *   stale entry ── GET + If-None-Match ──▶ 304 ──▶ REVALIDATED (entry refreshed)
 *                                          200 ──▶ MISS (entry replaced)
 *                                          fails ─▶ STALE if allowed, else 502/504
 *
 * Coalescing: while one fetch for a URL is on its way, every other request
 * for that URL waits for it instead of starting its own. A popular object
 * that expires (or a cold cache after a restart) then costs the origin one
 * request, not one per waiting client: the "thundering herd" stays home.
 */
import { fetchFromOrigin, type FetchLimits, type OriginAddress } from './origin-client.ts';
import { isFresh, mayServeStale, refreshed, revalidationFields, storability, toStored, type FetchedResponse, type StoredResponse } from './cache-policy.ts';
import { OriginError } from './http-errors.ts';
import { LruCache } from './lru-cache.ts';
import type { CacheStatus } from './edge-types.ts';

/** What to serve for one request. */
export type Lookup =
  /** A stored response: fresh (HIT), just fetched (MISS), confirmed (REVALIDATED) or stale for want of an origin (STALE). */
  | { readonly kind: 'stored'; readonly cache: CacheStatus; readonly entry: StoredResponse }
  /** A response that may not be stored (no-store, a 404, …): served to this request only. */
  | { readonly kind: 'passed'; readonly response: FetchedResponse };

/** Counters the cache keeps (the edge adds its own). */
export interface CacheCounters {
  originFetches: number;
  originFailures: number;
}

/** Fixed cost counted per stored object besides body and fields (the entry record, the key). */
const ENTRY_OVERHEAD_BYTES = 256;

/** The bytes an entry is counted for in the LRU: body, fields and a fixed overhead. */
export function entryBytes(key: string, entry: StoredResponse): number {
  // TODO: count the body, each field (name, value and 4 bytes of ": " and CRLF), the key and ENTRY_OVERHEAD_BYTES.
  throw new Error('TODO(13-cdn): entryBytes');
}

/** The LRU store, the policy and the coalescing of fetches, keyed by request target. */
export class EdgeCache {
  /** Keyed by target alone: this edge fronts one origin, whatever Host the client used. */
  readonly store!: LruCache<StoredResponse>;
  readonly counters: CacheCounters = { originFetches: 0, originFailures: 0 };
  /** The fetch on its way for each target: later requests for it join it. */
  private readonly inflight = new Map<string, Promise<Lookup>>();

  constructor(
    private readonly origin: OriginAddress,
    private readonly limits: FetchLimits,
    cacheBytes: number,
  ) {
    // TODO: make the LRU store of cacheBytes.
    throw new Error('TODO(13-cdn): EdgeCache constructor');
  }

  /**
   * What to serve for `target`: at once for a fresh entry (a hit waits for
   * nothing, so it does not go through the promise queue), else a promise
   * that rejects only with {@link OriginError} (then 502 or 504).
   */
  lookup(target: string): Lookup | Promise<Lookup> {
    // TODO: a fresh stored entry → HIT, returned as it is (no promise). Otherwise, if a fetch for this target is already on its way, wait for
    // TODO: it (and if its response may not be stored, fetch your own); else start one, remember it in `inflight`
    // TODO: while it runs (remove it when it settles, either way), and return it.
    throw new Error('TODO(13-cdn): EdgeCache.lookup');
  }

  /**
   * One trip to the origin: conditional when a stale entry is there. A
   * response that may not be stored is not shared: each waiting request then
   * fetches its own (RFC 9111 §4: only storable responses satisfy collapsed
   * requests).
   */
  private async fetch(target: string, stale: StoredResponse | undefined): Promise<Lookup> {
    // TODO: count the fetch; fetchFromOrigin with revalidationFields(stale) when there is a stale entry;
    // TODO: failure: count it, serve the stale entry (STALE) if mayServeStale, else rethrow the OriginError;
    // TODO: 304 with a stale entry → refreshed(), keep it, REVALIDATED; storable → toStored(), keep it, MISS;
    // TODO: not storable → drop any stored copy and pass the response on.
    throw new Error('TODO(13-cdn): EdgeCache.fetch');
  }

  /** Stores an entry; one too large for the whole cache is served but not kept. */
  private keep(target: string, entry: StoredResponse): void {
    // TODO: store the entry in the LRU with entryBytes as its size.
    throw new Error('TODO(13-cdn): EdgeCache.keep');
  }
}
