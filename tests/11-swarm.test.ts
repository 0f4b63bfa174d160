/**
 * Exercise 11: the swarm's strategies, the piece picker and the choker, as
 * pure functions. No sockets: each test is a scene ("given these bitfields,
 * these rates and this clock") and asks "which blocks? which peers?". Random
 * choices use the seeded source the input carries, so a statistical claim
 * ("newcomers are three times as likely") is checked over thousands of seeded
 * draws with bounds five standard deviations wide: it cannot flake.
 *
 * Swarm runs with the real peer of exercise 10 (rarest first keeps every
 * piece alive after the seed leaves; a free-rider finishes later) come once
 * that peer exists. Meanwhile tests/reference/swarm-simulation.test.ts shows
 * both claims in a round-based model of a swarm, with the reference strategies.
 */
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { countAvailability } from '@impl/11-swarm/rarity.ts';
import { createPiecePicker, sequentialPicker } from '@impl/11-swarm/picker.ts';
import { createChoker } from '@impl/11-swarm/choker.ts';
import { describePick } from '@impl/11-swarm/describe-pick.ts';
import { INITIAL_CHOKER_STATE, type ChokeDecision, type ChokeInput, type Choker, type ChokerPeer, type PickInput, type PiecePicker } from '@impl/10-peer/types.ts';
import { mulberry32 } from '../lib/faults/random.ts';
import { graded } from './helpers/graded.ts';
import { NOW, blockNames, chokerPeer, pickInput, pieces, reseed, sorted, started } from './helpers/swarm-state.ts';
import { PEER, chokeCase, chokeInputOf, inputOf, pickScene } from './helpers/swarm-arbitraries.ts';

const test = graded('11-swarm', {
  'counts how many peers have each piece': 1,
  'asks for the rarest piece the peer has': 2,
  'breaks ties between equally rare pieces at random, with the seeded source': 2,
  'fills its slots with whole pieces, block 0 upward, the rarest piece first': 1,
  'sequentialPicker asks for the lowest pieces first, whatever their rarity': 1,
  'finishes started pieces before starting new ones': 2,
  'the started piece nearest completion comes first': 1,
  'skips started pieces the peer does not have': 1,
  'picks the first piece at random, not rarest first': 2,
  'switches to rarest first once it holds randomFirstPieces pieces': 1,
  'outside endgame, never asks for a block already requested elsewhere': 1,
  'in endgame, asks this peer for the blocks requested from others': 3,
  'in endgame, the blocks asked of the fewest peers come first': 1,
  'a piece nobody has does not hold endgame back': 1,
  'unchokes the interested peers that upload to us fastest': 3,
  'a seed ranks peers by how fast they take from it': 2,
  'never unchokes a peer that is not interested, however fast': 1,
  'breaks rate ties by key and honours regularSlots': 1,
  'adds one optimistic unchoke among the choked interested peers': 2,
  'keeps the optimistic peer for optimisticIntervalMs, then moves it': 2,
  'moves the slot at once when its holder leaves, loses interest or earns a regular slot': 2,
  'draws the optimistic peer uniformly among peers that are not newcomers': 2,
  'newcomers are three times as likely to get the optimistic slot': 2,
  'a peer that sent no block for snubTimeoutMs loses its regular slot': 2,
  'a snubbed peer can still get the optimistic slot': 1,
  'a peer connected for less than snubTimeoutMs is not snubbed yet': 1,
  'a seed snubs nobody': 1,
  'explains each pick: started, random first, rarest (k of n peers), endgame': 2,
  'the picker never asks for a block we have, the peer lacks, or already asked of this peer, nor more than slots': 3,
  'the picker gives the same blocks for the same snapshot and seed': 1,
  'the choker unchokes only interested peers it knows, at most regularSlots + 1, the same way every time': 3,
});

/** The default picker, made at each call so a file that does not load yet fails only the tests that use it. */
const picker: PiecePicker = (input) => createPiecePicker()(input);

/** The blocks the default picker chooses, as `piece/block` names. */
const pick = (input: PickInput) => blockNames(picker(input));

