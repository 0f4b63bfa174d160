/**
 * A swarm in rounds, to watch the strategies of exercise 11 at work before
 * the real peer of exercise 10 exists. It is a MODEL, not a peer: no sockets,
 * one block per piece, one round per second of the choker's clock, and every
 * uploader sends one block per round to each peer it has unchoked that asks
 * (so its upload capacity is its number of unchoke slots). Every peer is
 * connected to every other. What is real is the decision making: each peer
 * calls the piece picker and the choker under test, with the inputs the peer
 * of exercise 10 would give them (availability from its neighbours' pieces,
 * rates over the last 20 rounds, a rechoke every 10 rounds).
 *
 * Each round: (1) every 10th round each peer rechokes; (2) each leecher asks
 * every peer that unchoked it for one block, chosen by its picker; (3) the
 * blocks arrive. The seed leaves after `seedLeavesAfter` rounds if given.
 */
import type { Choker, ChokerPeer, ChokerState, PiecePicker, StartedPiece } from '@impl/10-peer/types.ts';
import { mulberry32 } from '../../lib/faults/random.ts';

/** A swarm to run. */
export interface SimulationOptions {
  pieces: number;
  leechers: number;
  /** Leechers (by index) that never upload: they choke everyone, always. */
  freeRiders?: number[];
  /** The seed leaves the swarm after this many rounds. */
  seedLeavesAfter?: number;
  /** Give up after this many rounds. */
  maxRounds: number;
  picker: PiecePicker;
  /** A fresh choker per peer. */
  choker: () => Choker;
  seed: number;
}

/** What happened. */
export interface SimulationResult {
  /** The round each leecher completed in (by leecher key), undefined if it never did. */
  completedAt: Map<string, number | undefined>;
  /** Pieces no remaining peer held right after the seed left (none if it stayed). */
  lostWithSeed: number;
  rounds: number;
}

const RECHOKE_ROUNDS = 10;
const RATE_WINDOW_ROUNDS = 20;
const MS_PER_ROUND = 1000;

interface SimPeer {
  key: string;
  have: boolean[];
  freeRider: boolean;
  started: Map<number, StartedPiece>;
  unchoked: ReadonlySet<string>;
  chokerState: ChokerState;
  choker: Choker;
  /** Round of the last block from each peer. */
  lastBlockFrom: Map<string, number>;
  completedAt: number | undefined;
}

interface Transfer {
  round: number;
  from: string;
  to: string;
}

/** Runs the swarm until every leecher is complete, nobody can progress, or maxRounds. */
export function simulateSwarm(options: SimulationOptions): SimulationResult {
  const random = mulberry32(options.seed);
  const makePeer = (key: string, seed: boolean, freeRider: boolean): SimPeer => ({
    key, have: new Array<boolean>(options.pieces).fill(seed), freeRider, started: new Map(), unchoked: new Set(),
    chokerState: { optimistic: undefined, optimisticSince: Number.NEGATIVE_INFINITY }, choker: options.choker(), lastBlockFrom: new Map(), completedAt: undefined,
  });
  const leechers = Array.from({ length: options.leechers }, (_, i) => makePeer(`L${String(i).padStart(2, '0')}`, false, options.freeRiders?.includes(i) ?? false));
  let peers = [makePeer('seed', true, false), ...leechers];
  const transfers: Transfer[] = [];
  let lostWithSeed = 0;
  let round = 0;

  for (; round < options.maxRounds && leechers.some((l) => l.completedAt === undefined); round++) {
    if (round === options.seedLeavesAfter) {
      peers = peers.filter((p) => p.key !== 'seed');
      lostWithSeed = Array.from({ length: options.pieces }, (_, i) => i).filter((i) => !peers.some((p) => p.have[i])).length;
    }
    if (round % RECHOKE_ROUNDS === 0) for (const peer of peers) rechoke(peer, peers, transfers, round, random);

    const deliveries: Array<{ to: SimPeer; from: SimPeer; piece: number }> = [];
    const holders = countHolders(peers, options.pieces);
    for (const downloader of peers.filter((p) => p.completedAt === undefined && !p.have.every(Boolean))) {
      // Availability among its neighbours: everyone but itself.
      const availability = holders.map((count, i) => count - (downloader.have[i] ? 1 : 0));
      for (const uploader of peers) {
        if (uploader === downloader || !uploader.unchoked.has(downloader.key)) continue;
        const [block] = options.picker({
          pieceCount: options.pieces,
          blocksIn: () => 1,
          have: { size: options.pieces, has: (i) => downloader.have[i] === true },
          availability,
          started: downloader.started,
          peer: { key: uploader.key, has: { size: options.pieces, has: (i) => uploader.have[i] === true } },
          slots: 1,
          random,
        });
        if (!block) continue;
        markRequested(downloader, block.piece, uploader.key);
        deliveries.push({ to: downloader, from: uploader, piece: block.piece });
      }
    }
    for (const { to, from, piece } of deliveries) {
      transfers.push({ round, from: from.key, to: to.key });
      to.lastBlockFrom.set(from.key, round);
      to.have[piece] = true;
      to.started.delete(piece); // the duplicates of endgame are cancelled
      if (to.completedAt === undefined && to.have.every(Boolean)) to.completedAt = round + 1;
    }
    if (deliveries.length === 0 && round % RECHOKE_ROUNDS === RECHOKE_ROUNDS - 1 && stuck(peers, options.pieces)) break;
  }
  return { completedAt: new Map(leechers.map((l) => [l.key, l.completedAt])), lostWithSeed, rounds: round };
}

