/**
 * Small questions both pickers ask of a {@link PickInput}: which blocks of a
 * piece are still to be asked for, and how many pieces we hold.
 */
import type { PickInput } from '../10-peer/types.ts';

/**
 * The block numbers of piece `index` that nobody has been asked for yet, in
 * order: every block of a piece not started, the `missing` blocks of a started
 * one. Never a block already requested from this peer.
 */
export function blocksToAsk(input: PickInput, index: number): number[] {
  const piece = input.started.get(index);
  if (piece === undefined) return Array.from({ length: input.blocksIn(index) }, (_, block) => block);
  const blocks: number[] = [];
  piece.blocks.forEach((state, block) => {
    if (state === 'missing' && !piece.requestedFrom[block]?.has(input.peer.key)) blocks.push(block);
  });
  return blocks;
}

/** True when the peer has piece `index` and we do not: the only pieces worth asking it for. */
export function peerCanGive(input: PickInput, index: number): boolean {
  return input.peer.has.has(index) && !input.have.has(index);
}

/** How many pieces we have, counting no further than `limit` (the picker only needs to know whether it reached it). */
export function countHave(input: PickInput, limit: number): number {
  let count = 0;
  for (let index = 0; index < input.pieceCount && count < limit; index++) {
    if (input.have.has(index)) count++;
  }
  return count;
}
