/**
 * The choker: who we upload to. BitTorrent's answer to free-riding is
 * tit-for-tat: upload to the peers that upload to us fastest, so uploading is
 * how you get download speed. A pure function: every call is one rechoke,
 * from the peers' rates, the clock and a seeded random source; what must
 * survive to the next call (the optimistic slot) is in the state it returns.
 *
 *   interested peers ─┬─ snubbed (no block for 60 s) ──────────────┐
 *                     └─ rank by rate (ties by key) ─▶ top 4: regular slots
 *                                        the rest ──┴─▶ optimistic slot: one, at random
 *
 * While downloading, the rate is how fast the peer sends to us. A seed gets
 * nothing from anyone, so it ranks by how fast each peer takes from it: the
 * fastest downloaders spread the pieces on soonest.
 *
 * Peers that are not interested are never unchoked. The mainline client
 * unchoked fast uninterested peers as a courtesy, so they could start at once
 * when they became interested; here the peer simply rechokes as soon as a
 * peer becomes interested (every call is a rechoke), and "unchoked" always
 * means "a peer we are uploading to": never more than regularSlots + 1.
 *
 * How the peer of exercise 10 uses it: every 10 s (and when a peer becomes
 * interested, loses interest or leaves) it calls the choker with each
 * connection's rates and times, sends `unchoke` to the peers newly in
 * `unchoked`, `choke` to those newly out of it, and keeps `state` for the
 * next call.
 */
import type { ChokeInput, Choker, ChokerPeer } from '../10-peer/types.ts';
import { compareKeys, rotateOptimistic } from './optimistic.ts';
import { resolveChokerOptions, type ChokerOptions } from './options.ts';
import { isSnubbed } from './snubbing.ts';

/**
 * The real choker: `regularSlots` interested peers by rate (tit-for-tat,
 * snubbed peers excluded), plus one optimistic unchoke that moves every
 * `optimisticIntervalMs`. Same input, same decision.
 */
export function createChoker(options: ChokerOptions = {}): Choker {
  const resolved = resolveChokerOptions(options);
  return (input) => {
    const regular = new Set(regularPeers(input, resolved.regularSlots, resolved.snubTimeoutMs));
    const state = rotateOptimistic(input, regular, resolved);
    const unchoked = new Set(regular);
    if (state.optimistic !== undefined) unchoked.add(state.optimistic);
    return { unchoked, optimistic: state.optimistic, state };
  };
}

/**
 * The keys of the peers that earn a regular slot: interested, not snubbed
 * (a seed snubs nobody), the `slots` best by rate, ties by key.
 */
export function regularPeers(input: ChokeInput, slots: number, snubTimeoutMs: number): string[] {
  const rate = (peer: ChokerPeer) => (input.seeding ? peer.uploadRate : peer.downloadRate);
  return input.peers
    .filter((peer) => peer.interested && (input.seeding || !isSnubbed(peer, input.now, snubTimeoutMs)))
    .sort((a, b) => rate(b) - rate(a) || compareKeys(a.key, b.key))
    .slice(0, slots)
    .map((peer) => peer.key);
}
