/**
 * Graded tests of exercise 12: the minimum distribution time of a file to N
 * peers, client-server and P2P (Kurose & Ross §2.5). Worked examples from
 * the textbook (its problem with F = 15 Gbit and its Figure 2.23), and
 * properties checked on thousands of random swarms (fast-check): the
 * lecture's claims, stated as code.
 *
 * The experiment's graded runs (a real throttled swarm measured against
 * these bounds) come with the peer of exercise 10.
 */
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { checkCount, checkFileBytes, checkRate } from '@impl/12-distribution/check-input.ts';
import { clientServerBound } from '@impl/12-distribution/client-server.ts';
import { distributionCurves } from '@impl/12-distribution/curves.ts';
import { DistributionInputError, type DistributionInputProblem } from '@impl/12-distribution/distribution-error.ts';
import { largestTerm } from '@impl/12-distribution/largest-term.ts';
import { p2pBound } from '@impl/12-distribution/p2p.ts';
import type { P2pInput } from '@impl/12-distribution/types.ts';
import { graded } from './helpers/graded.ts';

const test = graded('12-distribution', {
  'refuses a file of no bytes, a fraction of a byte, an infinite or NaN size': 1,
  'refuses no peers and negative, fractional or infinite counts': 1,
  'refuses negative and NaN rates, naming the field; 0 and Infinity are rates': 1,
  'the largest term wins; a tie goes to the one listed first': 1,
  'client-server, the textbook example (F = 15 Gbit, u_s = 30 Mbps, d = 2 Mbps)': 2,
  'client-server, both terms and the bottleneck': 1,
  'client-server, a rate of 0 takes forever, an unlimited one costs nothing; bad input refused': 1,
  'P2P, the textbook example for u = 300 kbps, 700 kbps and 2 Mbps': 2,
  'P2P, the three terms and the bottleneck': 1,
  'P2P, peers with different upload rates add up; free riders add nothing': 1,
  'P2P, zero and unlimited rates; no peers and bad rates refused with their place': 1,
  'curves against N, the textbook figure (F/u = 1 hour, u_s = 10u)': 2,
  'P2P is never slower than client-server for the same swarm': 2,
  'client-server time is flat, then grows linearly in N once the server is the bottleneck': 1,
  'P2P time levels off: never above max(F/u_s, F/d_min, F/u) however many peers': 2,
  'a bound is its largest term, never NaN, and scales with F and with the rates': 1,
});

/** Megabits per second in bytes per second (the textbook's rates are in bits). */
const mbps = (n: number): number => (n * 1e6) / 8;
/** The textbook problem: F = 15 Gbit, u_s = 30 Mbps, every d_i = 2 Mbps. */
const BOOK = { fileBytes: 15e9 / 8, serverUploadBytesPerSecond: mbps(30), minDownloadBytesPerSecond: mbps(2) };
const peers = (n: number, u: number): number[] => Array.from({ length: n }, () => u);

/** Runs `f` and returns the DistributionInputError it threw, as `{ field, problem }` (or what happened instead). */
function refusal(f: () => unknown): { field: string; problem: DistributionInputProblem } | string {
  try {
    return `returned ${JSON.stringify(f())}`;
  } catch (error) {
    if (error instanceof DistributionInputError) return { field: error.field, problem: error.problem };
    return `threw ${String(error)}`;
  }
}

/** The three outcomes a bound can be judged by, rounded to a millisecond. */
const summary = (b: { seconds: number; bottleneck: string }): { seconds: number; bottleneck: string } => ({
  seconds: Number.isFinite(b.seconds) ? Math.round(b.seconds * 1000) / 1000 : b.seconds,
  bottleneck: b.bottleneck,
});

/** Every number of a bound to 9 significant digits: a different but correct order of operations still passes. */
function rounded<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? Number(value.toPrecision(9)) : value) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) as T;
  return value;
}

/** A rate as fast-check draws it: mostly ordinary, sometimes 0 or unlimited. */
const rate = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 1, max: 1e10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) },
);
const positiveRate = fc.double({ min: 1, max: 1e10, noNaN: true });
const fileBytes = fc.integer({ min: 1, max: 2 ** 40 });
/** a ≤ b, allowing for the last bit of rounding. */
const atMost = (a: number, b: number): boolean => a <= b * (1 + 1e-12);

