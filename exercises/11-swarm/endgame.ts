/**
 * Endgame. Near the end of a download every missing block has been asked of
 * some peer, and the download waits for the slowest of them: one peer on a
 * slow link can hold the last piece for minutes. So once there is nothing left
 * to ask for the first time, we ask EVERY peer that has a block still on its
 * way; the first copy to arrive wins, and the peer sends `cancel` to the
 * others. It wastes a little bandwidth, only at the very end.
 *
 *   piece 7   [received] [requested from A] [requested from A, B]
 *   peer C has piece 7  →  ask C for blocks 1 and 2 (block 1 first: fewer peers have it in hand)
 */
import type { BlockAddress, PickInput } from '../10-peer/types.ts';

/**
 * True when nothing is left to ask for the first time: every block of every
 * piece we lack is requested or received, except pieces no connected peer has
 * (we could not ask anyone for those, so they do not hold endgame back).
 * Also true once we have every piece (there is simply nothing to pick).
 */
export function isEndgame(input: Pick<PickInput, 'pieceCount' | 'have' | 'availability' | 'started'>): boolean {
  // TODO: look for a piece we lack that some peer has and that still has a block nobody was asked
  // TODO: for (not started at all, or a started piece with a 'missing' block): then it is not endgame.
  throw new Error('TODO(11-swarm): isEndgame');
}

/**
 * In endgame: up to `slots` blocks already requested from OTHER peers that
 * this peer has, never one already requested from this peer. The blocks asked
 * of the fewest peers come first (spreading the duplicates), then by piece and
 * block number. The peer cancels the duplicates as soon as one copy arrives.
 */
export function endgameBlocks(input: PickInput): BlockAddress[] {
  // TODO: the 'requested' blocks of started pieces this peer has, unless input.peer.key is among
  // TODO: their requestedFrom; fewest requestedFrom first, then piece, then block; at most input.slots.
  throw new Error('TODO(11-swarm): endgameBlocks');
}
