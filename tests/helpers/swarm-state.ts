/**
 * Snapshots of a download, written the way a person draws them, for the
 * strategy tests of exercise 11:
 *
 *   pieces('1011')                  a bitfield: pieces 0, 2 and 3
 *   started(2, 'xr..', { 1: ['B'] }) piece 2: block 0 received, block 1
 *                                    requested from B, blocks 2-3 missing
 *   pickInput({ have: '1000', peer: '1111', others: ['1100', '1010'] })
 *
 * Availability is counted here, from the peer's and the others' bitfields,
 * never by the code under test. Nothing here imports solutions/.
 */
import { mulberry32 } from '../../lib/faults/random.ts';
import type { BlockState, ChokerPeer, PickInput, PieceSet, StartedPiece } from '@impl/10-peer/types.ts';

/** A read-only piece set from a string of 0s and 1s (piece 0 first). */
export function pieces(bits: string): PieceSet {
  if (!/^[01]*$/.test(bits)) throw new Error(`pieces('${bits}'): use only 0 and 1`);
  const set: PieceSet & { toString(): string } = { size: bits.length, has: (index) => bits[index] === '1', toString: () => bits };
  return set;
}

const STATE_OF: Record<string, BlockState> = { '.': 'missing', r: 'requested', x: 'received' };

/**
 * A started piece from one character per block: `.` missing, `r` requested,
 * `x` received. A requested block is requested from the peers listed for it
 * in `from` (by block number), or from a peer called `other` by default.
 */
export function started(index: number, blocks: string, from: Record<number, string[]> = {}): StartedPiece {
  const states = [...blocks].map((c) => {
    const state = STATE_OF[c];
    if (!state) throw new Error(`started(${index}, '${blocks}'): use . r x`);
    return state;
  });
  const requestedFrom = states.map((state, block) => new Set(state === 'requested' ? (from[block] ?? ['other']) : []));
  return { index, blocks: states, requestedFrom };
}

/** What a test says about a download; everything else has a default. */
export interface PickScene {
  /** Our verified pieces. */
  have: string;
  /** The pieces of the peer whose pipeline we fill. */
  peer: string;
  /** The other connected peers' pieces (they count in availability). */
  others?: string[];
  /** Pieces in progress. */
  started?: StartedPiece[];
  /** Free places in the pipeline. @default 4 */
  slots?: number;
  /** Blocks in every piece but the last. @default 4 */
  blocksPerPiece?: number;
  /** Blocks in the last piece. @default blocksPerPiece */
  lastPieceBlocks?: number;
  /** @default 'P' */
  peerKey?: string;
  /** Seed of the random source. @default 1 */
  seed?: number;
}

/** The PickInput of a scene: availability counted from `peer` and `others`. */
export function pickInput(scene: PickScene): PickInput {
  const pieceCount = scene.have.length;
  const others = scene.others ?? [];
  for (const bits of [scene.peer, ...others]) {
    if (bits.length !== pieceCount) throw new Error(`every bitfield of a scene needs ${pieceCount} pieces, got '${bits}'`);
  }
  const availability = Array.from({ length: pieceCount }, (_, i) => [scene.peer, ...others].filter((bits) => bits[i] === '1').length);
  const perPiece = scene.blocksPerPiece ?? 4;
  const last = scene.lastPieceBlocks ?? perPiece;
  return {
    pieceCount,
    blocksIn: (index) => (index === pieceCount - 1 ? last : perPiece),
    have: pieces(scene.have),
    availability,
    started: new Map((scene.started ?? []).map((piece) => [piece.index, piece])),
    peer: { key: scene.peerKey ?? 'P', has: pieces(scene.peer) },
    slots: scene.slots ?? 4,
    random: mulberry32(scene.seed ?? 1),
  };
}

/** The same snapshot with a fresh random source of another seed. */
export function reseed(input: PickInput, seed: number): PickInput {
  return { ...input, random: mulberry32(seed) };
}

/** Blocks as `piece/block` strings, easy to read in a failure. */
export function blockNames(blocks: ReadonlyArray<{ piece: number; block: number }>): string[] {
  return blocks.map(({ piece, block }) => `${piece}/${block}`);
}

/** "Now" in the choker tests: long after every default peer connected. */
export const NOW = 1_000_000;

/**
 * A peer as the choker sees it: interested, connected long ago, sent a block a
 * second ago, rates 0 unless the test says otherwise.
 */
export function chokerPeer(key: string, fields: Partial<Omit<ChokerPeer, 'key'>> = {}): ChokerPeer {
  return { key, interested: true, downloadRate: 0, uploadRate: 0, connectedAt: 0, lastBlockAt: NOW - 1_000, ...fields };
}

/** A set's members in sorted order, so failures compare as lists. */
export function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort();
}