describe('step 1: checking the input', () => {
  test('refuses a file of no bytes, a fraction of a byte, an infinite or NaN size', () => {
    expect(checkFileBytes(1)).toBe(1);
    expect(checkFileBytes(2 ** 40)).toBe(2 ** 40);
    const cases: Array<[number, DistributionInputProblem]> = [
      [0, 'empty-file'],
      [-5, 'negative'],
      [1.5, 'not-a-whole-number'],
      [Number.POSITIVE_INFINITY, 'not-finite'],
      [Number.NaN, 'not-a-number'],
    ];
    for (const [value, problem] of cases) expect(refusal(() => checkFileBytes(value)), String(value)).toEqual({ field: 'fileBytes', problem });
    expect(refusal(() => checkFileBytes(0, 'F'))).toEqual({ field: 'F', problem: 'empty-file' });
  });

  test('refuses no peers and negative, fractional or infinite counts', () => {
    expect(checkCount(1)).toBe(1);
    const cases: Array<[number, DistributionInputProblem]> = [
      [0, 'no-peers'],
      [-1, 'negative'],
      [2.5, 'not-a-whole-number'],
      [Number.POSITIVE_INFINITY, 'not-finite'],
      [Number.NaN, 'not-a-number'],
    ];
    for (const [value, problem] of cases) expect(refusal(() => checkCount(value)), String(value)).toEqual({ field: 'clients', problem });
    expect(refusal(() => checkCount(0, 'peers'))).toEqual({ field: 'peers', problem: 'no-peers' });
  });

  test('refuses negative and NaN rates, naming the field; 0 and Infinity are rates', () => {
    for (const value of [0, 0.5, 125_000, Number.POSITIVE_INFINITY]) expect(checkRate(value, 'u')).toBe(value);
    expect(refusal(() => checkRate(-1, 'serverUploadBytesPerSecond'))).toEqual({ field: 'serverUploadBytesPerSecond', problem: 'negative' });
    expect(refusal(() => checkRate(Number.NEGATIVE_INFINITY, 'u'))).toEqual({ field: 'u', problem: 'negative' });
    expect(refusal(() => checkRate(Number.NaN, 'minDownloadBytesPerSecond'))).toEqual({ field: 'minDownloadBytesPerSecond', problem: 'not-a-number' });
  });
});

describe('step 2: the largest term', () => {
  test('the largest term wins; a tie goes to the one listed first', () => {
    expect(largestTerm([['a', 10], ['b', 12], ['c', 11]])).toEqual({ seconds: 12, bottleneck: 'b' });
    expect(largestTerm([['a', 5], ['b', 5]])).toEqual({ seconds: 5, bottleneck: 'a' });
    expect(largestTerm([['a', 1], ['b', 7], ['c', 7]])).toEqual({ seconds: 7, bottleneck: 'b' });
    expect(largestTerm([['a', 1], ['b', Number.POSITIVE_INFINITY]])).toEqual({ seconds: Number.POSITIVE_INFINITY, bottleneck: 'b' });
    expect(largestTerm([['only', 0]])).toEqual({ seconds: 0, bottleneck: 'only' });
  });
});

