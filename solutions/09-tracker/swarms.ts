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

/** What the tracker keeps per peer: a fixed, small record (its memory is bounded). */
interface PeerEntry extends PeerInfo {
  /** The peer_id as a latin1 string: the key of the swarm's map. */
  key: string;
  left: number;
  lastSeen: number;
  /** Where it sits in the swarm's `list` (kept in step for O(1) removal). */
  index: number;
}

/** One info_hash's peers, in a map by peer_id and an array for random picks. */
interface Swarm {
  infoHash: Buffer;
  byId: Map<string, PeerEntry>;
  list: PeerEntry[];
  seeders: number;
  completed: number;
}

/** Every swarm the tracker knows. */
export class Swarms {
  private readonly swarms = new Map<string, Swarm>();
  private peers = 0;
  private readonly maxPeers: number;

  constructor(private readonly options: SwarmsOptions) {
    this.maxPeers = options.maxPeers ?? DEFAULT_MAX_PEERS;
  }

  /**
   * Records one announce and answers it: the peer joins (or refreshes its
   * entry), leaves on `stopped`, bumps `completed` on `completed`; the answer
   * holds up to numwant OTHER peers, picked at random, and the swarm's counts.
   * Throws {@link TrackerRequestError} when a newcomer would exceed maxPeers.
   */
  announce(request: AnnounceRequest, now: number): AnnounceResult {
    const hashKey = request.infoHash.toString('latin1');
    const peerKey = request.peerId.toString('latin1');
    let swarm = this.swarms.get(hashKey);

    if (request.event === 'stopped') {
      if (swarm) this.remove(swarm, hashKey, peerKey);
      return { peers: [], complete: swarm?.seeders ?? 0, incomplete: swarm ? swarm.list.length - swarm.seeders : 0 };
    }

    if (!swarm) {
      swarm = { infoHash: Buffer.from(request.infoHash), byId: new Map(), list: [], seeders: 0, completed: 0 };
      this.swarms.set(hashKey, swarm);
    }
    let entry = swarm.byId.get(peerKey);
    if (!entry) {
      if (this.peers >= this.maxPeers) {
        if (swarm.list.length === 0) this.swarms.delete(hashKey);
        throw new TrackerRequestError('the tracker is full; try again later');
      }
      entry = { key: peerKey, peerId: Buffer.from(request.peerId), ip: request.ip, port: request.port, left: request.left, lastSeen: now, index: swarm.list.length };
      swarm.byId.set(peerKey, entry);
      swarm.list.push(entry);
      this.peers++;
      if (entry.left === 0) swarm.seeders++;
    } else {
      if (entry.left === 0 && request.left !== 0) swarm.seeders--;
      if (entry.left !== 0 && request.left === 0) swarm.seeders++;
      entry.ip = request.ip;
      entry.port = request.port;
      entry.left = request.left;
      entry.lastSeen = now;
    }
    if (request.event === 'completed') swarm.completed++;

    return {
      peers: this.pick(swarm, entry, wanted(request.numWant)),
      complete: swarm.seeders,
      incomplete: swarm.list.length - swarm.seeders,
    };
  }

  /** The scrape figures of one info_hash (zeros for a swarm nobody announced). */
  scrape(infoHash: Uint8Array): ScrapeCounts {
    const swarm = this.swarms.get(Buffer.from(infoHash).toString('latin1'));
    if (!swarm) return { complete: 0, incomplete: 0, downloaded: 0 };
    return { complete: swarm.seeders, incomplete: swarm.list.length - swarm.seeders, downloaded: swarm.completed };
  }

  /** Removes every peer that has not announced for peerTtlMs, and emptied swarms; returns how many peers left. */
  expire(now: number): number {
    const oldest = now - this.options.peerTtlMs;
    let removed = 0;
    for (const [hashKey, swarm] of this.swarms) {
      // Walk backwards: removal swaps the last entry into the hole.
      for (let i = swarm.list.length - 1; i >= 0; i--) {
        const entry = swarm.list[i]!;
        if (entry.lastSeen < oldest) {
          this.remove(swarm, hashKey, entry.key);
          removed++;
        }
      }
    }
    return removed;
  }

  /** One summary per swarm, for the status page and scrape-all (at most `limit`). */
  summaries(limit = Infinity): SwarmSummary[] {
    const out: SwarmSummary[] = [];
    for (const swarm of this.swarms.values()) {
      if (out.length >= limit) break;
      out.push({ infoHashHex: swarm.infoHash.toString('hex'), ...this.scrape(swarm.infoHash) });
    }
    return out;
  }

  /** Peers tracked, all swarms together. */
  get peerCount(): number {
    return this.peers;
  }

  /** Swarms tracked. */
  get swarmCount(): number {
    return this.swarms.size;
  }

  /** Up to `count` peers other than `self`, uniformly at random (a partial Fisher–Yates shuffle in place). */
  private pick(swarm: Swarm, self: PeerEntry, count: number): PeerInfo[] {
    const list = swarm.list;
    const out: PeerInfo[] = [];
    for (let i = 0; i < list.length && out.length < count; i++) {
      const j = i + Math.floor(Math.random() * (list.length - i));
      const chosen = list[j]!;
      list[j] = list[i]!;
      list[j].index = j;
      list[i] = chosen;
      chosen.index = i;
      if (chosen !== self && !(chosen.ip === self.ip && chosen.port === self.port)) {
        out.push({ peerId: chosen.peerId, ip: chosen.ip, port: chosen.port });
      }
    }
    return out;
  }

  private remove(swarm: Swarm, hashKey: string, peerKey: string): void {
    const entry = swarm.byId.get(peerKey);
    if (!entry) return;
    swarm.byId.delete(peerKey);
    const last = swarm.list.pop()!;
    if (last !== entry) {
      swarm.list[entry.index] = last;
      last.index = entry.index;
    }
    if (entry.left === 0) swarm.seeders--;
    this.peers--;
    if (swarm.list.length === 0) this.swarms.delete(hashKey);
  }
}

/** numwant as asked, with the default for "don't care" (negative) and a cap. */
function wanted(numWant: number): number {
  return numWant < 0 ? DEFAULT_NUMWANT : Math.min(numWant, MAX_NUMWANT);
}
