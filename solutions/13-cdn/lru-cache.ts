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

interface Slot<V> {
  value: V;
  bytes: number;
}

/** A byte-bounded LRU map from string keys to values. */
export class LruCache<V> {
  /** The limit given at construction. */
  readonly maxBytes: number;
  private readonly slots = new Map<string, Slot<V>>();
  private used = 0;
  private evicted = 0;
  private readonly onEvict: LruOptions<V>['onEvict'];

  constructor(options: LruOptions<V>) {
    if (!(options.maxBytes >= 0)) throw new RangeError(`maxBytes must be a number ≥ 0, got ${options.maxBytes}`);
    this.maxBytes = options.maxBytes;
    this.onEvict = options.onEvict;
  }

  /** Bytes held now (the sum of the entries' sizes), never over {@link maxBytes}. */
  get bytes(): number {
    return this.used;
  }

  /** Entries held now. */
  get size(): number {
    return this.slots.size;
  }

  /** Entries pushed out so far to make room. */
  get evictions(): number {
    return this.evicted;
  }

  /** The value of `key`, which becomes the most recently used; undefined if absent. */
  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  /** The value of `key` without counting it as a use. */
  peek(key: string): V | undefined {
    return this.slots.get(key)?.value;
  }

  /** True when `key` is held. */
  has(key: string): boolean {
    return this.slots.has(key);
  }

  /**
   * Stores `value` under `key` as the most recently used, counting `bytes`
   * for it, and evicts the least recently used entries until the total fits.
   * An entry larger than the whole cache is not stored (and any older value
   * of that key is dropped): returns false.
   */
  set(key: string, value: V, bytes: number): boolean {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`bytes must be a whole number ≥ 0, got ${bytes}`);
    this.delete(key);
    if (bytes > this.maxBytes) return false;
    this.slots.set(key, { value, bytes });
    this.used += bytes;
    while (this.used > this.maxBytes) {
      const [oldest, slot] = this.slots.entries().next().value as [string, Slot<V>];
      this.slots.delete(oldest);
      this.used -= slot.bytes;
      this.evicted++;
      this.onEvict?.(oldest, slot.value, slot.bytes);
    }
    return true;
  }

  /** Removes `key`; true if it was held. */
  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.used -= slot.bytes;
    return true;
  }

  /** The keys from least to most recently used (the order eviction follows). */
  keys(): string[] {
    return [...this.slots.keys()];
  }
}