/** How often each piece is the first one picked, over `runs` seeds. */
function firstPieceCounts(input: PickInput, runs: number, choose = picker): Map<number, number> {
  const counts = new Map<number, number>();
  for (let seed = 1; seed <= runs; seed++) {
    const first = choose(reseed(input, seed))[0];
    if (first) counts.set(first.piece, (counts.get(first.piece) ?? 0) + 1);
  }
  return counts;
}

/** One rechoke at NOW (unless `now` is given), from the initial state, with seed 1. */
function rechoke(choker: Choker, peers: ChokerPeer[], fields: Partial<ChokeInput> = {}): ChokeDecision {
  return choker({ now: NOW, peers, seeding: false, state: INITIAL_CHOKER_STATE, random: mulberry32(1), ...fields });
}

/** The peers unchoked for their rate: everyone unchoked but the optimistic one. */
function regular(decision: ChokeDecision): string[] {
  return sorted([...decision.unchoked].filter((key) => key !== decision.optimistic));
}

/** Six interested peers: B sends to us fastest, then D, F, C, E, A; we send fastest to A, then E, C, F, D, B. */
function sixPeers(): ChokerPeer[] {
  const downloadRates = { A: 10, B: 60, C: 30, D: 50, E: 20, F: 40 };
  const uploadRates = { A: 60, B: 10, C: 40, D: 20, E: 50, F: 30 };
  return Object.keys(downloadRates).map((key) =>
    chokerPeer(key, { downloadRate: downloadRates[key as keyof typeof downloadRates], uploadRate: uploadRates[key as keyof typeof uploadRates] }),
  );
}

describe('step 1: rarity counts and rarest first', () => {
  test('counts how many peers have each piece', () => {
    expect(countAvailability(4, [pieces('1110'), pieces('1100'), pieces('1001')])).toEqual([3, 2, 1, 1]);
    expect(countAvailability(3, [])).toEqual([0, 0, 0]);
  });

  test('asks for the rarest piece the peer has', () => {
    // Piece 3 is held by the peer alone; pieces 1 and 2 by three and two peers.
    expect(pick(pickInput({ have: '1000', peer: '0111', others: ['0110', '0100'] }))).toEqual(['3/0', '3/1', '3/2', '3/3']);
    // Piece 3 is rarer still elsewhere, but this peer lacks it: piece 2 is the rarest it can give.
    expect(pick(pickInput({ have: '1000', peer: '0110', others: ['0111', '0100'] }))).toEqual(['2/0', '2/1', '2/2', '2/3']);
  });

  test('breaks ties between equally rare pieces at random, with the seeded source', () => {
    // Pieces 2, 3 and 4 are each held by one peer; piece 1 by two.
    const input = pickInput({ have: '10000', peer: '01111', others: ['01000'] });
    const counts = firstPieceCounts(input, 600);
    expect(counts.get(1) ?? 0, 'piece 1 is not among the rarest').toBe(0);
    for (const piece of [2, 3, 4]) {
      // 600 draws among three pieces: 200 each expected, 11.5 the standard deviation.
      expect(counts.get(piece) ?? 0, `times piece ${piece} came first in 600 seeded draws (counts: ${[...counts]})`).toBeGreaterThanOrEqual(140);
    }
    expect(pick(reseed(input, 7)), 'the same seed must give the same pick').toEqual(pick(reseed(input, 7)));
  });

  test('fills its slots with whole pieces, block 0 upward, the rarest piece first', () => {
    // Held by: piece 1 two peers, piece 2 four, piece 3 three, piece 4 (two blocks long) one.
    const input = pickInput({ have: '10000', peer: '01111', others: ['01110', '00110', '00100'], lastPieceBlocks: 2, slots: 7 });
    expect(pick(input)).toEqual(['4/0', '4/1', '1/0', '1/1', '1/2', '1/3', '3/0']);
  });

  test('sequentialPicker asks for the lowest pieces first, whatever their rarity', () => {
    const input = pickInput({ have: '10000', peer: '01111', others: ['01110', '00110'], started: [started(1, 'xr..')], slots: 6 });
    expect(blockNames(sequentialPicker(input))).toEqual(['1/2', '1/3', '2/0', '2/1', '2/2', '2/3']);
  });
});

