/**
 * Reliability of the reference bencode and metainfo reader (run against
 * solutions/): whatever bytes come in, the only failures are BencodeError and
 * MetainfoError, never a crash, a hang or a stack overflow; and whatever the
 * decoder accepts, it gives back byte for byte.
 */
import bencode from 'bencode';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decode, decodeAt, encode, locate } from '@impl/08-metainfo/bencode.ts';
import { BencodeError } from '@impl/08-metainfo/bencode-error.ts';
import { MetainfoError } from '@impl/08-metainfo/metainfo-types.ts';
import { readMetainfo } from '@impl/08-metainfo/read-metainfo.ts';
import { mutate } from '../helpers/mutate.ts';

/** Bytes that are mostly bencode syntax, so the fuzzer gets deep into the decoder. */
const bencodeish = fc
  .array(fc.oneof(fc.constantFrom(...'ilde0123456789:-'.split('').map((c) => c.charCodeAt(0))), fc.integer({ min: 0, max: 255 })), { maxLength: 64 })
  .map((a) => Buffer.from(a));

/** Random values, with binary strings and latin1 keys (our decoder's key convention). */
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a).toString('latin1')), tie('v'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).v;

function onlyBencodeErrors(input: Uint8Array): void {
  try {
    const decoded = decode(input);
    // Accepted input is canonical: it encodes back to the very same bytes.
    expect(Buffer.from(encode(decoded as never)).equals(Buffer.from(input))).toBe(true);
  } catch (error) {
    if (!(error instanceof BencodeError)) throw error;
    expect(error.offset).toBeGreaterThanOrEqual(0);
    expect(error.offset).toBeLessThanOrEqual(input.length);
  }
}

describe('bencode under fuzz', () => {
  test('random byte strings: a value or a BencodeError with an offset inside the input', () => {
    fc.assert(fc.property(bencodeish, onlyBencodeErrors), { numRuns: 5000, seed: 1 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (a) => onlyBencodeErrors(Buffer.from(a))), { numRuns: 2000, seed: 2 });
  });

  test('valid encodings with one byte changed, dropped or added', () => {
    fc.assert(
      fc.property(value, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'drop', 'insert'), (v, at, byte, how) => {
        onlyBencodeErrors(mutate(encode(v as never), at, byte, how));
      }),
      { numRuns: 3000, seed: 3 },
    );
  });

  test('binary keys round-trip, sorted by bytes like the bencode library sorts Buffers', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = Buffer.from(encode(v as never));
        expect(Buffer.from(encode(decode(bytes) as never)).equals(bytes)).toBe(true);
        // decodeAt on a value followed by junk stops at the value's end.
        const withJunk = Buffer.concat([bytes, Buffer.from('junk')]);
        expect(decodeAt(withJunk, 0).end).toBe(bytes.length);
      }),
      { numRuns: 1000, seed: 4 },
    );
  });

  test('agrees with the bencode library on every canonical input it produces', () => {
    fc.assert(
      fc.property(value, (v) => {
        const ascii = JSON.parse(JSON.stringify(v, (_k, x: unknown) => (Buffer.isBuffer(x) ? x.toString('hex') : x))) as unknown;
        const theirs = Buffer.from(bencode.encode(ascii));
        expect(Buffer.from(encode(decode(theirs) as never)).equals(theirs)).toBe(true);
      }),
      { numRuns: 1000, seed: 5 },
    );
  });

  test('deep nesting is refused, never a stack overflow', () => {
    for (const open of ['l', 'd1:a']) {
      const deep = Buffer.from(open.repeat(50_000));
      expect(() => decode(deep)).toThrow(BencodeError);
    }
  });

  test('locate finds spans at any depth, and only where dictionaries lead', () => {
    const bytes = Buffer.from(encode({ a: { b: { c: 'deep' } }, l: [{ x: 1 }] }));
    const c = locate(bytes, ['a', 'b', 'c'])!;
    expect(bytes.subarray(c.start, c.end).toString()).toBe('4:deep');
    expect(locate(bytes, ['l', 'x'])).toBeUndefined();
    expect(locate(bytes, ['a', 'nope'])).toBeUndefined();
    expect(locate(bytes, [])).toMatchObject({ start: 0, end: bytes.length });
  });
});

describe('metainfo reader under fuzz', () => {
  const good = Buffer.from(
    encode({
      announce: 'http://127.0.0.1:6969/announce',
      info: {
        files: [
          { length: 300_000, path: ['a', 'b.bin'] },
          { length: 5, path: ['c'] },
        ],
        name: 'folder',
        'piece length': 262_144,
        pieces: Buffer.alloc(40, 7),
      },
    }),
  );

  test('a valid torrent reads; mutated ones fail only with BencodeError or MetainfoError', () => {
    expect(readMetainfo(good).files).toHaveLength(2);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, byte, drop) => {
        const i = at % good.length;
        const bad = drop ? Buffer.concat([good.subarray(0, i), good.subarray(i + 1)]) : Buffer.from(good).fill(byte, i, i + 1);
        try {
          const meta = readMetainfo(bad);
          expect(meta.pieces.length).toBe(Math.ceil(meta.length / meta.pieceLength));
          for (const f of meta.files) for (const p of f.path) expect(['', '.', '..'].includes(p) || /[/\\\0]/.test(p)).toBe(false);
        } catch (error) {
          if (!(error instanceof BencodeError) && !(error instanceof MetainfoError)) throw error;
        }
      }),
      { numRuns: 3000, seed: 6 },
    );
  });

  test('random structures with the right keys never crash the reader', () => {
    const field = fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), fc.uint8Array({ maxLength: 45 }).map((a) => Buffer.from(a)), fc.constant([]), fc.constant({}));
    fc.assert(
      fc.property(
        fc.record({ name: field, 'piece length': field, pieces: field, length: field, files: fc.oneof(field, fc.array(fc.record({ length: field, path: fc.oneof(field, fc.array(field, { maxLength: 3 })) }), { maxLength: 3 })) }, { requiredKeys: [] }),
        (info) => {
          try {
            readMetainfo(encode({ info } as never));
          } catch (error) {
            if (!(error instanceof BencodeError) && !(error instanceof MetainfoError)) throw error;
          }
        },
      ),
      { numRuns: 3000, seed: 7 },
    );
  });
});
