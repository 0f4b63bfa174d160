/**
 * The piece picker: which blocks to ask one peer for, each time its request
 * pipeline has free places. A pure function of a snapshot of the download (a
 * {@link PickInput}) and a seeded random source, so the same snapshot and seed
 * always give the same blocks, and a test can ask "given these bitfields,
 * which piece?" without a socket. In order of priority (Cohen 2003, §2.3):
 *
 *   1. strict priority: the missing blocks of pieces already started, the
 *      piece nearest completion first (a whole piece can be verified and
 *      shared; a half piece is worth nothing to anyone);
 *   2. a new piece: at random while we hold fewer than `randomFirstPieces`
 *      pieces (a newcomer needs something to trade, fast), rarest first after
 *      that, ties broken at random;
 *   3. endgame: once nothing is left to ask for the first time, blocks already
 *      requested from other peers (see endgame.ts).
 *
 * How the peer of exercise 10 uses it: whenever a peer that unchoked us has
 * free places in its pipeline, the peer builds a PickInput (our pieces, the
 * availability it counts from bitfields and `have`s, its started pieces, that
 * peer's pieces, the free places) and sends a `request` for each block
 * returned, marking them requested from that peer. In endgame the same block is
 * requested from several peers; when one copy arrives, the peer sends `cancel`
 * for it to the others.
 */
import type { BlockAddress, PickInput, PiecePicker } from '../10-peer/types.ts';
import { blocksToAsk, countHave, peerCanGive } from './blocks.ts';
import { endgameBlocks, isEndgame } from './endgame.ts';
import { resolvePiecePickerOptions, type PiecePickerOptions } from './options.ts';
import { pickAtRandom, pickRarest } from './rarity.ts';

/**
 * The real picker: started pieces first, then a random first piece, rarest
 * first, and endgame. Never a block we have, never one the peer lacks, never
 * one already requested from this peer, at most `slots` blocks.
 */
export function createPiecePicker(options: PiecePickerOptions = {}): PiecePicker {
  const { randomFirstPieces } = resolvePiecePickerOptions(options);
  return (input) => {
    const picks = new Picks(input.slots);

    for (const index of startedNearestDoneFirst(input)) picks.add(index, blocksToAsk(input, index));

    if (!picks.full) {
      const randomFirst = countHave(input, randomFirstPieces) < randomFirstPieces;
      let candidates = newPieces(input);
      while (!picks.full && candidates.length > 0) {
        const index = randomFirst ? pickAtRandom(candidates, input.random)! : pickRarest(candidates, input.availability, input.random)!;
        picks.add(index, blocksToAsk(input, index));
        candidates = candidates.filter((candidate) => candidate !== index);
      }
    }

    if (!picks.full && isEndgame(input)) {
      for (const { piece, block } of endgameBlocks(input)) picks.add(piece, [block]);
    }
    return picks.blocks;
  };
}

/** The strawman: the lowest piece index first, no rarity, no endgame (the swarm runs compare against it). */
export const sequentialPicker: PiecePicker = (input) => {
  const picks = new Picks(input.slots);
  for (let index = 0; index < input.pieceCount && !picks.full; index++) {
    if (peerCanGive(input, index)) picks.add(index, blocksToAsk(input, index));
  }
  return picks.blocks;
};

/** The blocks chosen so far, never more than `slots` and never the same block twice. */
class Picks {
  readonly blocks: BlockAddress[] = [];
  private readonly seen = new Set<string>();
  private readonly limit: number;

  constructor(slots: number) {
    this.limit = Math.max(0, Math.floor(slots));
  }

  get full(): boolean {
    return this.blocks.length >= this.limit;
  }

  add(piece: number, blocks: readonly number[]): void {
    for (const block of blocks) {
      if (this.full) return;
      const key = `${piece}/${block}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.blocks.push({ piece, block });
    }
  }
}

/** The started pieces this peer can help finish, fewest blocks left to ask first, then by index. */
function startedNearestDoneFirst(input: PickInput): number[] {
  const open: Array<{ index: number; left: number }> = [];
  for (const piece of input.started.values()) {
    if (!peerCanGive(input, piece.index)) continue;
    const left = blocksToAsk(input, piece.index).length;
    if (left > 0) open.push({ index: piece.index, left });
  }
  return open.sort((a, b) => a.left - b.left || a.index - b.index).map((piece) => piece.index);
}

/** Pieces the peer has, we lack, and nobody started: candidates for a fresh start, by index. */
function newPieces(input: PickInput): number[] {
  const pieces: number[] = [];
  for (let index = 0; index < input.pieceCount; index++) {
    if (peerCanGive(input, index) && !input.started.has(index)) pieces.push(index);
  }
  return pieces;
}