describe('step 3: client-server', () => {
  test('client-server, the textbook example (F = 15 Gbit, u_s = 30 Mbps, d = 2 Mbps)', () => {
    const at = (clients: number) => summary(clientServerBound({ ...BOOK, clients }));
    expect(at(10)).toEqual({ seconds: 7500, bottleneck: 'slowest-download' });
    expect(at(100)).toEqual({ seconds: 50_000, bottleneck: 'server-upload' });
    expect(at(1000)).toEqual({ seconds: 500_000, bottleneck: 'server-upload' });
  });

  test('client-server, both terms and the bottleneck', () => {
    const bound = clientServerBound({ fileBytes: 4_000_000, clients: 8, serverUploadBytesPerSecond: 2_000_000, minDownloadBytesPerSecond: 500_000 });
    expect(rounded(bound)).toEqual({ seconds: 16, bottleneck: 'server-upload', terms: { serverUploadSeconds: 16, slowestDownloadSeconds: 8 } });
    // one client: both terms are F / rate; equal rates tie, and the tie goes to the server
    expect(clientServerBound({ fileBytes: 1000, clients: 1, serverUploadBytesPerSecond: 100, minDownloadBytesPerSecond: 100 }).bottleneck).toBe('server-upload');
  });

  test('client-server, a rate of 0 takes forever, an unlimited one costs nothing; bad input refused', () => {
    const base = { fileBytes: 1000, clients: 4, serverUploadBytesPerSecond: 100, minDownloadBytesPerSecond: 100 };
    expect(summary(clientServerBound({ ...base, serverUploadBytesPerSecond: 0 }))).toEqual({ seconds: Number.POSITIVE_INFINITY, bottleneck: 'server-upload' });
    expect(summary(clientServerBound({ ...base, minDownloadBytesPerSecond: 0 }))).toEqual({ seconds: Number.POSITIVE_INFINITY, bottleneck: 'slowest-download' });
    expect(rounded(clientServerBound({ ...base, minDownloadBytesPerSecond: Number.POSITIVE_INFINITY }).terms)).toEqual({ serverUploadSeconds: 40, slowestDownloadSeconds: 0 });
    expect(refusal(() => clientServerBound({ ...base, clients: 0 }))).toEqual({ field: 'clients', problem: 'no-peers' });
    expect(refusal(() => clientServerBound({ ...base, fileBytes: 0 }))).toEqual({ field: 'fileBytes', problem: 'empty-file' });
    expect(refusal(() => clientServerBound({ ...base, serverUploadBytesPerSecond: -1 }))).toEqual({ field: 'serverUploadBytesPerSecond', problem: 'negative' });
    expect(refusal(() => clientServerBound({ ...base, minDownloadBytesPerSecond: Number.NaN }))).toEqual({ field: 'minDownloadBytesPerSecond', problem: 'not-a-number' });
  });
});

