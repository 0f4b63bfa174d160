/**
 * A least-recently-used cache bounded in BYTES, not in entries: a CDN edge
 * holds a few large videos or many small images in the same memory, so what
 * must stay under the limit is the sum of the sizes. Pure (no clock, no I/O).
 *
 * The trick that makes every operation O(1): a JavaScript `Map` remembers
 * insertion order. Its first key is the least recently used one, provided
 * that every use moves the key to the end (delete, then set again).
 *
 *   set a(4) b(3) c(2), limit 10:  [a b c]        9 bytes
 *   get a:                         [b c a]        a is now the most recent
 *   set d(3):                      [c a d]        12 > 10: b (the oldest) goes
 */

/** Options of {@link LruCache}. */
export interface LruOptions<V> {
  /** The most bytes the entries may add up to. */
  maxBytes: number;
  /** Called for every entry pushed out to make room (not for delete() or replacement by set()). */
  onEvict?: (key: string, value: V, bytes: number) => void;
}

/** A suggestion: what to keep per key. */
interface Slot<V> {
  value: V;
  bytes: number;
}

/** A byte-bounded LRU map from string keys to values. */
export class LruCache<V> {
  /** The limit given at construction. */
  readonly maxBytes: number;
  // TODO: a Map from key to slot (its insertion order is the recency order), the bytes used, the evictions counted.

  constructor(options: LruOptions<V>) {
    // TODO: check maxBytes, remember it and onEvict.
    throw new Error('TODO(13-cdn): LruCache constructor');
  }

  /** Bytes held now (the sum of the entries' sizes), never over {@link maxBytes}. */
  get bytes(): number {
    // TODO: the sum of the sizes of the entries held.
    throw new Error('TODO(13-cdn): LruCache.bytes');
  }

  /** Entries held now. */
  get size(): number {
    // TODO: how many entries are held.
    throw new Error('TODO(13-cdn): LruCache.size');
  }

  /** Entries pushed out so far to make room. */
  get evictions(): number {
    // TODO: how many entries were pushed out to make room.
    throw new Error('TODO(13-cdn): LruCache.evictions');
  }

  /** The value of `key`, which becomes the most recently used; undefined if absent. */
  get(key: string): V | undefined {
    // TODO: return the value and make the entry the most recently used (in O(1): see the Map trick above).
    throw new Error('TODO(13-cdn): LruCache.get');
  }

  /** The value of `key` without counting it as a use. */
  peek(key: string): V | undefined {
    // TODO: the value, without changing the order.
    throw new Error('TODO(13-cdn): LruCache.peek');
  }

  /** True when `key` is held. */
  has(key: string): boolean {
    // TODO: is the key held?
    throw new Error('TODO(13-cdn): LruCache.has');
  }

  /**
   * Stores `value` under `key` as the most recently used, counting `bytes`
   * for it, and evicts the least recently used entries until the total fits.
   * An entry larger than the whole cache is not stored (and any older value
   * of that key is dropped): returns false.
   */
  set(key: string, value: V, bytes: number): boolean {
    // TODO: drop any old value of the key; refuse (false) an entry larger than maxBytes; store it as the most recent;
    // TODO: then evict least recently used entries (counting them, calling onEvict) until the bytes fit.
    throw new Error('TODO(13-cdn): LruCache.set');
  }

  /** Removes `key`; true if it was held. */
  delete(key: string): boolean {
    // TODO: remove the entry and its bytes; say whether it was there.
    throw new Error('TODO(13-cdn): LruCache.delete');
  }

  /** The keys from least to most recently used (the order eviction follows). */
  keys(): string[] {
    // TODO: the keys from least to most recently used.
    throw new Error('TODO(13-cdn): LruCache.keys');
  }
}