/** One rechoke of `peer`, with the rates of the last RATE_WINDOW_ROUNDS rounds. */
function rechoke(peer: SimPeer, peers: SimPeer[], transfers: Transfer[], round: number, random: () => number): void {
  if (peer.freeRider) return;
  const recent = transfers.filter((t) => t.round >= round - RATE_WINDOW_ROUNDS);
  const rate = (from: string, to: string) => recent.filter((t) => t.from === from && t.to === to).length / RATE_WINDOW_ROUNDS;
  const others: ChokerPeer[] = peers
    .filter((p) => p !== peer)
    .map((p) => ({
      key: p.key,
      interested: peer.have.some((has, i) => has && !p.have[i]),
      downloadRate: rate(p.key, peer.key),
      uploadRate: rate(peer.key, p.key),
      connectedAt: 0,
      lastBlockAt: peer.lastBlockFrom.has(p.key) ? peer.lastBlockFrom.get(p.key)! * MS_PER_ROUND : undefined,
    }));
  const decision = peer.choker({ now: round * MS_PER_ROUND, peers: others, seeding: peer.have.every(Boolean), state: peer.chokerState, random });
  peer.unchoked = decision.unchoked;
  peer.chokerState = decision.state;
}

function countHolders(peers: SimPeer[], pieces: number): number[] {
  return Array.from({ length: pieces }, (_, i) => peers.filter((p) => p.have[i]).length);
}

function markRequested(peer: SimPeer, piece: number, from: string): void {
  const started = peer.started.get(piece);
  const askedOf = new Set(started?.requestedFrom[0] ?? []);
  askedOf.add(from);
  peer.started.set(piece, { index: piece, blocks: ['requested'], requestedFrom: [askedOf] });
}

/** Nobody lacks a piece that someone else still holds: no round can change anything. */
function stuck(peers: SimPeer[], pieces: number): boolean {
  return peers.every((p) => Array.from({ length: pieces }, (_, i) => i).every((i) => p.have[i] || !peers.some((q) => q.have[i])));
}

/**
 * The counterfactual of tit-for-tat: unchoke `slots` interested peers drawn at
 * random at every rechoke, blind to rates. Under it a free-rider does as well
 * as anyone.
 */
export function rateBlindChoker(slots = 5): Choker {
  return (input) => {
    const interested = input.peers.filter((p) => p.interested).map((p) => p.key).sort();
    for (let i = interested.length - 1; i > 0; i--) {
      const j = Math.floor(input.random() * (i + 1));
      [interested[i], interested[j]] = [interested[j]!, interested[i]!];
    }
    return { unchoked: new Set(interested.slice(0, slots)), optimistic: undefined, state: input.state };
  };
}