describe('step 4: P2P', () => {
  test('P2P, the textbook example for u = 300 kbps, 700 kbps and 2 Mbps', () => {
    const at = (n: number, u: number) => summary(p2pBound({ ...BOOK, peerUploadBytesPerSecond: peers(n, mbps(u)) }));
    // N = 10: the slowest download (7500 s) is the bottleneck whatever u
    expect([at(10, 0.3), at(10, 0.7), at(10, 2)]).toEqual([0.3, 0.7, 2].map(() => ({ seconds: 7500, bottleneck: 'slowest-download' })));
    expect([at(100, 0.3), at(100, 0.7), at(100, 2)]).toEqual([
      { seconds: 25_000, bottleneck: 'total-upload' },
      { seconds: 15_000, bottleneck: 'total-upload' },
      { seconds: 7500, bottleneck: 'slowest-download' },
    ]);
    expect([at(1000, 0.3), at(1000, 0.7), at(1000, 2)]).toEqual([
      { seconds: 45_454.545, bottleneck: 'total-upload' },
      { seconds: 20_547.945, bottleneck: 'total-upload' },
      { seconds: 7500, bottleneck: 'slowest-download' },
    ]);
  });

  test('P2P, the three terms and the bottleneck', () => {
    const input: P2pInput = { fileBytes: 4_000_000, serverUploadBytesPerSecond: 1_000_000, peerUploadBytesPerSecond: peers(8, 250_000), minDownloadBytesPerSecond: 2_000_000 };
    expect(rounded(p2pBound(input))).toEqual({
      seconds: 10.6666667,
      bottleneck: 'total-upload',
      terms: { serverUploadSeconds: 4, slowestDownloadSeconds: 2, totalUploadSeconds: 10.6666667 },
    });
    // a slow server: every bit must leave it once
    expect(summary(p2pBound({ ...input, serverUploadBytesPerSecond: 100_000 }))).toEqual({ seconds: 40, bottleneck: 'server-upload' });
    // a slow peer: it cannot receive the file faster than its download
    expect(summary(p2pBound({ ...input, minDownloadBytesPerSecond: 50_000 }))).toEqual({ seconds: 80, bottleneck: 'slowest-download' });
  });

  test('P2P, peers with different upload rates add up; free riders add nothing', () => {
    const base = { fileBytes: 6_000_000, serverUploadBytesPerSecond: 1_000_000, minDownloadBytesPerSecond: Number.POSITIVE_INFINITY };
    // N·F / (u_s + Σ u_i) = 3 · 6 MB / (1 + 0.5 + 1 + 0.5 MB/s) = 6 s
    expect(p2pBound({ ...base, peerUploadBytesPerSecond: [500_000, 1_000_000, 500_000] }).terms.totalUploadSeconds).toBeCloseTo(6, 9);
    // the same total upload however it is spread
    expect(p2pBound({ ...base, peerUploadBytesPerSecond: [2_000_000, 0, 0] }).terms.totalUploadSeconds).toBeCloseTo(6, 9);
    // three free riders: the server alone uploads three copies, as in client-server
    expect(p2pBound({ ...base, peerUploadBytesPerSecond: [0, 0, 0] }).seconds).toBeCloseTo(18, 9);
  });

  test('P2P, zero and unlimited rates; no peers and bad rates refused with their place', () => {
    const base: P2pInput = { fileBytes: 1000, serverUploadBytesPerSecond: 100, peerUploadBytesPerSecond: [100, 100], minDownloadBytesPerSecond: 100 };
    expect(summary(p2pBound({ ...base, serverUploadBytesPerSecond: 0 }))).toEqual({ seconds: Number.POSITIVE_INFINITY, bottleneck: 'server-upload' });
    expect(p2pBound({ ...base, serverUploadBytesPerSecond: Number.POSITIVE_INFINITY, minDownloadBytesPerSecond: Number.POSITIVE_INFINITY })).toEqual({
      seconds: 0,
      bottleneck: 'server-upload',
      terms: { serverUploadSeconds: 0, slowestDownloadSeconds: 0, totalUploadSeconds: 0 },
    });
    expect(refusal(() => p2pBound({ ...base, peerUploadBytesPerSecond: [] }))).toEqual({ field: 'peerUploadBytesPerSecond', problem: 'no-peers' });
    expect(refusal(() => p2pBound({ ...base, peerUploadBytesPerSecond: [100, 100, -3] }))).toEqual({ field: 'peerUploadBytesPerSecond[2]', problem: 'negative' });
    expect(refusal(() => p2pBound({ ...base, peerUploadBytesPerSecond: [Number.NaN] }))).toEqual({ field: 'peerUploadBytesPerSecond[0]', problem: 'not-a-number' });
    expect(refusal(() => p2pBound({ ...base, fileBytes: 2.5 }))).toEqual({ field: 'fileBytes', problem: 'not-a-whole-number' });
  });
});

describe('step 5: curves against N', () => {
  test('curves against N, the textbook figure (F/u = 1 hour, u_s = 10u)', () => {
    const u = 1_000_000;
    const settings = { fileBytes: 3600 * u, serverUploadBytesPerSecond: 10 * u, peerUploadBytesPerSecond: u, minDownloadBytesPerSecond: 10 * u };
    const curves = distributionCurves(settings, [1, 5, 10, 20, 30]);
    const hours = (s: number): number => Math.round((s / 3600) * 1000) / 1000;
    expect(curves.map((c) => c.peers)).toEqual([1, 5, 10, 20, 30]);
    // client-server: N/10 hours, a straight line
    expect(curves.map((c) => hours(c.clientServer.seconds))).toEqual([0.1, 0.5, 1, 2, 3]);
    // P2P: N/(10 + N) hours once the total upload is the bottleneck: it never reaches 1 hour
    expect(curves.map((c) => hours(c.p2p.seconds))).toEqual([0.1, 0.333, 0.5, 0.667, 0.75]);
    expect(curves.map((c) => c.p2p.bottleneck)).toEqual(['server-upload', 'total-upload', 'total-upload', 'total-upload', 'total-upload']);
    expect(refusal(() => distributionCurves(settings, [4, 0]))).toEqual({ field: 'peerCounts[1]', problem: 'no-peers' });
  });
});

