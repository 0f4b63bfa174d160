/**
 * A small seeded pseudo-random generator, so a fault proxy given the same
 * seed drops, delays and splits the same way on every run (and a failing test
 * can be replayed). Not for cryptography.
 */

/** A seed: a number, or any string (hashed to a number). */
export type Seed = number | string;

/** Hashes a string seed to 32 bits (FNV-1a), so `'pinger'` is as good a seed as `42`. */
export function seedToInt(seed: Seed): number {
  if (typeof seed === 'number') return seed >>> 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * mulberry32: 32 bits of state, one multiply-xorshift round per number.
 * Returns a function giving floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded stream of random decisions. */
export class SeededRandom {
  private readonly next: () => number;

  constructor(seed: Seed) {
    this.next = mulberry32(seedToInt(seed));
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** True with probability `p` (always draws one number, so later draws do not depend on `p`). */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A new independent stream derived from this seed and a label (e.g. one per direction). */
  static derive(seed: Seed, label: string): SeededRandom {
    return new SeededRandom(`${seedToInt(seed)}/${label}`);
  }
}
