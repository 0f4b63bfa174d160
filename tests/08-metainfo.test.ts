/**
 * Graded tests of exercise 08: bencode, and .torrent metainfo.
 * Judges: the npm libraries `bencode`, `create-torrent` and `parse-torrent`,
 * written by others, and SHA-1 computed here the plain way.
 */
import { open, truncate } from 'node:fs/promises';
import path from 'node:path';
import bencode from 'bencode';
import fc from 'fast-check';
import parseTorrent from 'parse-torrent';
import { describe, expect } from 'vitest';
import { decode, decodeAt, encode, locate } from '@impl/08-metainfo/bencode.ts';
import { BencodeError, type BencodeErrorReason } from '@impl/08-metainfo/bencode-error.ts';
import { createMetainfo } from '@impl/08-metainfo/create-metainfo.ts';
import { MetainfoError } from '@impl/08-metainfo/metainfo-types.ts';
import { PieceHasher } from '@impl/08-metainfo/piece-hasher.ts';
import { readMetainfo } from '@impl/08-metainfo/read-metainfo.ts';
import { graded, type GradedContext } from './helpers/graded.ts';
import {
  createTorrentWithLibrary,
  expectedPieceHashes,
  infoBytesByLibrary,
  describeInfo,
  seededBytes,
  sha1Hex,
  tempDirEachTest,
  TEST_ANNOUNCE,
  writeTree,
} from './helpers/metainfo.ts';

const test = graded('08-metainfo', {
  'encodes integers, byte strings, lists and dictionaries': 2,
  'sorts dictionary keys by their raw bytes': 2,
  'counts string lengths in bytes, not characters': 1,
  'encodes exactly like the bencode library': 2,
  'decodes every kind of value, strings as bytes': 2,
  'round-trips random values both ways': 2,
  'decodes what the bencode library encodes': 2,
  'rejects leading zeros and negative zero, with the offset': 2,
  'rejects values cut short and lengths past the end, with the offset': 2,
  'rejects unsorted and duplicate keys, with the offset': 2,
  'rejects trailing data, non-string keys and stray bytes, with the offset': 2,
  'refuses absurd nesting with a BencodeError': 1,
  'decodeAt stops after one value and locate gives exact spans': 2,
  'hashes pieces however the bytes are split': 2,
  'a short last piece, and no pieces for no bytes': 1,
  'single-file torrent: the same info bytes as create-torrent': 3,
  'folder torrent: files in order, pieces across file boundaries, same as create-torrent': 3,
  'other piece lengths, the same as create-torrent': 1,
  'parse-torrent reads our torrents: same info_hash, name, length and piece hashes': 2,
  'announce, created by and creation date written only when given': 1,
  'refuses a piece length that is not a power of two of at least 16 KiB': 1,
  'streams a file larger than fits in one buffer': 2,
  'reads a single-file torrent made by create-torrent': 2,
  'reads a folder torrent made by create-torrent': 2,
  'info_hash comes from the raw info bytes, unknown keys and non-UTF-8 names included': 3,
  'refuses torrents with missing or inconsistent fields': 2,
  'refuses file names that could escape the download folder': 2,
  'passes bencode errors through with their offset': 1,
});