describe('step 2: started pieces first, and a random first piece', () => {
  test('finishes started pieces before starting new ones', () => {
    // Piece 2 is common and piece 4 the rarest, but piece 2 is started: its missing blocks 1 and 3 come first.
    const input = pickInput({ have: '10000', peer: '01111', others: ['01110', '01110'], started: [started(2, 'x.r.', { 2: ['Q'] })] });
    expect(pick(input)).toEqual(['2/1', '2/3', '4/0', '4/1']);
  });

  test('the started piece nearest completion comes first', () => {
    const input = pickInput({ have: '10000', peer: '01111', started: [started(1, 'x...'), started(3, 'xx.r')], slots: 4 });
    expect(pick(input)).toEqual(['3/2', '1/1', '1/2', '1/3']);
  });

  test('skips started pieces the peer does not have', () => {
    const input = pickInput({ have: '10000', peer: '01011', others: ['01010'], started: [started(2, 'x...'), started(3, 'xx..')], slots: 6 });
    expect(pick(input)).toEqual(['3/2', '3/3', '4/0', '4/1', '4/2', '4/3']);
  });

  test('picks the first piece at random, not rarest first', () => {
    // We have nothing yet. Piece 4 is the rarest, but any piece will do: each should come first about 200 times in 1000.
    const input = pickInput({ have: '00000', peer: '11111', others: ['11110', '11100'] });
    const counts = firstPieceCounts(input, 1000);
    for (let piece = 0; piece < 5; piece++) {
      expect(counts.get(piece) ?? 0, `times piece ${piece} came first in 1000 seeded draws (counts: ${[...counts]})`).toBeGreaterThanOrEqual(130);
    }
  });

  test('switches to rarest first once it holds randomFirstPieces pieces', () => {
    const threshold = createPiecePicker({ randomFirstPieces: 2 });
    // One piece in hand, two wanted before rarest first: still random.
    const oneHeld = firstPieceCounts(pickInput({ have: '10000', peer: '01111', others: ['01110', '01100'] }), 200, threshold);
    expect(oneHeld.size, `distinct first pieces over 200 seeds with one piece in hand (counts: ${[...oneHeld]})`).toBe(4);
    // Two pieces in hand: always the rarest, piece 4.
    const twoHeld = firstPieceCounts(pickInput({ have: '11000', peer: '00111', others: ['00110', '00100'] }), 200, threshold);
    expect([...twoHeld]).toEqual([[4, 200]]);
    // randomFirstPieces 0: rarest first from the very start.
    const never = firstPieceCounts(pickInput({ have: '00000', peer: '11111', others: ['11110'] }), 200, createPiecePicker({ randomFirstPieces: 0 }));
    expect([...never]).toEqual([[4, 200]]);
  });
});

describe('step 3: endgame', () => {
  test('outside endgame, never asks for a block already requested elsewhere', () => {
    // Every block of piece 1 is requested from another peer, but pieces 2 and 3 were never asked for: no endgame yet.
    const input = pickInput({ have: '1000', peer: '0100', others: ['0011'], started: [started(1, 'rrrr')] });
    expect(pick(input)).toEqual([]);
  });

  test('in endgame, asks this peer for the blocks requested from others', () => {
    // Nothing is missing anywhere: every block we lack is on its way from someone.
    const input = pickInput({ have: '1100', peer: '0011', others: ['0011'], started: [started(2, 'xrxr'), started(3, 'rrxx')] });
    expect(pick(input)).toEqual(['2/1', '2/3', '3/0', '3/1']);
    // Never a block already requested from this very peer.
    const asked = pickInput({ have: '1100', peer: '0011', others: ['0011'], started: [started(2, 'xrxr', { 1: ['Q', PEER] }), started(3, 'rrxx')] });
    expect(pick(asked)).toEqual(['2/3', '3/0', '3/1']);
  });

  test('in endgame, the blocks asked of the fewest peers come first', () => {
    const input = pickInput({ have: '110', peer: '001', slots: 2, started: [started(2, 'rrrr', { 0: ['A', 'B', 'C'], 1: ['A'], 2: ['A', 'B'], 3: [PEER] })] });
    expect(pick(input)).toEqual(['2/1', '2/2']);
  });

  test('a piece nobody has does not hold endgame back', () => {
    // Piece 3 is held by no connected peer: we cannot ask for it, so the download is in endgame all the same.
    const input = pickInput({ have: '1100', peer: '0010', others: ['0010'], started: [started(2, 'rxrx')] });
    expect(pick(input)).toEqual(['2/0', '2/2']);
  });
});

