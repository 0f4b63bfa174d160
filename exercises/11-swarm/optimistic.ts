/**
 * The optimistic unchoke. Tit-for-tat alone would never try anyone new: a
 * peer we do not upload to has no reason to upload to us, so we would never
 * learn it is fast, and a newcomer with no pieces could never start. So one
 * slot goes to a random peer that tit-for-tat left choked, and stays with it
 * for 30 s: long enough to get a piece, start uploading back, and earn a
 * regular slot. Newcomers are weighted up (three times as likely by default):
 * they have nothing to trade until someone gives them a piece.
 *
 *   rechoke ──holder still a candidate and its 30 s not up──▶ keep it
 *      │
 *      └─ otherwise (time up, holder left, lost interest, or now holds a
 *         regular slot) ──▶ draw a new holder among the choked interested
 *         peers, newcomers counted `newcomerWeight` times
 */
import type { ChokeInput, ChokerPeer, ChokerState } from '../10-peer/types.ts';
import type { ResolvedChokerOptions } from './options.ts';

/** True when `peer` connected less than `newcomerWindowMs` ago. */
export function isNewcomer(peer: ChokerPeer, now: number, newcomerWindowMs: number): boolean {
  // TODO
  throw new Error('TODO(11-swarm): isNewcomer');
}

/**
 * Who holds the optimistic slot after this rechoke, and since when. The
 * candidates are the interested peers without a regular slot. The holder keeps
 * the slot while it is a candidate and `optimisticIntervalMs` has not passed
 * since `state.optimisticSince`; otherwise the slot moves, with one draw of
 * `input.random`, to another candidate (the same one only if it is the only
 * candidate). Candidates are taken in key order, so the order of
 * `input.peers` does not matter.
 */
export function rotateOptimistic(input: ChokeInput, regular: ReadonlySet<string>, options: ResolvedChokerOptions): ChokerState {
  // TODO: the candidates: interested peers not in `regular`, sorted by key (compareKeys).
  // TODO: keep input.state as it is while its holder is a candidate and its interval is not up.
  // TODO: otherwise draw a new holder (not the old one, unless it is the only candidate), each candidate as
  // TODO: likely as its weight: newcomerWeight for a newcomer, 1 for the others; one input.random() for the draw.
  // TODO: The new state says who and since when (input.now); no candidate at all: nobody holds the slot.
  throw new Error('TODO(11-swarm): rotateOptimistic');
}

/** Plain code-unit order, the same on every machine (unlike localeCompare). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
