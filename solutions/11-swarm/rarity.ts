/**
 * Rarity: how many of our peers have each piece, and which piece is the
 * rarest. A piece only one peer has is the one the swarm is most likely to
 * lose (that peer may leave) and the one that makes us most useful to others
 * once we have it. So we fetch it first.
 *
 *   peer A   1 1 1 0
 *   peer B   1 1 0 0
 *   peer C   1 0 0 1
 *   ────────────────
 *   counts   3 2 1 1      pieces 2 and 3 are the rarest: pick one of them at random
 */
import type { PieceSet } from '../10-peer/types.ts';

/**
 * How many of `peers` have each piece: the availability the picker ranks by.
 * A peer keeps this up to date as bitfields and `have`s arrive (and subtracts
 * a peer's pieces when it leaves); this recounts from scratch.
 */
export function countAvailability(pieceCount: number, peers: Iterable<PieceSet>): number[] {
  const counts = new Array<number>(pieceCount).fill(0);
  for (const peer of peers) {
    for (let index = 0; index < pieceCount; index++) {
      if (peer.has(index)) counts[index]!++;
    }
  }
  return counts;
}

/**
 * The rarest of `candidates` (the lowest availability); among equally rare
 * pieces, one chosen with a single draw of `random`. Ties must not go to the
 * lowest index: every peer would then chase the same piece and the others
 * would stay rare. Undefined when there are no candidates.
 */
export function pickRarest(candidates: readonly number[], availability: ArrayLike<number>, random: () => number): number | undefined {
  let fewest = Number.POSITIVE_INFINITY;
  let rarest: number[] = [];
  for (const index of candidates) {
    const count = availability[index] ?? 0;
    if (count < fewest) {
      fewest = count;
      rarest = [index];
    } else if (count === fewest) {
      rarest.push(index);
    }
  }
  return pickAtRandom(rarest, random);
}

/** One of `choices`, uniformly, with one draw of `random`; undefined when there is none. */
export function pickAtRandom<T>(choices: readonly T[], random: () => number): T | undefined {
  if (choices.length === 0) return undefined;
  return choices[Math.min(choices.length - 1, Math.floor(random() * choices.length))];
}
