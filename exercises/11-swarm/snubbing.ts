/**
 * Anti-snubbing. A peer can take our uploads and give nothing back (a
 * free-rider, or one that simply choked us). Rates catch that slowly: its
 * rate decays over about 20 s. So a peer that has sent us no block for a
 * minute is called snubbed and loses its regular slot outright; only the
 * optimistic slot, a lottery, may still serve it.
 *
 *   connected ─────── 60 s without a block ───────▶ snubbed
 *                                │ a block arrives
 *                                ▼
 *                          not snubbed again
 */
import type { ChokerPeer } from '../10-peer/types.ts';

/**
 * True when `peer` has sent us no block for `snubTimeoutMs` or longer (counted
 * from its last block, or from when it connected if it never sent one). A
 * newcomer is given that long before it can be snubbed. A seed never calls
 * this: it expects no blocks from anyone.
 */
export function isSnubbed(peer: ChokerPeer, now: number, snubTimeoutMs: number): boolean {
  // TODO: silent since its last block, or since it connected when it never sent one (lastBlockAt undefined).
  throw new Error('TODO(11-swarm): isSnubbed');
}
