/** Length-prefixed frames: the wire format, any split, keep-alives, the size limit. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FramingError } from '../../lib/errors.ts';
import { encodeLengthPrefixed, LengthPrefixedDecoder } from '../../lib/framing/length-prefixed.ts';

describe('encodeLengthPrefixed', () => {
  test('writes a 4-byte big-endian length, then the payload', () => {
    expect([...encodeLengthPrefixed(Buffer.from([2]))]).toEqual([0, 0, 0, 1, 2]);
    expect([...encodeLengthPrefixed('hi')]).toEqual([0, 0, 0, 2, 0x68, 0x69]);
    expect(encodeLengthPrefixed(Buffer.alloc(0x10203)).readUInt32BE(0)).toBe(0x10203);
  });

  test('an empty payload is the 4-byte keep-alive', () => {
    expect([...encodeLengthPrefixed(Buffer.alloc(0))]).toEqual([0, 0, 0, 0]);
  });
});

describe('LengthPrefixedDecoder', () => {
  const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });

  test('any split of a stream of frames gives back the same payloads', () => {
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((p) => encodeLengthPrefixed(p)));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const decoder = new LengthPrefixedDecoder();
        const out: Buffer[] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          out.push(...decoder.push(stream.subarray(from, point)));
          from = point;
        }
        expect(out.map((b) => [...b])).toEqual(frames.map((p) => [...p]));
        expect(decoder.pendingBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test('a keep-alive comes out as an empty payload', () => {
    const decoder = new LengthPrefixedDecoder();
    expect(decoder.push(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 7]))).toEqual([Buffer.alloc(0), Buffer.from([7])]);
  });

  test('a length over maxFrameBytes is frame-too-large, and the decoder stays failed', () => {
    const decoder = new LengthPrefixedDecoder({ maxFrameBytes: 16 });
    expect(decoder.push(encodeLengthPrefixed(Buffer.alloc(16)))).toHaveLength(1);
    let error: unknown;
    try {
      decoder.push(Buffer.from([0, 0, 0, 17]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FramingError);
    expect((error as FramingError).kind).toBe('frame-too-large');
    expect((error as FramingError).limit).toBe(16);
    expect(() => decoder.push(Buffer.from([1]))).toThrow(FramingError);
  });

  test('frames before an oversized one are still returned', () => {
    const decoder = new LengthPrefixedDecoder({ maxFrameBytes: 4 });
    const stream = Buffer.concat([encodeLengthPrefixed('ok'), Buffer.from([0, 0, 1, 0])]);
    expect(decoder.push(stream).map(String)).toEqual(['ok']);
    expect(() => decoder.push(Buffer.alloc(0))).toThrow(/larger than the limit of 4/);
  });
});