describe('step 4: regular unchokes by rate (tit-for-tat)', () => {
  test('unchokes the interested peers that upload to us fastest', () => {
    const decision = rechoke(createChoker(), sixPeers());
    expect(regular(decision), 'the four that send to us fastest: B 60, D 50, F 40, C 30').toEqual(['B', 'C', 'D', 'F']);
  });

  test('a seed ranks peers by how fast they take from it', () => {
    const decision = rechoke(createChoker(), sixPeers(), { seeding: true });
    expect(regular(decision), 'the four we send to fastest: A 60, E 50, C 40, F 30').toEqual(['A', 'C', 'E', 'F']);
  });

  test('never unchokes a peer that is not interested, however fast', () => {
    const peers = sixPeers().map((peer) => (peer.key === 'B' || peer.key === 'D' ? { ...peer, interested: false } : peer));
    const decision = rechoke(createChoker(), peers);
    expect(sorted(decision.unchoked)).toEqual(['A', 'C', 'E', 'F']);
    const nobody = rechoke(createChoker(), peers.map((peer) => ({ ...peer, interested: false })));
    expect(sorted(nobody.unchoked)).toEqual([]);
    expect(nobody.optimistic).toBeUndefined();
  });

  test('breaks rate ties by key and honours regularSlots', () => {
    const peers = ['f', 'c', 'e', 'a', 'd', 'b'].map((key) => chokerPeer(key, { downloadRate: 100 }));
    expect(regular(rechoke(createChoker(), peers))).toEqual(['a', 'b', 'c', 'd']);
    expect(regular(rechoke(createChoker({ regularSlots: 2 }), sixPeers()))).toEqual(['B', 'D']);
  });
});

