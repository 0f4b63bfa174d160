/**
 * Who sent bad data. A piece is checked only once all its blocks are in, and
 * they may have come from several peers, so a bad piece blames all of them a
 * little and a good one clears them a little (the scheme libtorrent uses):
 * a peer that keeps contributing to bad pieces sinks to {@link BAN_TRUST}
 * and is dropped, while an honest peer that once shared a piece with a liar
 * recovers with its next good pieces. Given complete: the same file in
 * exercises/ and solutions/.
 */

/** Trust never climbs above this, so a long honest past cannot buy many bad pieces. */
export const MAX_TRUST = 8;
/** At or below this a peer is dropped and not let back in. */
export const BAN_TRUST = -7;
/** Each contributor of a bad piece loses this much. */
export const SHARED_FAILURE_PENALTY = 2;
/** The only contributor of a bad piece is certainly guilty: it loses this much (two such pieces ban it). */
export const SOLE_FAILURE_PENALTY = 4;

/** Trust per peer (keyed by peer_id), and the peers banned so far. */
export class TrustLedger {
  private readonly trust = new Map<string, number>();
  private readonly banned = new Set<string>();

  /** A piece passed its hash check: every contributor gains one point. */
  pieceVerified(contributors: Iterable<string>): void {
    for (const peer of contributors) this.trust.set(peer, Math.min(MAX_TRUST, (this.trust.get(peer) ?? 0) + 1));
  }

  /** A piece failed its hash check: returns the contributors that just got banned. */
  pieceFailed(contributors: readonly string[]): string[] {
    const penalty = contributors.length === 1 ? SOLE_FAILURE_PENALTY : SHARED_FAILURE_PENALTY;
    const newlyBanned: string[] = [];
    for (const peer of contributors) {
      const trust = (this.trust.get(peer) ?? 0) - penalty;
      this.trust.set(peer, trust);
      if (trust <= BAN_TRUST && !this.banned.has(peer)) {
        this.banned.add(peer);
        newlyBanned.push(peer);
      }
    }
    return newlyBanned;
  }

  /** True once a peer has been banned. */
  isBanned(peer: string): boolean {
    return this.banned.has(peer);
  }

  /** The current trust of a peer (0 if never seen). */
  trustOf(peer: string): number {
    return this.trust.get(peer) ?? 0;
  }
}