const bytes = (latin1: string): Buffer => Buffer.from(latin1, 'latin1');
const show = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Records the input and what the decoder did, and checks it failed at `offset` (and for `reason`, when given). */
function expectDecodeError({ transcript }: GradedContext, input: string, offset: number, reason?: BencodeErrorReason): void {
  transcript.record('client', bytes(input));
  let caught: unknown;
  try {
    const value = decode(bytes(input));
    transcript.record('server', `decoded without error: ${JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? show(v) : v))}`);
  } catch (error) {
    caught = error;
    transcript.record('server', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
  const wanted = `BencodeError at offset ${offset}${reason ? ` (${reason})` : ''}`;
  if (!(caught instanceof BencodeError) || caught.offset !== offset || (reason !== undefined && caught.reason !== reason)) {
    transcript.expect(`expected ${wanted}`);
  }
  expect(caught, `decoding ${JSON.stringify(input)}`).toBeInstanceOf(BencodeError);
  expect((caught as BencodeError).offset, `offset for ${JSON.stringify(input)}`).toBe(offset);
  if (reason !== undefined) expect((caught as BencodeError).reason, `reason for ${JSON.stringify(input)}`).toBe(reason);
}

/**
 * Checks that our `info` bytes are create-torrent's. The transcript shows both
 * field by field (create-torrent's as C:, yours as S:), marked at the first difference.
 */
function expectSameInfo({ transcript }: GradedContext, ours: Uint8Array, theirs: Uint8Array, what: string): void {
  const mine = infoBytesByLibrary(ours);
  const reference = infoBytesByLibrary(theirs);
  const want = describeInfo(reference);
  const got = describeInfo(mine);
  let marked = false;
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    transcript.record('client', `create-torrent  ${want[i] ?? '(nothing more)'}\n`);
    transcript.record('server', `yours           ${got[i] ?? '(nothing more)'}\n`);
    if (!marked && want[i] !== got[i]) {
      transcript.expect(`expected the same as create-torrent (${what})`);
      marked = true;
    }
  }
  if (!marked && !mine.equals(reference)) transcript.expect(`expected the same info bytes as create-torrent (${what})`);
  expect(mine.equals(reference), `info bytes for ${what}`).toBe(true);
}

/** Random bencode values: safe integers, binary strings, lists, dictionaries with ASCII keys. */
const arbitraryValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: fc.constantFrom(...'abcdefgh XYZ-_.019'), maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('step 1: bencode encode', () => {
  test('encodes integers, byte strings, lists and dictionaries', () => {
    expect(show(encode(42))).toBe('i42e');
    expect(show(encode(0))).toBe('i0e');
    expect(show(encode(-7))).toBe('i-7e');
    expect(show(encode(2 ** 53 - 1))).toBe('i9007199254740991e');
    expect(show(encode('spam'))).toBe('4:spam');
    expect(show(encode(''))).toBe('0:');
    expect(show(encode(['spam', 42]))).toBe('l4:spami42ee');
    expect(show(encode([]))).toBe('le');
    expect(show(encode({}))).toBe('de');
    expect(show(encode({ cow: 'moo', spam: ['a', { x: 1 }] }))).toBe('d3:cow3:moo4:spaml1:ad1:xi1eeee');
    expect(() => encode(1.5)).toThrow(TypeError);
  });

  test('sorts dictionary keys by their raw bytes', () => {
    // Upper case sorts before lower case, shorter before longer, 0xff last.
    expect(show(encode({ b: 1, a: 2, B: 3, ab: 4, '\xff': 5, '': 6 }))).toBe('d0:i6e1:Bi3e1:ai2e2:abi4e1:bi1e1:\xffi5ee');
    expect(show(encode({ 'piece length': 1, pieces: '', name: 'x', length: 2 }))).toBe('d6:lengthi2e4:name1:x12:piece lengthi1e6:pieces0:e');
  });

  test('counts string lengths in bytes, not characters', () => {
    expect(show(encode('é'))).toBe('2:\xc3\xa9');
    expect(show(encode(Uint8Array.of(0, 0xff, 0x0a)))).toBe('3:\x00\xff\x0a');
    expect(show(encode({ name: '日本' }))).toBe('d4:name6:\xe6\x97\xa5\xe6\x9c\xace');
  });

  test('encodes exactly like the bencode library', () => {
    fc.assert(
      fc.property(arbitraryValue, (value) => {
        expect(show(encode(value as never))).toBe(show(bencode.encode(value)));
      }),
      { numRuns: 300, seed: 8 },
    );
  });
});

describe('step 2: bencode decode', () => {
  test('decodes every kind of value, strings as bytes', () => {
    expect(decode(bytes('i42e'))).toBe(42);
    expect(decode(bytes('i-7e'))).toBe(-7);
    expect(decode(bytes('i0e'))).toBe(0);
    const text = decode(bytes('4:spam'));
    expect(text).toBeInstanceOf(Uint8Array);
    expect(show(text as Uint8Array)).toBe('spam');
    const binary = decode(bytes('3:\x00\xff\x80'));
    expect(Buffer.from(binary as Uint8Array).equals(Buffer.from([0, 0xff, 0x80]))).toBe(true);
    const list = decode(bytes('l4:spami42ee')) as unknown[];
    expect(list).toHaveLength(2);
    expect(show(list[0] as Uint8Array)).toBe('spam');
    expect(list[1]).toBe(42);
    const dict = decode(bytes('d3:cow3:moo4:spaml1:aee')) as Record<string, unknown>;
    expect(Object.keys(dict)).toEqual(['cow', 'spam']);
    expect(show(dict['cow'] as Uint8Array)).toBe('moo');
    expect(decode(bytes('de'))).toEqual({});
    expect(decode(bytes('le'))).toEqual([]);
  });

  test('round-trips random values both ways', () => {
    fc.assert(
      fc.property(arbitraryValue, (value) => {
        const encoded = encode(value as never);
        // bytes → value → the same bytes
        expect(show(encode(decode(encoded) as never))).toBe(show(encoded));
        // value → bytes → an equal value (strings come back as bytes)
        expect(bencode.encode(decode(encoded))).toEqual(bencode.encode(value));
      }),
      { numRuns: 300, seed: 80 },
    );
  });

  test('decodes what the bencode library encodes', () => {
    fc.assert(
      fc.property(arbitraryValue, (value) => {
        const theirs = bencode.encode(value);
        expect(show(bencode.encode(decode(theirs)))).toBe(show(theirs));
      }),
      { numRuns: 300, seed: 808 },
    );
  });

  test('rejects leading zeros and negative zero, with the offset', (ctx) => {
    expectDecodeError(ctx, 'i03e', 2, 'leading-zero');
    expectDecodeError(ctx, 'i00e', 2, 'leading-zero');
    expectDecodeError(ctx, '03:abc', 1, 'leading-zero');
    expectDecodeError(ctx, 'li1ei012ee', 6, 'leading-zero');
    expectDecodeError(ctx, 'i-0e', 2, 'negative-zero');
  });

  test('rejects values cut short and lengths past the end, with the offset', (ctx) => {
    expectDecodeError(ctx, '', 0, 'unexpected-end');
    expectDecodeError(ctx, 'i12', 3, 'unexpected-end');
    expectDecodeError(ctx, 'l4:spam', 7, 'unexpected-end');
    expectDecodeError(ctx, 'd3:cow', 6, 'unexpected-end');
    expectDecodeError(ctx, '5:abc', 5, 'unexpected-end');
    expectDecodeError(ctx, 'l10:abce', 8, 'unexpected-end');
  });

  test('rejects unsorted and duplicate keys, with the offset', (ctx) => {
    expectDecodeError(ctx, 'd1:bi1e1:ai2ee', 7, 'unsorted-key');
    expectDecodeError(ctx, 'd2:aai1e1:ai2ee', 8, 'unsorted-key');
    expectDecodeError(ctx, 'd1:ai1e1:ai2ee', 7, 'duplicate-key');
    expectDecodeError(ctx, 'd1:xd1:ai1e1:ai2eee', 11, 'duplicate-key');
  });

  test('rejects trailing data, non-string keys and stray bytes, with the offset', (ctx) => {
    expectDecodeError(ctx, 'i1ei2e', 3, 'trailing-data');
    expectDecodeError(ctx, 'dei', 2, 'trailing-data');
    expectDecodeError(ctx, 'di1ei2ee', 1, 'key-not-string');
    expectDecodeError(ctx, 'x', 0);
    expectDecodeError(ctx, 'ie', 1);
    expectDecodeError(ctx, 'i1x2e', 2);
    expectDecodeError(ctx, '3abc', 1);
    expectDecodeError(ctx, 'i-e', 2);
  });

  test('refuses absurd nesting with a BencodeError', ({ transcript }) => {
    const deep = 'l'.repeat(100_000) + 'e'.repeat(100_000);
    transcript.record('client', `${'l'.repeat(20)}… (100000 nested lists)`);
    expect(() => decode(bytes(deep))).toThrow(BencodeError);
    // A sane depth still decodes.
    expect(decode(bytes('l'.repeat(20) + 'e'.repeat(20)))).toBeInstanceOf(Array);
  });

  test('decodeAt stops after one value and locate gives exact spans', () => {
    const message = bytes('d8:msg_typei1e5:piecei0eeRAW-BYTES');
    const { value, end } = decodeAt(message, 0);
    expect(end).toBe(message.length - 'RAW-BYTES'.length);
    expect((value as Record<string, unknown>)['piece']).toBe(0);
    expect(decodeAt(bytes('xxi7e'), 2)).toEqual({ value: 7, end: 5 });

    const torrent = bytes('d8:announce3:url4:infod4:name1:a6:lengthi1eee');
    // Not sorted inside info: strict validation comes first.
    expect(() => locate(torrent, ['info'])).toThrow(BencodeError);
    const sorted = bytes('d8:announce3:url4:infod6:lengthi1e4:name1:ae1:zi9ee');
    const span = locate(sorted, ['info']);
    expect(span).toBeDefined();
    expect(show(sorted.subarray(span!.start, span!.end))).toBe('d6:lengthi1e4:name1:ae');
    const name = locate(sorted, ['info', 'name']);
    expect(show(sorted.subarray(name!.start, name!.end))).toBe('1:a');
    expect(locate(sorted, ['z'])).toMatchObject({ value: 9, start: sorted.length - 4, end: sorted.length - 1 });
    expect(locate(sorted, ['missing'])).toBeUndefined();
  });
});

describe('step 3: piece hashes', () => {
  test('hashes pieces however the bytes are split', () => {
    const all = seededBytes('pieces', 100_000);
    const pieceLength = 16_384;
    const expected = expectedPieceHashes(all, pieceLength).join('');
    for (const seed of [1, 2, 3]) {
      const hasher = new PieceHasher(pieceLength);
      let at = 0;
      let rng = seed;
      while (at < all.length) {
        rng = (rng * 1_103_515_245 + 12_345) % 2 ** 31;
        const size = [1, 7, 16_383, 16_384, 16_385, 40_000][rng % 6] as number;
        hasher.update(all.subarray(at, at + size));
        at += size;
      }
      expect(Buffer.from(hasher.digest()).toString('hex'), `chunking seed ${seed}`).toBe(expected);
    }
  });

  test('a short last piece, and no pieces for no bytes', () => {
    const hasher = new PieceHasher(16_384);
    hasher.update(seededBytes('short', 16_385));
    const digest = hasher.digest();
    expect(digest.length).toBe(40);
    expect(Buffer.from(digest.subarray(20)).toString('hex')).toBe(sha1Hex(seededBytes('short', 16_385).subarray(16_384)));
    expect(new PieceHasher(16_384).digest().length).toBe(0);
  });
});

describe('step 4: creating metainfo', () => {
  const tmp = tempDirEachTest();

  test('single-file torrent: the same info bytes as create-torrent', async (ctx) => {
    const file = path.join(tmp.dir, 'song.ogg');
    await writeTree(tmp.dir, { 'song.ogg': seededBytes('song', 1_000_000) });
    const ours = await createMetainfo(file, { announce: TEST_ANNOUNCE });
    const decoded = bencode.decode(ours);
    expect(Buffer.from(decoded.announce).toString()).toBe(TEST_ANNOUNCE);
    expect(Buffer.from(decoded.info.name).toString()).toBe('song.ogg');
    expect(decoded.info['piece length']).toBe(262_144);
    expect(decoded.info.length).toBe(1_000_000);
    expect(decoded.info.files).toBeUndefined();
    expect(decoded.info.pieces.length).toBe(4 * 20);
    expectSameInfo(ctx, ours, await createTorrentWithLibrary(file, 262_144), 'song.ogg, 1000000 bytes');
  });

  test('folder torrent: files in order, pieces across file boundaries, same as create-torrent', async (ctx) => {
    const files = {
      'b.bin': seededBytes('b', 300_000),
      'a.txt': seededBytes('a', 20_000),
      'sub/z.dat': seededBytes('z', 5),
      'sub-dir/y.dat': seededBytes('y', 250_000),
      'A.bin': seededBytes('A', 1),
      '.hidden': seededBytes('hidden', 10),
    };
    const album = path.join(tmp.dir, 'album');
    await writeTree(album, files);
    const ours = await createMetainfo(album, { announce: TEST_ANNOUNCE });
    expectSameInfo(ctx, ours, await createTorrentWithLibrary(album, 262_144), 'the folder album/');
    const decoded = bencode.decode(ours);
    expect(Buffer.from(decoded.info.name).toString()).toBe('album');
    expect(decoded.info.length).toBeUndefined();
    const listed = (decoded.info.files as { path: Uint8Array[]; length: number }[]).map((f) => [
      f.path.map((p) => Buffer.from(p).toString()).join('/'),
      f.length,
    ]);
    // Depth first, each folder sorted by bytes: 'sub' < 'sub-dir', upper case first, hidden left out.
    expect(listed).toEqual([
      ['A.bin', 1],
      ['a.txt', 20_000],
      ['b.bin', 300_000],
      ['sub/z.dat', 5],
      ['sub-dir/y.dat', 250_000],
    ]);
    const concatenated = Buffer.concat([files['A.bin'], files['a.txt'], files['b.bin'], files['sub/z.dat'], files['sub-dir/y.dat']]);
    const pieces = Buffer.from(decoded.info.pieces as Uint8Array).toString('hex');
    expect(pieces).toBe(expectedPieceHashes(concatenated, 262_144).join(''));
  });

  test('other piece lengths, the same as create-torrent', async (ctx) => {
    const file = path.join(tmp.dir, 'data.bin');
    await writeTree(tmp.dir, { 'data.bin': seededBytes('data', 2_100_000) });
    for (const pieceLength of [16_384, 1_048_576]) {
      const ours = await createMetainfo(file, { announce: TEST_ANNOUNCE, pieceLength });
      expect(bencode.decode(ours).info['piece length']).toBe(pieceLength);
      expectSameInfo(ctx, ours, await createTorrentWithLibrary(file, pieceLength), `piece length ${pieceLength}`);
    }
  });

  test('parse-torrent reads our torrents: same info_hash, name, length and piece hashes', async () => {
    const content = seededBytes('movie', 700_001);
    await writeTree(tmp.dir, { 'movie.mkv': content, 'show/e01.mkv': content.subarray(0, 300_000), 'show/e02.mkv': content.subarray(300_000) });
    for (const input of ['movie.mkv', 'show']) {
      const ours = await createMetainfo(path.join(tmp.dir, input), { announce: TEST_ANNOUNCE });
      const parsed = await parseTorrent(ours);
      expect(parsed.infoHash).toBe(sha1Hex(infoBytesByLibrary(ours)));
      expect(parsed.name).toBe(input);
      expect(parsed.length).toBe(700_001);
      expect(parsed.pieceLength).toBe(262_144);
      expect(parsed.pieces).toEqual(expectedPieceHashes(content, 262_144));
      expect(parsed.announce).toEqual([TEST_ANNOUNCE]);
    }
  });

  test('announce, created by and creation date written only when given', async () => {
    const file = path.join(tmp.dir, 'x');
    await writeTree(tmp.dir, { x: seededBytes('x', 10) });
    const bare = bencode.decode(await createMetainfo(file));
    expect(Object.keys(bare).sort()).toEqual(['info']);
    const full = bencode.decode(await createMetainfo(file, { announce: TEST_ANNOUNCE, createdBy: 'wirelab', creationDate: 1_700_000_000 }));
    expect(Object.keys(full).sort()).toEqual(['announce', 'created by', 'creation date', 'info']);
    expect(Buffer.from(full['created by']).toString()).toBe('wirelab');
    expect(full['creation date']).toBe(1_700_000_000);
  });

  test('refuses a piece length that is not a power of two of at least 16 KiB', async () => {
    const file = path.join(tmp.dir, 'x');
    await writeTree(tmp.dir, { x: seededBytes('x', 10) });
    for (const pieceLength of [0, 1000, 8192, 300_000]) {
      await expect(createMetainfo(file, { pieceLength }), `piece length ${pieceLength}`).rejects.toThrow(RangeError);
    }
  });

  test(
    'streams a file larger than fits in one buffer',
    async () => {
      // 2 GiB + 1 byte of zeros, sparse: it costs no disk, but fs.readFile refuses it (over 2 GiB).
      const file = path.join(tmp.dir, 'big.iso');
      await (await open(file, 'w')).close();
      const size = 2 ** 31 + 1;
      await truncate(file, size);
      let progressCalls = 0;
      let lastProgress = 0;
      const ours = await createMetainfo(file, {
        announce: TEST_ANNOUNCE,
        pieceLength: 4_194_304,
        onProgress: (done, total) => {
          progressCalls++;
          lastProgress = done;
          expect(total).toBe(size);
        },
      });
      const decoded = bencode.decode(ours);
      expect(decoded.info.length).toBe(size);
      const pieces = Buffer.from(decoded.info.pieces as Uint8Array);
      expect(pieces.length).toBe(513 * 20);
      const fullPiece = sha1Hex(Buffer.alloc(4_194_304));
      for (let i = 0; i < 512; i++) expect(pieces.subarray(i * 20, i * 20 + 20).toString('hex')).toBe(fullPiece);
      expect(pieces.subarray(512 * 20).toString('hex')).toBe(sha1Hex(Buffer.alloc(1)));
      expect(progressCalls).toBeGreaterThan(1);
      expect(lastProgress).toBe(size);
    },
    60_000,
  );
});

describe('step 5: reading metainfo', () => {
  const tmp = tempDirEachTest();

  test('reads a single-file torrent made by create-torrent', async () => {
    const content = seededBytes('read', 600_000);
    await writeTree(tmp.dir, { 'notes.pdf': content });
    const torrent = await createTorrentWithLibrary(path.join(tmp.dir, 'notes.pdf'), 262_144);
    const meta = readMetainfo(torrent);
    expect(meta.name).toBe('notes.pdf');
    expect(meta.length).toBe(600_000);
    expect(meta.pieceLength).toBe(262_144);
    expect(meta.multiFile).toBe(false);
    expect(meta.files).toEqual([{ path: ['notes.pdf'], length: 600_000 }]);
    expect(meta.announce).toBe(TEST_ANNOUNCE);
    expect(meta.pieces.map((p) => Buffer.from(p).toString('hex'))).toEqual(expectedPieceHashes(content, 262_144));
    expect(meta.infoHashHex).toBe((await parseTorrent(torrent)).infoHash);
    expect(Buffer.from(meta.infoHash).toString('hex')).toBe(meta.infoHashHex);
  });

  test('reads a folder torrent made by create-torrent', async () => {
    await writeTree(path.join(tmp.dir, 'course'), {
      'week1/slides.pdf': seededBytes('s', 100_000),
      'week1/video.mp4': seededBytes('v', 500_000),
      'readme.txt': seededBytes('r', 77),
    });
    const torrent = await createTorrentWithLibrary(path.join(tmp.dir, 'course'), 262_144);
    const meta = readMetainfo(torrent);
    expect(meta.name).toBe('course');
    expect(meta.multiFile).toBe(true);
    expect(meta.length).toBe(600_077);
    expect(meta.files).toEqual([
      { path: ['readme.txt'], length: 77 },
      { path: ['week1', 'slides.pdf'], length: 100_000 },
      { path: ['week1', 'video.mp4'], length: 500_000 },
    ]);
    expect(meta.pieces).toHaveLength(3);
    expect(meta.infoHashHex).toBe((await parseTorrent(torrent)).infoHash);
  });

  test('info_hash comes from the raw info bytes, unknown keys and non-UTF-8 names included', ({ transcript }) => {
    // Hand-made: info has keys no reader knows, and a name in Latin-1 (0xe9 is not valid UTF-8).
    const pieces = Buffer.from(sha1Hex(Buffer.from('hello')), 'hex');
    const info = Buffer.concat([
      bytes('d6:lengthi5e4:name8:caf\xe9.txt12:piece lengthi16384e6:pieces20:'),
      pieces,
      bytes('7:privatei0e11:x-wirelab-zl1:a1:bee'),
    ]);
    const torrent = Buffer.concat([bytes('d8:announce'), bytes(`${TEST_ANNOUNCE.length}:${TEST_ANNOUNCE}`), bytes('4:info'), info, bytes('e')]);
    transcript.record('client', torrent);
    const meta = readMetainfo(torrent);
    transcript.record('server', `info_hash ${meta.infoHashHex}`);
    const wanted = sha1Hex(info);
    if (meta.infoHashHex !== wanted) transcript.expect(`expected info_hash ${wanted} (SHA-1 of the info bytes as they are in the file)`);
    expect(meta.infoHashHex).toBe(wanted);
    expect(meta.length).toBe(5);
    expect(meta.pieces).toHaveLength(1);
  });

  test('refuses torrents with missing or inconsistent fields', () => {
    const hash = 'x'.repeat(20);
    const cases: [string, string][] = [
      ['i1e', 'top level not a dictionary'],
      ['d8:announce3:urle', 'no info'],
      ['d4:infoi1ee', 'info not a dictionary'],
      ['d4:infod6:lengthi5e12:piece lengthi16384e6:pieces20:' + hash + 'ee', 'no name'],
      ['d4:infod6:lengthi5e4:name1:a6:pieces20:' + hash + 'ee', 'no piece length'],
      ['d4:infod6:lengthi5e4:name1:a12:piece lengthi16384eee', 'no pieces'],
      ['d4:infod4:name1:a12:piece lengthi16384e6:pieces20:' + hash + 'ee', 'neither length nor files'],
      ['d4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces19:' + hash.slice(1) + 'ee', 'pieces not a multiple of 20'],
      ['d4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces40:' + hash + hash + 'ee', 'two hashes for one piece'],
      ['d4:infod6:lengthi99999e4:name1:a12:piece lengthi16384e6:pieces20:' + hash + 'ee', 'one hash for seven pieces'],
      ['d4:infod6:lengthi-5e4:name1:a12:piece lengthi16384e6:pieces20:' + hash + 'ee', 'negative length'],
      ['d4:infod5:filesle4:name1:a12:piece lengthi16384e6:pieces0:ee', 'empty files list'],
      ['d4:infod5:filesld6:lengthi5eee4:name1:a12:piece lengthi16384e6:pieces20:' + hash + 'ee', 'a file without path'],
    ];
    for (const [torrent, why] of cases) {
      expect(() => readMetainfo(bytes(torrent)), why).toThrow(MetainfoError);
    }
  });

  test('refuses file names that could escape the download folder', () => {
    const hash = 'x'.repeat(20);
    const withPath = (path: string) => bytes(`d4:infod5:filesld6:lengthi5e4:path${path}ee4:name1:a12:piece lengthi16384e6:pieces20:${hash}ee`);
    const withName = (name: string) => bytes(`d4:infod6:lengthi5e4:name${name}12:piece lengthi16384e6:pieces20:${hash}ee`);
    expect(readMetainfo(withPath('l3:dir4:filee')).files).toEqual([{ path: ['dir', 'file'], length: 5 }]);
    for (const bad of ['l2:..4:evile', 'l6:a/../be', 'l0:e', 'le', 'l1:.e', 'l5:\\evile', 'l3:a\x00be']) {
      expect(() => readMetainfo(withPath(bad)), `path ${JSON.stringify(bad)}`).toThrow(MetainfoError);
    }
    for (const bad of ['2:..', '0:', '5:/etc/']) {
      expect(() => readMetainfo(withName(bad)), `name ${JSON.stringify(bad)}`).toThrow(MetainfoError);
    }
  });

  test('passes bencode errors through with their offset', () => {
    let caught: unknown;
    try {
      readMetainfo(bytes('d4:infod4:name1:a4:name1:bee'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BencodeError);
    expect((caught as BencodeError).offset).toBe(17);
  });
});
