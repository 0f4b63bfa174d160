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
  let bytes = ENTRY_OVERHEAD_BYTES + key.length + entry.body.length;
  for (const [name, value] of entry.fields) bytes += name.length + value.length + 4;
  return bytes;
}

/** The LRU store, the policy and the coalescing of fetches, keyed by request target. */
export class EdgeCache {
  /** Keyed by target alone: this edge fronts one origin, whatever Host the client used. */
  readonly store: LruCache<StoredResponse>;
  readonly counters: CacheCounters = { originFetches: 0, originFailures: 0 };
  /** The fetch on its way for each target: later requests for it join it. */
  private readonly inflight = new Map<string, Promise<Lookup>>();

  constructor(
    private readonly origin: OriginAddress,
    private readonly limits: FetchLimits,
    cacheBytes: number,
  ) {
    this.store = new LruCache<StoredResponse>({ maxBytes: cacheBytes });
  }

  /**
   * What to serve for `target`: at once for a fresh entry (a hit waits for
   * nothing, so it does not go through the promise queue), else a promise
   * that rejects only with {@link OriginError} (then 502 or 504).
   */
  lookup(target: string): Lookup | Promise<Lookup> {
    const entry = this.store.get(target);
    if (entry !== undefined && isFresh(entry, this.limits.now())) return { kind: 'stored', cache: 'HIT', entry };
    const running = this.inflight.get(target);
    if (running !== undefined) return running.then((shared) => (shared.kind === 'passed' ? this.fetch(target, undefined) : shared));
    const flight = this.fetch(target, entry);
    this.inflight.set(target, flight);
    const done = (): void => void this.inflight.delete(target);
    flight.then(done, done);
    return flight;
  }

  /**
   * One trip to the origin: conditional when a stale entry is there. A
   * response that may not be stored is not shared: each waiting request then
   * fetches its own (RFC 9111 §4: only storable responses satisfy collapsed
   * requests).
   */
  private async fetch(target: string, stale: StoredResponse | undefined): Promise<Lookup> {
    this.counters.originFetches++;
    let response: FetchedResponse;
    try {
      response = await fetchFromOrigin(this.origin, target, stale === undefined ? [] : revalidationFields(stale), this.limits);
    } catch (error) {
      this.counters.originFailures++;
      // The origin is unreachable: a stale copy beats an error, unless the origin forbade it (RFC 9111 §4.2.4).
      if (error instanceof OriginError && stale !== undefined && mayServeStale(stale)) return { kind: 'stored', cache: 'STALE', entry: stale };
      throw error;
    }
    if (response.status === 304 && stale !== undefined) {
      const entry = refreshed(stale, response);
      this.keep(target, entry);
      return { kind: 'stored', cache: 'REVALIDATED', entry };
    }
    const verdict = storability(response.status, response.fields);
    if (!verdict.store) {
      this.store.delete(target); // whatever was stored is outdated now
      return { kind: 'passed', response };
    }
    const entry = toStored(response);
    this.keep(target, entry);
    return { kind: 'stored', cache: 'MISS', entry };
  }

  /** Stores an entry; one too large for the whole cache is served but not kept. */
  private keep(target: string, entry: StoredResponse): void {
    this.store.set(target, entry, entryBytes(target, entry));
  }
}