describe('step 5: the optimistic unchoke', () => {
  test('adds one optimistic unchoke among the choked interested peers', () => {
    const decision = rechoke(createChoker(), sixPeers());
    expect(['A', 'E'], 'the optimistic slot goes to a peer tit-for-tat left choked').toContain(decision.optimistic);
    expect(sorted(decision.unchoked), 'the optimistic peer is unchoked').toContain(decision.optimistic);
    expect(decision.unchoked.size, 'four regular slots and the optimistic one').toBe(5);
    const seed = rechoke(createChoker(), sixPeers(), { seeding: true });
    expect(['B', 'D'], 'a seed too: to a peer it left choked').toContain(seed.optimistic);
    expect(decision.state).toEqual({ optimistic: decision.optimistic, optimisticSince: NOW });
  });

  test('keeps the optimistic peer for optimisticIntervalMs, then moves it', () => {
    const choker = createChoker({ optimisticIntervalMs: 30_000 });
    const first = rechoke(choker, sixPeers(), { random: mulberry32(11) });
    const holder = first.optimistic;
    expect(['A', 'E']).toContain(holder);
    const soon = rechoke(choker, sixPeers(), { now: NOW + 29_999, state: first.state, random: mulberry32(12) });
    expect(soon.optimistic, 'still within the interval').toBe(holder);
    expect(soon.state.optimisticSince).toBe(NOW);
    const later = rechoke(choker, sixPeers(), { now: NOW + 30_000, state: first.state, random: mulberry32(13) });
    expect(later.optimistic, 'the interval is up: the slot moves to the other choked peer').toBe(holder === 'A' ? 'E' : 'A');
    expect(later.state).toEqual({ optimistic: later.optimistic, optimisticSince: NOW + 30_000 });
  });

  test('moves the slot at once when its holder leaves, loses interest or earns a regular slot', () => {
    const choker = createChoker();
    const peers = sixPeers();
    const held = { optimistic: 'A', optimisticSince: NOW - 1_000 };
    const left = rechoke(choker, peers.filter((peer) => peer.key !== 'A'), { state: held });
    expect(left.optimistic, 'A left: E is the only choked interested peer').toBe('E');
    const bored = rechoke(choker, peers.map((peer) => (peer.key === 'A' ? { ...peer, interested: false } : peer)), { state: held });
    expect(bored.optimistic, 'A lost interest').toBe('E');
    const fast = rechoke(choker, peers.map((peer) => (peer.key === 'A' ? { ...peer, downloadRate: 1_000 } : peer)), { state: held });
    expect(regular(fast), 'A now sends to us fastest').toEqual(['A', 'B', 'D', 'F']);
    expect(['C', 'E'], 'the optimistic slot went to a peer still choked').toContain(fast.optimistic);
  });

  test('draws the optimistic peer uniformly among peers that are not newcomers', () => {
    // Four fast peers hold the regular slots; W, X, Y, Z (slow, connected long ago) share the optimistic one.
    const peers = [...['A', 'B', 'C', 'D'].map((key) => chokerPeer(key, { downloadRate: 500 })), ...['W', 'X', 'Y', 'Z'].map((key) => chokerPeer(key))];
    const counts = optimisticCounts(createChoker(), peers, 2000);
    for (const key of ['W', 'X', 'Y', 'Z']) {
      // 500 expected, 19.4 the standard deviation.
      expect(counts.get(key) ?? 0, `optimistic draws of ${key} in 2000 seeds (counts: ${[...counts]})`).toBeGreaterThanOrEqual(400);
      expect(counts.get(key) ?? 0, `optimistic draws of ${key} in 2000 seeds (counts: ${[...counts]})`).toBeLessThanOrEqual(600);
    }
    expect(sorted(counts.keys())).toEqual(['W', 'X', 'Y', 'Z']);
  });

  test('newcomers are three times as likely to get the optimistic slot', () => {
    // N connected 5 s ago; X, Y, Z long ago. N should win 3 times in 6: 1000 of 2000 (22.4 the standard deviation).
    const peers = [
      ...['A', 'B', 'C', 'D'].map((key) => chokerPeer(key, { downloadRate: 500 })),
      ...['X', 'Y', 'Z'].map((key) => chokerPeer(key)),
      chokerPeer('N', { connectedAt: NOW - 5_000, lastBlockAt: undefined }),
    ];
    const counts = optimisticCounts(createChoker(), peers, 2000);
    const newcomer = counts.get('N') ?? 0;
    expect(newcomer, `optimistic draws of the newcomer N in 2000 seeds (counts: ${[...counts]})`).toBeGreaterThanOrEqual(880);
    expect(newcomer, `optimistic draws of the newcomer N in 2000 seeds (counts: ${[...counts]})`).toBeLessThanOrEqual(1120);
    for (const key of ['X', 'Y', 'Z']) {
      expect(counts.get(key) ?? 0, `optimistic draws of ${key} (counts: ${[...counts]})`).toBeGreaterThanOrEqual(250);
      expect(counts.get(key) ?? 0, `optimistic draws of ${key} (counts: ${[...counts]})`).toBeLessThanOrEqual(420);
    }
  });
});

/** How often each peer gets the optimistic slot from the initial state, over `runs` seeds. */
function optimisticCounts(choker: Choker, peers: ChokerPeer[], runs: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let seed = 1; seed <= runs; seed++) {
    const { optimistic } = rechoke(choker, peers, { random: mulberry32(seed) });
    if (optimistic !== undefined) counts.set(optimistic, (counts.get(optimistic) ?? 0) + 1);
  }
  return counts;
}