describe("the lecture's claims, on random swarms", () => {
  test('P2P is never slower than client-server for the same swarm', () => {
    fc.assert(
      fc.property(fileBytes, rate, fc.array(rate, { minLength: 1, maxLength: 64 }), rate, (F, us, uploads, d) => {
        const cs = clientServerBound({ fileBytes: F, clients: uploads.length, serverUploadBytesPerSecond: us, minDownloadBytesPerSecond: d });
        const p2p = p2pBound({ fileBytes: F, serverUploadBytesPerSecond: us, peerUploadBytesPerSecond: uploads, minDownloadBytesPerSecond: d });
        expect({ p2p: p2p.seconds, cs: cs.seconds, p2pAtMostCs: atMost(p2p.seconds, cs.seconds) }).toEqual({ p2p: p2p.seconds, cs: cs.seconds, p2pAtMostCs: true });
      }),
      { numRuns: 500 },
    );
  });

  test('client-server time is flat, then grows linearly in N once the server is the bottleneck', () => {
    fc.assert(
      fc.property(fileBytes, positiveRate, positiveRate, fc.integer({ min: 0, max: 1000 }), (F, us, d, k) => {
        // Past N* = u_s / d_min, N·F/u_s > F/d_min: the server's uplink sets the time…
        const at = (clients: number) => clientServerBound({ fileBytes: F, clients, serverUploadBytesPerSecond: us, minDownloadBytesPerSecond: d });
        const n = Math.ceil(us / d) + 1 + k;
        const [once, twice] = [at(n), at(2 * n)];
        expect([once.bottleneck, twice.bottleneck]).toEqual(['server-upload', 'server-upload']);
        expect(twice.seconds / once.seconds).toBeCloseTo(2, 9);
        // …and below it the slowest download does, whatever N.
        const below = Math.floor(us / d) - 1;
        if (below >= 1) expect(summary(at(below))).toEqual(summary({ seconds: F / d, bottleneck: 'slowest-download' }));
      }),
      { numRuns: 300 },
    );
  });

  test('P2P time levels off: never above max(F/u_s, F/d_min, F/u) however many peers', () => {
    fc.assert(
      fc.property(fileBytes, positiveRate, positiveRate, positiveRate, fc.integer({ min: 1, max: 2000 }), (F, us, u, d, n) => {
        const bound = p2pBound({ fileBytes: F, serverUploadBytesPerSecond: us, peerUploadBytesPerSecond: peers(n, u), minDownloadBytesPerSecond: d });
        const ceiling = Math.max(F / us, F / d, F / u);
        expect({ seconds: bound.seconds, belowCeiling: atMost(bound.seconds, ceiling) }).toEqual({ seconds: bound.seconds, belowCeiling: true });
      }),
      { numRuns: 300 },
    );
  });

  test('a bound is its largest term, never NaN, and scales with F and with the rates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), rate, fc.array(rate, { minLength: 1, maxLength: 16 }), rate, fc.integer({ min: 2, max: 1000 }), (F, us, uploads, d, k) => {
        const input: P2pInput = { fileBytes: F, serverUploadBytesPerSecond: us, peerUploadBytesPerSecond: uploads, minDownloadBytesPerSecond: d };
        const bound = p2pBound(input);
        const terms = bound.terms;
        expect(bound.seconds).not.toBeNaN();
        expect(bound.seconds).toBe(Math.max(terms.serverUploadSeconds, terms.slowestDownloadSeconds, terms.totalUploadSeconds));
        const key = { 'server-upload': 'serverUploadSeconds', 'slowest-download': 'slowestDownloadSeconds', 'total-upload': 'totalUploadSeconds' } as const;
        expect(terms[key[bound.bottleneck]]).toBe(bound.seconds);
        if (!Number.isFinite(bound.seconds) || bound.seconds === 0) return;
        // k times the file: k times the time; every rate k times faster: k times less time
        expect(p2pBound({ ...input, fileBytes: k * F }).seconds / bound.seconds).toBeCloseTo(k, 6);
        const faster = p2pBound({ fileBytes: F, serverUploadBytesPerSecond: k * us, peerUploadBytesPerSecond: uploads.map((u) => k * u), minDownloadBytesPerSecond: k * d });
        expect(bound.seconds / faster.seconds).toBeCloseTo(k, 6);
      }),
      { numRuns: 300 },
    );
  });
});
