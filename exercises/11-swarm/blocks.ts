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
  // TODO: a piece that is not in input.started: all its blocks, 0 … blocksIn(index) - 1.
  // TODO: a started piece: only its blocks in state 'missing' (and none requested from input.peer.key).
  throw new Error('TODO(11-swarm): blocksToAsk');
}

/** True when the peer has piece `index` and we do not: the only pieces worth asking it for. */
export function peerCanGive(input: PickInput, index: number): boolean {
  // TODO
  throw new Error('TODO(11-swarm): peerCanGive');
}

/** How many pieces we have, counting no further than `limit` (the picker only needs to know whether it reached it). */
export function countHave(input: PickInput, limit: number): number {
  // TODO: PieceSet has no count: walk the pieces, and stop once you reach `limit`.
  throw new Error('TODO(11-swarm): countHave');
}
