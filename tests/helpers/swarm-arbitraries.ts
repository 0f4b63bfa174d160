/**
 * Random swarms for the property tests of exercise 11 (fast-check): download
 * snapshots for the piece picker and rechoke inputs for the choker, always
 * consistent (a requested block is requested from someone, availability
 * counts the peers' bitfields), small enough to read when one fails.
 */
import fc from 'fast-check';
import type { BlockState, ChokeInput, ChokerPeer, ChokerState, StartedPiece } from '@impl/10-peer/types.ts';
import { mulberry32 } from '../../lib/faults/random.ts';
import { NOW, pickInput, type PickScene } from './swarm-state.ts';

/** The key of the peer whose pipeline the picker fills in these scenes. */
export const PEER = 'P';
const KEYS = [PEER, 'A', 'B', 'C'] as const;

const bits = (length: number) => fc.array(fc.boolean(), { minLength: length, maxLength: length }).map((b) => b.map((x) => (x ? '1' : '0')).join(''));

/** A scene: pieces, bitfields, started pieces with blocks in every state, slots and a seed. */
export const pickScene: fc.Arbitrary<PickScene> = fc
  .record({ pieceCount: fc.integer({ min: 1, max: 10 }), blocksPerPiece: fc.integer({ min: 1, max: 4 }), lastCut: fc.nat(3) })
  .chain(({ pieceCount, blocksPerPiece, lastCut }) => {
    const lastPieceBlocks = Math.max(1, blocksPerPiece - lastCut);
    const blocksIn = (index: number) => (index === pieceCount - 1 ? lastPieceBlocks : blocksPerPiece);
    const block = fc.oneof(
      fc.constant<[BlockState, string[]]>(['missing', []]),
      fc.constant<[BlockState, string[]]>(['received', []]),
      fc.subarray([...KEYS], { minLength: 1 }).map((from): [BlockState, string[]] => ['requested', from]),
    );
    const startedPiece = (index: number) =>
      fc.array(block, { minLength: blocksIn(index), maxLength: blocksIn(index) }).map(
        (blocks): StartedPiece => ({ index, blocks: blocks.map(([state]) => state), requestedFrom: blocks.map(([, from]) => new Set(from)) }),
      );
    return fc.record({
      have: bits(pieceCount),
      peer: bits(pieceCount),
      others: fc.array(bits(pieceCount), { maxLength: 4 }),
      startedIndexes: fc.subarray(Array.from({ length: pieceCount }, (_, i) => i)),
      slots: fc.integer({ min: 0, max: 10 }),
      seed: fc.nat(),
    }).chain(({ startedIndexes, have, ...rest }) => {
      const open = startedIndexes.filter((i) => have[i] === '0');
      return fc.tuple(...open.map(startedPiece)).map((started): PickScene => ({ ...rest, have, started, blocksPerPiece, lastPieceBlocks }));
    });
  });

/** The PickInput of a generated scene (a fresh random source each time). */
export const inputOf = (scene: PickScene) => pickInput({ ...scene, peerKey: PEER });

/** A rechoke: up to 10 peers with unique keys, rates with ties, old and new connections, silent ones. */
export const chokeCase = fc
  .record({
    peers: fc.uniqueArray(
      fc.record({
        key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'),
        interested: fc.boolean(),
        downloadRate: fc.constantFrom(0, 100, 250, 1000),
        uploadRate: fc.constantFrom(0, 100, 250, 1000),
        connectedAgo: fc.integer({ min: 0, max: 200_000 }),
        silentFor: fc.option(fc.integer({ min: 0, max: 200_000 })),
      }),
      { selector: (peer) => peer.key, maxLength: 10 },
    ),
    seeding: fc.boolean(),
    holder: fc.option(fc.constantFrom('a', 'b', 'c', 'gone')),
    heldFor: fc.integer({ min: 0, max: 60_000 }),
    regularSlots: fc.integer({ min: 0, max: 5 }),
    seed: fc.nat(),
  })
  .map(({ peers, holder, heldFor, seeding, regularSlots, seed }) => {
    const chokerPeers: ChokerPeer[] = peers.map(({ connectedAgo, silentFor, ...peer }) => ({
      ...peer,
      connectedAt: NOW - connectedAgo,
      lastBlockAt: silentFor === null ? undefined : NOW - Math.min(silentFor, connectedAgo),
    }));
    const state: ChokerState = holder === null ? { optimistic: undefined, optimisticSince: Number.NEGATIVE_INFINITY } : { optimistic: holder, optimisticSince: NOW - heldFor };
    return { peers: chokerPeers, seeding, state, regularSlots, seed };
  });

/** The ChokeInput of a generated case, with a fresh random source. */
export function chokeInputOf(c: { peers: ChokerPeer[]; seeding: boolean; state: ChokerState; seed: number }): ChokeInput {
  return { now: NOW, peers: c.peers, seeding: c.seeding, state: c.state, random: mulberry32(c.seed) };
}
