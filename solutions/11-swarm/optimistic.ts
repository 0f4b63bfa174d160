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
  return now - peer.connectedAt < newcomerWindowMs;
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
  const candidates = input.peers
    .filter((peer) => peer.interested && !regular.has(peer.key))
    .sort((a, b) => compareKeys(a.key, b.key));
  const { optimistic: holder, optimisticSince } = input.state;
  const holderStays = candidates.some((peer) => peer.key === holder) && input.now - optimisticSince < options.optimisticIntervalMs;
  if (holderStays) return input.state;

  const others = candidates.filter((peer) => peer.key !== holder);
  const pool = others.length > 0 ? others : candidates;
  const weightOf = (peer: ChokerPeer) => (isNewcomer(peer, input.now, options.newcomerWindowMs) ? options.newcomerWeight : 1);
  const chosen = drawWeighted(pool, weightOf, input.random);
  return chosen === undefined ? { optimistic: undefined, optimisticSince } : { optimistic: chosen.key, optimisticSince: input.now };
}

/** One of `items`, each as likely as its weight, with one draw of `random`. */
function drawWeighted<T>(items: readonly T[], weightOf: (item: T) => number, random: () => number): T | undefined {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  let point = random() * total;
  for (const item of items) {
    point -= weightOf(item);
    if (point < 0) return item;
  }
  return items.at(-1);
}

/** Plain code-unit order, the same on every machine (unlike localeCompare). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
