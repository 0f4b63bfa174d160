import { describe, expect, test } from 'vitest';
import { SeededRandom, mulberry32, seedToInt } from '../../lib/faults/random.ts';
import { UdpFaultPlan } from '../../lib/faults/udp-faults.ts';
import { Rechunker } from '../../lib/faults/rechunk.ts';

describe('seeded random', () => {
  test('the same seed gives the same numbers, another seed others', () => {
    const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
    const take = (f: () => number) => Array.from({ length: 5 }, f);
    const first = take(a);
    expect(take(b)).toEqual(first);
    expect(take(c)).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  test('string seeds are hashed; derived streams are independent but repeatable', () => {
    expect(seedToInt('pinger')).toBe(seedToInt('pinger'));
    expect(seedToInt('pinger')).not.toBe(seedToInt('pinged'));
    const x = SeededRandom.derive(7, 'toServer'), y = SeededRandom.derive(7, 'toServer'), z = SeededRandom.derive(7, 'toClient');
    const xs = [x.float(), x.float()];
    expect([y.float(), y.float()]).toEqual(xs);
    expect([z.float(), z.float()]).not.toEqual(xs);
  });

  test('int stays in range and hits both ends', () => {
    const r = new SeededRandom(1);
    const seen = new Set(Array.from({ length: 500 }, () => r.int(1, 4)));
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('UDP fault plan', () => {
  const decisions = (plan: UdpFaultPlan, n: number) => Array.from({ length: n }, () => plan.next());

  test('same seed, same decisions', () => {
    const faults = { drop: 0.3, duplicate: 0.2, reorder: 0.2, delayMs: [0, 50] as const };
    const a = decisions(new UdpFaultPlan(5, 'toServer', faults), 100);
    expect(decisions(new UdpFaultPlan(5, 'toServer', faults), 100)).toEqual(a);
    expect(decisions(new UdpFaultPlan(6, 'toServer', faults), 100)).not.toEqual(a);
    const dropped = a.filter((d) => d.drop).length;
    expect(dropped).toBeGreaterThan(10);
    expect(dropped).toBeLessThan(50);
    for (const d of a) expect(d.delayMs >= 0 && d.delayMs <= 50).toBe(true);
  });

  test('changing one probability does not shift the others', () => {
    const a = decisions(new UdpFaultPlan(9, 'x', { drop: 0.5 }), 50).map((d) => d.drop);
    const b = decisions(new UdpFaultPlan(9, 'x', { drop: 0.5, duplicate: 0.9, delayMs: [1, 9] }), 50).map((d) => d.drop);
    expect(b).toEqual(a);
  });

  test('a schedule picks exact datagrams', () => {
    const plan = new UdpFaultPlan(0, 'x', { dropIndices: [1, 4], duplicateIndices: [2], reorderIndices: [3] });
    const d = decisions(plan, 6);
    expect(d.map((x) => x.drop)).toEqual([false, true, false, false, true, false]);
    expect(d.map((x) => x.duplicate)).toEqual([false, false, true, false, false, false]);
    expect(d.map((x) => x.reorder)).toEqual([false, false, false, true, false, false]);
    expect(d.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('nonsense settings are refused', () => {
    expect(() => new UdpFaultPlan(0, 'x', { drop: 30 })).toThrow(RangeError);
    expect(() => new UdpFaultPlan(0, 'x', { delayMs: [50, 10] })).toThrow(RangeError);
  });
});

describe('re-chunking', () => {
  const sizes = (pieces: Buffer[]) => pieces.map((p) => p.length);
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

  test('same seed, same cuts; pieces are 1..maxChunk and keep every byte', () => {
    const a = new Rechunker(3, 'c', { maxChunk: 7 }).cut(data);
    expect(sizes(new Rechunker(3, 'c', { maxChunk: 7 }).cut(data))).toEqual(sizes(a));
    expect(sizes(new Rechunker(4, 'c', { maxChunk: 7 }).cut(data))).not.toEqual(sizes(a));
    expect(Buffer.concat(a)).toEqual(data);
    for (const n of sizes(a)) expect(n >= 1 && n <= 7).toBe(true);
    expect(new Set(sizes(a)).size).toBeGreaterThan(3);
  });

  test('cut points depend on the stream offset, not on how the bytes arrived', () => {
    const whole = new Rechunker(3, 'c', { maxChunk: 9 }).cut(data);
    const bits = new Rechunker(3, 'c', { maxChunk: 9 });
    const parts = [...bits.cut(data.subarray(0, 333)), ...bits.cut(data.subarray(333))];
    const ends = (pieces: Buffer[]) => pieces.reduce<number[]>((acc, p) => [...acc, (acc.at(-1) ?? 0) + p.length], []);
    const expected = new Set(ends(whole));
    expected.add(333); // the arrival boundary is a cut as well
    expect(new Set(ends(parts))).toEqual(expected);
  });

  test('maxChunk 1 gives single bytes; no maxChunk leaves the data whole', () => {
    expect(sizes(new Rechunker(0, 'c', { maxChunk: 1 }).cut(data.subarray(0, 10)))).toEqual(Array(10).fill(1));
    expect(sizes(new Rechunker(0, 'c', {}).cut(data))).toEqual([1000]);
    expect(() => new Rechunker(0, 'c', { maxChunk: 0 })).toThrow(RangeError);
  });
});