describe('step 6: anti-snubbing', () => {
  test('a peer that sent no block for snubTimeoutMs loses its regular slot', () => {
    // B still shows the best rate (rates decay slowly) but has sent nothing for 61 s.
    const peers = sixPeers().map((peer) => (peer.key === 'B' ? { ...peer, lastBlockAt: NOW - 61_000 } : peer));
    expect(regular(rechoke(createChoker(), peers))).not.toContain('B');
    expect(regular(rechoke(createChoker(), peers)), 'the next four by rate').toEqual(['C', 'D', 'E', 'F']);
    // The timeout is an option, so a test or a loopback swarm can run it in milliseconds.
    const quick = sixPeers().map((peer) => ({ ...peer, lastBlockAt: peer.key === 'B' ? NOW - 600 : NOW - 100 }));
    expect(regular(rechoke(createChoker({ snubTimeoutMs: 500 }), quick))).toEqual(['C', 'D', 'E', 'F']);
    expect(regular(rechoke(createChoker(), quick)), '600 ms of silence is nothing with the default 60 s').toEqual(['B', 'C', 'D', 'F']);
  });

  test('a snubbed peer can still get the optimistic slot', () => {
    const peers = sixPeers().filter((peer) => peer.key !== 'A').map((peer) => (peer.key === 'B' ? { ...peer, lastBlockAt: NOW - 61_000 } : peer));
    const decision = rechoke(createChoker(), peers);
    expect(regular(decision)).toEqual(['C', 'D', 'E', 'F']);
    expect(decision.optimistic).toBe('B');
  });

  test('a peer connected for less than snubTimeoutMs is not snubbed yet', () => {
    const peers = [
      ...['A', 'B', 'C'].map((key) => chokerPeer(key, { downloadRate: 100 })),
      chokerPeer('N', { connectedAt: NOW - 30_000, lastBlockAt: undefined }),
      chokerPeer('O', { connectedAt: 0, lastBlockAt: undefined }),
    ];
    const decision = rechoke(createChoker(), peers);
    expect(regular(decision), 'N joined 30 s ago and may still send; O never sent anything in 1000 s').toEqual(['A', 'B', 'C', 'N']);
    expect(decision.optimistic).toBe('O');
  });

  test('a seed snubs nobody', () => {
    // A seed receives no blocks from anyone: silence means nothing.
    const peers = sixPeers().map((peer) => ({ ...peer, lastBlockAt: undefined }));
    expect(regular(rechoke(createChoker(), peers, { seeding: true }))).toEqual(['A', 'C', 'E', 'F']);
  });
});

describe('step 7: explaining a pick', () => {
  test('explains each pick: started, random first, rarest (k of n peers), endgame', () => {
    const input = pickInput({ have: '10000', peer: '01111', others: ['01110', '00100'], started: [started(2, 'xr..')] });
    const startedPick = describePick(input, { piece: 2, block: 2 });
    expect(startedPick).toMatchObject({ piece: 2, block: 2, reason: 'started', availability: 3 });
    const rarest = describePick(input, { piece: 4, block: 0 }, { peerCount: 3 });
    expect(rarest).toMatchObject({ reason: 'rarest', availability: 1 });
    expect(rarest.text).toMatch(/rarest/);
    expect(rarest.text).toMatch(/1 of 3 peers/);
    const newcomer = pickInput({ have: '00000', peer: '11111', others: ['11110'] });
    expect(describePick(newcomer, { piece: 4, block: 0 })).toMatchObject({ reason: 'random-first', availability: 1 });
    const endgame = pickInput({ have: '1100', peer: '0011', started: [started(2, 'xrxr'), started(3, 'rrrr', { 0: ['B', 'A'] })] });
    expect(describePick(endgame, { piece: 3, block: 0 })).toMatchObject({ reason: 'endgame', alsoRequestedFrom: ['A', 'B'] });
    expect(() => describePick(input, { piece: 0, block: 0 }), 'we have piece 0').toThrow(RangeError);
    expect(() => describePick(pickInput({ have: '10000', peer: '01110' }), { piece: 4, block: 0 }), 'the peer lacks piece 4').toThrow(RangeError);
  });
});

