/**
 * The lecture's two claims about swarm strategies, watched in a round-based
 * MODEL of a swarm (tests/helpers/swarm-simulation.ts) driven by the
 * reference piece picker and choker. Not graded, and not the real thing: the
 * swarm runs with the peer of exercise 10 test the same claims over sockets.
 * Seeded, so each run is the same.
 *
 * What the model shows (seeds 1–3; the machine does not matter, it is all
 * counting): with 64 pieces, 8 leechers and a seed that leaves after 20
 * rounds (about 1.6 copies uploaded), rarest first loses no piece and every
 * leecher finishes, while the sequential picker loses 44 of the 64 pieces and
 * nobody finishes. With 16 leechers of whom one never uploads, the free-rider
 * finishes about a fifth after the median peer (later than 12 or 13 of the
 * 15 others); under a choker blind to rates it finishes before the median.
 * Later, but not by much: the optimistic slots it keeps winning are worth as
 * much as regular ones (Locher et al., "Free Riding in BitTorrent is Cheap",
 * HotNets 2006, found the same on real clients).
 */
import { describe, expect, test } from 'vitest';
import { createChoker } from '@impl/11-swarm/choker.ts';
import { createPiecePicker, sequentialPicker } from '@impl/11-swarm/picker.ts';
import type { Choker } from '@impl/10-peer/types.ts';
import { rateBlindChoker, simulateSwarm } from '../helpers/swarm-simulation.ts';

describe('a modelled swarm with the reference strategies', () => {
  test('rarest first keeps every piece alive after the seed leaves early; sequential loses pieces', () => {
    for (const seed of [1, 2, 3]) {
      const run = (picker = createPiecePicker()) =>
        simulateSwarm({ pieces: 64, leechers: 8, seedLeavesAfter: 20, maxRounds: 400, picker, choker: () => createChoker(), seed });
      const rarest = run();
      expect(rarest.lostWithSeed, `seed ${seed}: pieces lost with the seed, rarest first`).toBe(0);
      expect([...rarest.completedAt.values()].filter((round) => round === undefined), `seed ${seed}: leechers that never finished`).toEqual([]);
      const sequential = run(sequentialPicker);
      expect(sequential.lostWithSeed, `seed ${seed}: pieces lost with the seed, sequential`).toBeGreaterThanOrEqual(16);
      expect([...sequential.completedAt.values()].filter((round) => round !== undefined), `seed ${seed}: leechers that finished without the lost pieces`).toEqual([]);
    }
  }, 30_000);

  test('a free-rider that never uploads finishes after most of the peers that do, unlike under a rate-blind choker', () => {
    for (const seed of [1, 2]) {
      const run = (choker: () => Choker) => {
        const result = simulateSwarm({ pieces: 300, leechers: 16, freeRiders: [7], maxRounds: 2000, picker: createPiecePicker(), choker, seed });
        const others = [...result.completedAt].filter(([key]) => key !== 'L07').map(([, round]) => round ?? Infinity).sort((a, b) => a - b);
        return { freeRider: result.completedAt.get('L07') ?? Infinity, median: others[others.length >> 1]!, others: others.join(', ') };
      };
      const titForTat = run(() => createChoker());
      expect(titForTat.freeRider, `seed ${seed}, tit-for-tat: the free-rider's finishing round against the others' (${titForTat.others})`).toBeGreaterThan(titForTat.median);
      const blind = run(() => rateBlindChoker());
      expect(blind.freeRider, `seed ${seed}, rate-blind choker: the free-rider's finishing round against the others' (${blind.others})`).toBeLessThanOrEqual(blind.median);
    }
  }, 60_000);
});
