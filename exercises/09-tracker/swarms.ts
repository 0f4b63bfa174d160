/**
 * The tracker's memory: for every info_hash, the swarm of peers that
 * announced it recently. Pure bookkeeping, no sockets: both the HTTP and the
 * UDP front end call {@link Swarms.announce}. Time is passed in (`now`, in
 * milliseconds) so tests can run hours of announces in no time.
 */
import { DEFAULT_MAX_PEERS, DEFAULT_NUMWANT, MAX_NUMWANT } from './constants.ts';
import { TrackerRequestError } from './request-error.ts';
import type { AnnounceRequest, AnnounceResult, PeerInfo, ScrapeCounts, SwarmSummary } from './types.ts';

/** How a {@link Swarms} forgets and how big it may grow. */
export interface SwarmsOptions {
  /** A peer that has not announced for this long is removed by {@link Swarms.expire}. */
  peerTtlMs: number;
  /** Peers at most, all swarms together. @default 100000 */
  maxPeers?: number;
}

/** A suggestion: what the tracker could keep per peer: a fixed, small record (its memory is bounded). */
interface PeerEntry extends PeerInfo {
  /** The peer_id as a latin1 string: the key of the swarm's map. */
  key: string;
  left: number;
  lastSeen: number;
  /** Where it sits in the swarm's `list` (kept in step for O(1) removal). */
  index: number;
}

/** A suggestion: one info_hash's peers, in a map by peer_id and an array for random picks. */
interface Swarm {
  infoHash: Buffer;
  byId: Map<string, PeerEntry>;
  list: PeerEntry[];
  seeders: number;
  completed: number;
}

/** Every swarm the tracker knows. */
export class Swarms {
  // TODO: a Map from info_hash (as a latin1 string) to its swarm, and a count of all peers.

  constructor(private readonly options: SwarmsOptions) {}

  /**
   * Records one announce and answers it: the peer joins (or refreshes its
   * entry), leaves on `stopped`, bumps `completed` on `completed`; the answer
   * holds up to numwant OTHER peers, picked at random, and the swarm's counts.
   * Throws {@link TrackerRequestError} when a newcomer would exceed maxPeers.
   */
  announce(request: AnnounceRequest, now: number): AnnounceResult {
    // TODO: `stopped` → remove the peer, answer with no peers.
    // TODO: otherwise add or refresh the peer (keep seeders counted: left === 0), count `completed`,
    // TODO: and pick up to numwant other peers (negative → DEFAULT_NUMWANT, never above MAX_NUMWANT).
    throw new Error('TODO(09-tracker): Swarms.announce');
  }

  /** The scrape figures of one info_hash (zeros for a swarm nobody announced). */
  scrape(infoHash: Uint8Array): ScrapeCounts {
    // TODO
    throw new Error('TODO(09-tracker): Swarms.scrape');
  }

  /** Removes every peer that has not announced for peerTtlMs, and emptied swarms; returns how many peers left. */
  expire(now: number): number {
    // TODO: a peer whose last announce is older than now - options.peerTtlMs goes.
    throw new Error('TODO(09-tracker): Swarms.expire');
  }

  /** One summary per swarm, for the status page and scrape-all (at most `limit`). */
  summaries(limit = Infinity): SwarmSummary[] {
    // TODO
    throw new Error('TODO(09-tracker): Swarms.summaries');
  }

  /** Peers tracked, all swarms together. */
  get peerCount(): number {
    // TODO
    throw new Error('TODO(09-tracker): Swarms.peerCount');
  }

  /** Swarms tracked. */
  get swarmCount(): number {
    // TODO
    throw new Error('TODO(09-tracker): Swarms.swarmCount');
  }
}