describe('properties over random swarms', () => {
  test('the picker never asks for a block we have, the peer lacks, or already asked of this peer, nor more than slots', () => {
    fc.assert(
      fc.property(pickScene, (scene) => {
        const input = inputOf(scene);
        const picks = picker(input);
        expect(picks.length).toBeLessThanOrEqual(input.slots);
        expect(new Set(blockNames(picks)).size, 'the same block twice').toBe(picks.length);
        expect(picks.flatMap((address) => wrongPick(input, address))).toEqual([]);
        // Never idle while something was never asked for.
        if (input.slots > 0 && neverAskedBlockExists(input)) expect(picks.length, 'a block nobody asked for is there to take').toBeGreaterThan(0);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  test('the picker gives the same blocks for the same snapshot and seed', () => {
    fc.assert(
      fc.property(pickScene, (scene) => {
        expect(picker(inputOf(scene))).toEqual(picker(inputOf(scene)));
      }),
      { numRuns: 200, seed: 12 },
    );
  });

  test('the choker unchokes only interested peers it knows, at most regularSlots + 1, the same way every time', () => {
    fc.assert(
      fc.property(chokeCase, (c) => {
        const choker = createChoker({ regularSlots: c.regularSlots });
        const decision = choker(chokeInputOf(c));
        const interested = new Set(c.peers.filter((peer) => peer.interested).map((peer) => peer.key));
        expect(sorted(decision.unchoked).filter((key) => !interested.has(key)), 'unchoked, but not an interested peer').toEqual([]);
        expect(decision.unchoked.size).toBeLessThanOrEqual(c.regularSlots + 1);
        if (interested.size > 0) expect(decision.unchoked.size, 'someone interested is left waiting').toBeGreaterThan(0);
        if (decision.optimistic !== undefined) expect(sorted(decision.unchoked)).toContain(decision.optimistic);
        expect(decision.state.optimistic).toBe(decision.optimistic);
        const again = choker(chokeInputOf(c));
        expect({ unchoked: sorted(again.unchoked), state: again.state }).toEqual({ unchoked: sorted(decision.unchoked), state: decision.state });
        const reordered = choker(chokeInputOf({ ...c, peers: [...c.peers].reverse() }));
        expect(sorted(reordered.unchoked), 'the order the peers are listed in must not matter').toEqual(sorted(decision.unchoked));
      }),
      { numRuns: 400, seed: 13 },
    );
  });
});

/** What is wrong with picking this block (nothing: an empty list). */
function wrongPick(input: PickInput, { piece, block }: { piece: number; block: number }): string[] {
  const name = `${piece}/${block}`;
  if (input.have.has(piece)) return [`${name}: we have piece ${piece}`];
  if (!input.peer.has.has(piece)) return [`${name}: the peer lacks piece ${piece}`];
  const startedPiece = input.started.get(piece);
  const blocks = startedPiece ? startedPiece.blocks.length : input.blocksIn(piece);
  if (!Number.isInteger(block) || block < 0 || block >= blocks) return [`${name}: piece ${piece} has ${blocks} blocks`];
  if (startedPiece?.blocks[block] === 'received') return [`${name} has arrived already`];
  if (startedPiece?.requestedFrom[block]?.has(PEER)) return [`${name} is already requested from this peer`];
  return [];
}

/** True when some block of a piece the peer has and we lack was never asked of anyone. */
function neverAskedBlockExists(input: PickInput): boolean {
  for (let piece = 0; piece < input.pieceCount; piece++) {
    if (input.have.has(piece) || !input.peer.has.has(piece)) continue;
    const startedPiece = input.started.get(piece);
    if (!startedPiece || startedPiece.blocks.includes('missing')) return true;
  }
  return false;
}
