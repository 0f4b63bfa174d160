/**
 * Exercise 10: a chunk-swapping BitTorrent peer.
 *
 * Step 1, the piece store, is judged on disk: torrents made by the npm
 * create-torrent (hashes computed by someone else), files compared byte for
 * byte, a sparse multi-GiB file to show memory and reads stay bounded.
 * Step 2, the tracker client, is judged by fake trackers written from the
 * BEPs in tests/helpers/ (an HTTP one answering with the npm `bencode`, a
 * scripted BEP 15 responder that drops, lies and refuses on cue).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { blockSlices, fileSlices, pieceSize, planLayout } from '@impl/10-peer/file-layout.ts';
import { UnsafePathError } from '@impl/10-peer/path-error.ts';
import { openPieceStore } from '@impl/10-peer/piece-store.ts';
import { announce, startTrackerClient } from '@impl/10-peer/tracker-client.ts';
import { TrackerFailureError } from '@impl/10-peer/tracker-errors.ts';
import { UdpTrackerSession } from '@impl/10-peer/tracker-udp.ts';
import { BLOCK_LENGTH, type AnnounceParams, type PeerAddress, type PieceStore, type TrackerClient } from '@impl/10-peer/types.ts';
import type { Metainfo } from '@impl/08-metainfo/metainfo-types.ts';
import { TimeoutError } from '../lib/index.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { startFakeHttpTracker } from './helpers/fake-http-tracker.ts';
import { startFakeUdpTracker, type SeenUdpRequest } from './helpers/fake-udp-tracker.ts';
import { graded } from './helpers/graded.ts';
import { seededBytes, tempDirEachTest } from './helpers/metainfo.ts';
import { makeTorrent, metainfoFromHashes, type TestTorrent } from './helpers/torrent-files.ts';
import { readingCounter } from './helpers/process-io.ts';
import { Waiter } from './helpers/waiter.ts';

const test = graded('10-peer', {
  'lays pieces and blocks across file boundaries, skipping empty files': 2,
  'creates dir/<name> for one file and dir/<name>/<path…> for several, at full size': 1,
  'writes blocks in any order, verifies each piece and reads verified blocks back': 3,
  'a piece that fails its SHA-1 is not marked and can be written again': 2,
  'reopening a half-written folder re-checks it and keeps only the good pieces': 3,
  'a complete folder opens as a seed': 1,
  'refuses file paths that would leave the folder, writing nothing': 2,
  'memory and disk stay bounded over a sparse multi-GiB file': 2,
  'HTTP: the query carries info_hash and peer_id percent-encoded byte by byte': 2,
  'HTTP: reads compact and dictionary peers, failure reason and warning': 2,
  'UDP: connects with the protocol id, then announces at the BEP 15 offsets': 3,
  'UDP: resends on the 15·2^n schedule when datagrams are lost, then gives up': 2,
  'UDP: ignores wrong transaction ids and answers from elsewhere': 2,
  'UDP: an error answer is a TrackerFailureError; a connection id lasts a minute': 2,
  'client: started at once, re-announces at the interval, completed once, stopped': 3,
  'client: a tracker that is down costs only time': 2,
  'client: stop() is bounded when the tracker is down and never rejects': 1,
});

const track = closeAfterEach();
const temp = tempDirEachTest('wirelab-peer-');

/** Four files, one of them empty, in 32 KiB pieces: piece 1 runs from a.txt over empty.bin into sub/c.dat. */
function album(pieceLength = 32_768): Promise<TestTorrent> {
  return makeTorrent(temp.dir, 'album', {
    'a.txt': seededBytes('a', 40_000),
    'empty.bin': Buffer.alloc(0),
    'sub/c.dat': seededBytes('c', 30_000),
    'sub/z.txt': seededBytes('z', 9_000),
  }, pieceLength);
}

async function store(metainfo: Metainfo, dir: string, onCheck?: (checked: number, total: number) => void): Promise<PieceStore> {
  return track(await openPieceStore(metainfo, dir, { onCheck }));
}

/** Writes piece `index` from `content` block by block (16 KiB blocks, the last one shorter). */
async function writePiece(s: PieceStore, content: Buffer, index: number): Promise<void> {
  const start = index * s.metainfo.pieceLength;
  const size = s.pieceLength(index);
  const writes: Promise<void>[] = [];
  for (let begin = 0; begin < size; begin += BLOCK_LENGTH) {
    writes.push(s.writeBlock(index, begin, content.subarray(start + begin, start + Math.min(size, begin + BLOCK_LENGTH))));
  }
  await Promise.all(writes);
}

const sha1 = (bytes: Uint8Array): Buffer => createHash('sha1').update(bytes).digest();

describe('step 1: the piece store', () => {
  test('lays pieces and blocks across file boundaries, skipping empty files', () => {
    const layout = planLayout([40_000, 0, 30_000, 0]);
    expect(layout.total).toBe(70_000);
    expect(blockSlices(layout, 32_768, 0, 0, 32_768)).toEqual([{ file: 0, fileOffset: 0, length: 32_768, dataOffset: 0 }]);
    expect(blockSlices(layout, 32_768, 1, 0, 32_768), 'piece 1 ends a.txt and starts the third file').toEqual([
      { file: 0, fileOffset: 32_768, length: 7_232, dataOffset: 0 },
      { file: 2, fileOffset: 0, length: 25_536, dataOffset: 7_232 },
    ]);
    expect(pieceSize(70_000, 32_768, 2), 'the last piece is shorter').toBe(4_464);
    expect(blockSlices(layout, 32_768, 2, 0, 4_464)).toEqual([{ file: 2, fileOffset: 25_536, length: 4_464, dataOffset: 0 }]);

    const three = planLayout([10_000, 0, 5_000, 20_000]);
    expect(blockSlices(three, 32_768, 0, 8_192, BLOCK_LENGTH), 'one block over three files').toEqual([
      { file: 0, fileOffset: 8_192, length: 1_808, dataOffset: 0 },
      { file: 2, fileOffset: 0, length: 5_000, dataOffset: 1_808 },
      { file: 3, fileOffset: 0, length: 9_576, dataOffset: 6_808 },
    ]);
    expect(fileSlices(three, 10_000, 1), 'the empty file at offset 10 000 holds no byte').toEqual([{ file: 2, fileOffset: 0, length: 1, dataOffset: 0 }]);
    expect(fileSlices(three, 34_999, 1)).toEqual([{ file: 3, fileOffset: 19_999, length: 1, dataOffset: 0 }]);
    expect(() => blockSlices(layout, 32_768, 2, 4_000, 1_000), 'past the end of the short last piece').toThrow(RangeError);
    expect(() => blockSlices(layout, 32_768, 3, 0, 1), 'a piece that does not exist').toThrow(RangeError);
    expect(() => fileSlices(layout, 69_999, 2), 'past the end of the torrent').toThrow(RangeError);
  });

  test('creates dir/<name> for one file and dir/<name>/<path…> for several, at full size', async () => {
    const dl = path.join(temp.dir, 'dl');
    const single = await makeTorrent(temp.dir, 'song.bin', seededBytes('song', 50_000), 16_384);
    const s1 = await store(single.metainfo, dl);
    expect((await stat(path.join(dl, 'song.bin'))).size).toBe(50_000);
    expect({ have: s1.have.toString(), left: s1.left }).toEqual({ have: '0000', left: 50_000 });

    const multi = await album();
    await store(multi.metainfo, dl);
    const sizes: Record<string, number> = {};
    for (const rel of ['a.txt', 'empty.bin', 'sub/c.dat', 'sub/z.txt']) sizes[rel] = (await stat(path.join(dl, 'album', ...rel.split('/')))).size;
    expect(sizes).toEqual({ 'a.txt': 40_000, 'empty.bin': 0, 'sub/c.dat': 30_000, 'sub/z.txt': 9_000 });
  });

  test('writes blocks in any order, verifies each piece and reads verified blocks back', async () => {
    const t = await album();
    const dl = path.join(temp.dir, 'dl');
    const s = await store(t.metainfo, dl);
    expect(s.metainfo.pieces.length).toBe(3);
    // Every block, last first and interleaved, all at once: writes may overlap.
    const blocks: [number, number][] = [];
    for (let piece = 2; piece >= 0; piece--) for (let begin = 0; begin < s.pieceLength(piece); begin += BLOCK_LENGTH) blocks.push([piece, begin]);
    const order = [...blocks.filter((_, i) => i % 2 === 1), ...blocks.filter((_, i) => i % 2 === 0)];
    await Promise.all(order.map(([piece, begin]) => {
      const at = piece * 32_768 + begin;
      return s.writeBlock(piece, begin, t.content.subarray(at, Math.min(at + BLOCK_LENGTH, (piece + 1) * 32_768, t.content.length)));
    }));
    await expect(s.readBlock(0, 0, 100), 'nothing is verified yet: nothing may be uploaded').rejects.toBeInstanceOf(RangeError);

    expect([await s.verifyPiece(0), await s.verifyPiece(1), await s.verifyPiece(2)]).toEqual([true, true, true]);
    expect({ have: s.have.toString(), complete: s.have.complete, left: s.left }).toEqual({ have: '111', complete: true, left: 0 });
    expect(await s.readBlock(1, 1_000, BLOCK_LENGTH), 'a block from a.txt into sub/c.dat').toEqual(t.content.subarray(33_768, 33_768 + BLOCK_LENGTH));
    expect(await s.readBlock(2, 13_000, 464), 'the end of the last piece').toEqual(t.content.subarray(78_536));
    await expect(s.readBlock(2, 13_000, 1_000), 'bytes past the end of the piece').rejects.toBeInstanceOf(RangeError);
    await expect(s.writeBlock(5, 0, Buffer.alloc(10)), 'a piece that does not exist').rejects.toBeInstanceOf(RangeError);
    await s.close();
    for (const rel of ['a.txt', 'sub/c.dat', 'sub/z.txt']) {
      const file = rel.split('/');
      expect(sha1(await readFile(path.join(dl, 'album', ...file))).toString('hex'), `${rel} on disk`).toBe(sha1(await readFile(path.join(t.seedDir, 'album', ...file))).toString('hex'));
    }
  });

  test('a piece that fails its SHA-1 is not marked and can be written again', async () => {
    const t = await album();
    const s = await store(t.metainfo, path.join(temp.dir, 'dl'));
    const bad = Buffer.from(t.content);
    bad[32_768 + 20_000]! ^= 0x01; // one bit, in the second block of piece 1
    await writePiece(s, bad, 1);
    expect(await s.verifyPiece(1), 'one flipped bit').toBe(false);
    expect({ have: s.have.toString(), count: s.have.count, left: s.left }).toEqual({ have: '000', count: 0, left: 79_000 });
    await expect(s.readBlock(1, 0, 100), 'a bad piece is never uploaded').rejects.toBeInstanceOf(RangeError);
    await writePiece(s, t.content, 1);
    expect(await s.verifyPiece(1), 'the same piece, fetched again correctly').toBe(true);
    expect({ have: s.have.toString(), left: s.left }).toEqual({ have: '010', left: 79_000 - 32_768 });
  });

  test('reopening a half-written folder re-checks it and keeps only the good pieces', async () => {
    const t = await album();
    const dl = path.join(temp.dir, 'dl');
    const first = await openPieceStore(t.metainfo, dl);
    await writePiece(first, t.content, 0);
    await writePiece(first, t.content, 2);
    await first.writeBlock(1, 0, t.content.subarray(32_768, 32_768 + BLOCK_LENGTH)); // half of piece 1, then the "crash"
    expect([await first.verifyPiece(0), await first.verifyPiece(2)]).toEqual([true, true]);
    await first.close();

    const progress: [number, number][] = [];
    const again = await store(t.metainfo, dl, (checked, total) => progress.push([checked, total]));
    expect({ have: again.have.toString(), left: again.left }, 'pieces 0 and 2 survive; half a piece is not a piece').toEqual({ have: '101', left: 32_768 });
    expect(progress.at(-1), 'onCheck reports the end of the check').toEqual([3, 3]);
    const counts = progress.map(([checked]) => checked);
    expect(counts, 'onCheck counts up').toEqual([...counts].sort((a, b) => a - b));
    await writePiece(again, t.content, 1);
    expect(await again.verifyPiece(1)).toBe(true);
    expect(again.have.complete).toBe(true);
    await again.close();

    // A file that went missing: the pieces over it are missing, the file is made again.
    await rm(path.join(dl, 'album', 'sub', 'z.txt'));
    const third = await store(t.metainfo, dl);
    expect({ have: third.have.toString(), left: third.left }, 'sub/z.txt holds the end of piece 2').toEqual({ have: '110', left: 79_000 - 65_536 });
    expect((await stat(path.join(dl, 'album', 'sub', 'z.txt'))).size).toBe(9_000);
  });

  test('a complete folder opens as a seed', async () => {
    const t = await album();
    const progress: number[] = [];
    const s = await store(t.metainfo, t.seedDir, (checked) => progress.push(checked));
    expect({ have: s.have.toString(), left: s.left, checked: progress.at(-1) }).toEqual({ have: '111', left: 0, checked: 3 });
    expect(await s.readBlock(2, 0, 13_464), 'the whole last piece').toEqual(t.content.subarray(65_536));
    const single = await makeTorrent(temp.dir, 'song.bin', seededBytes('song', 50_000), 16_384);
    const seed = await store(single.metainfo, single.seedDir);
    expect({ have: seed.have.toString(), left: seed.left }).toEqual({ have: '1111', left: 0 });
  });

  test('refuses file paths that would leave the folder, writing nothing', async () => {
    const dl = path.join(temp.dir, 'dl');
    const base = metainfoFromHashes('album', [100, 100], 16_384, () => Buffer.alloc(20));
    const badPaths = [['..', 'evil.txt'], ['sub', '..', '..', 'evil.txt'], ['/tmp', 'evil.txt'], ['sub', ''], ['a/../../evil.txt'], []];
    for (const bad of badPaths) {
      const m = { ...base, files: [{ path: ['ok.txt'], length: 100 }, { path: bad, length: 100 }] };
      await expect(openPieceStore(m, dl), `path ${JSON.stringify(bad)}`).rejects.toBeInstanceOf(UnsafePathError);
    }
    for (const name of ['..', '', '../evil.txt']) {
      const m = { ...metainfoFromHashes(name, [100], 16_384, () => Buffer.alloc(20)), name };
      await expect(openPieceStore(m, dl), `single-file name ${JSON.stringify(name)}`).rejects.toBeInstanceOf(UnsafePathError);
    }
    expect(await readdir(temp.dir), 'nothing was created, not even the ok file').toEqual([]);
  });

  test('memory and disk stay bounded over a sparse multi-GiB file', async () => {
    const GiB = 2 ** 30;
    const pieceLength = 1 << 20;
    const lengths = [3 * GiB + 500_000, 2 * GiB + 12_345]; // piece 3072 starts in the first file and ends in the second
    const total = lengths[0]! + lengths[1]!;
    const last = Math.ceil(total / pieceLength) - 1;
    const chosen = [0, 3072, last];
    const data = new Map(chosen.map((i) => [i, randomBytes(Math.min(pieceLength, total - i * pieceLength))]));
    const zeros = sha1(Buffer.alloc(pieceLength));
    const m = metainfoFromHashes('big', lengths, pieceLength, (i) => (data.has(i) ? sha1(data.get(i)!) : zeros));
    const dl = path.join(temp.dir, 'dl');

    const reads = readingCounter();
    const rssBefore = process.memoryUsage().rss;
    const s = await store(m, dl);
    expect(s.left).toBe(total);
    for (const i of chosen) {
      const piece = data.get(i)!;
      for (let begin = 0; begin < piece.length; begin += BLOCK_LENGTH) await s.writeBlock(i, begin, piece.subarray(begin, begin + BLOCK_LENGTH));
      expect(await s.verifyPiece(i), `piece ${i}`).toBe(true);
    }
    expect(await s.readBlock(3072, 1_000_000, 48_576), 'the end of the piece that spans both files').toEqual(data.get(3072)!.subarray(1_000_000));
    expect(s.left).toBe(total - 2 * pieceLength - data.get(last)!.length);
    const readBytes = reads.bytesRead();
    const rssGrowth = process.memoryUsage().rss - rssBefore;

    if (readBytes !== undefined) expect(readBytes, 'bytes read (the pieces written are 3 MiB; the files 5 GiB)').toBeLessThan(64 * 2 ** 20);
    expect(rssGrowth, 'resident memory growth in bytes').toBeLessThan(256 * 2 ** 20);
    const first = await stat(path.join(dl, 'big', 'file-0.bin'));
    expect(first.size, 'made at full size').toBe(lengths[0]);
    if (await filesystemMakesSparseFiles(temp.dir)) {
      expect(first.blocks * 512, 'bytes allocated on disk: the file must be sparse, not filled with zeros').toBeLessThan(64 * 2 ** 20);
    }
  });
});

/** True where a file extended by truncate takes no disk space (ext4, xfs, apfs, tmpfs; not FAT). */
async function filesystemMakesSparseFiles(dir: string): Promise<boolean> {
  const probe = path.join(dir, 'sparse-probe');
  const handle = await open(probe, 'w');
  try {
    await handle.truncate(64 * 2 ** 20);
    return (await handle.stat()).blocks * 512 < 2 ** 20;
  } finally {
    await handle.close();
    await rm(probe);
  }
}

// ---------------------------------------------------------------------------

/** Bytes that UTF-8 would mangle and characters a URL gives meaning to (`%`, `&`, `=`, `+`, space, `?`). */
const INFO_HASH = Buffer.from([0x00, 0x7f, 0x80, 0xe9, 0xff, 0x20, 0x25, 0x26, 0x3d, 0x2b, 0x41, 0x7e, 0x2d, 0x2e, 0x5f, 0x30, 0x39, 0x7a, 0x0a, 0x3f]);
const PEER_ID = Buffer.concat([Buffer.from('-WL0100-'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x01])]);

function params(fields: Partial<AnnounceParams> = {}): AnnounceParams {
  return { infoHash: INFO_HASH, peerId: PEER_ID, port: 6881, uploaded: 0, downloaded: 0, left: 1000, event: 'started', ...fields };
}

/** Six compact bytes per peer. */
function compact(...peers: [string, number][]): Buffer {
  return Buffer.concat(peers.map(([host, port]) => Buffer.from([...host.split('.').map(Number), port >> 8, port & 0xff])));
}

function client(options: Partial<Parameters<typeof startTrackerClient>[0]> & { announceUrl: string }): TrackerClient {
  const c = startTrackerClient({ infoHash: INFO_HASH, peerId: PEER_ID, port: 6881, stats: () => ({ uploaded: 0, downloaded: 0, left: 1000 }), onPeers: () => {}, ...options });
  track({ close: () => c.stop() });
  return c;
}

const isConnect = (r: SeenUdpRequest) => r.kind === 'connect';
const isAnnounce = (r: SeenUdpRequest) => r.kind === 'announce';
/**
 * Checks that the k-th event came no sooner than `expected[k]` ms after `start`
 * (less 20 %: a loaded machine's timers may fire a little early). Measured from
 * one start, not between events: a late arrival must not make the next gap look short.
 */
function notSooner(what: string, start: number, times: number[], expected: number[]): void {
  const floor = expected.map((ms) => Math.floor(ms * 0.8));
  const after = times.map((t) => t - start);
  expect(after.map((ms, i) => Math.min(ms, floor[i] ?? 0)), `${what}: ms after the start ${after.join(', ')}; wanted about ${expected.join(', ')}`).toEqual(floor.slice(0, after.length));
}

describe('step 2: the tracker client', () => {
  test('HTTP: the query carries info_hash and peer_id percent-encoded byte by byte', async ({ transcript }) => {
    const tracker = track(await startFakeHttpTracker(transcript));
    tracker.answer = () => ({ interval: 900, peers: compact(['1.2.3.4', 6881]) });
    const answer = await announce(tracker.url, params({ uploaded: 1, downloaded: 2, left: 3, numWant: 25 }), { timeoutMs: 3000 });
    expect(answer).toMatchObject({ intervalSeconds: 900, peers: [{ host: '1.2.3.4', port: 6881 }] });
    const [seen] = tracker.announces;
    expect(seen!.params.get('info_hash'), `info_hash in ${seen!.rawQuery}`).toEqual(INFO_HASH);
    expect(seen!.params.get('peer_id'), `peer_id in ${seen!.rawQuery}`).toEqual(PEER_ID);
    const text = (name: string) => seen!.params.get(name)?.toString('latin1');
    expect({ port: text('port'), uploaded: text('uploaded'), downloaded: text('downloaded'), left: text('left'), compact: text('compact'), event: text('event'), numwant: text('numwant') })
      .toEqual({ port: '6881', uploaded: '1', downloaded: '2', left: '3', compact: '1', event: 'started', numwant: '25' });

    await announce(`${tracker.url}?passkey=abc`, params({ event: 'none' }), { timeoutMs: 3000 });
    const second = tracker.announces[1]!;
    expect(second.rawQuery.slice(0, 12), 'a URL with a query keeps it').toBe('passkey=abc&');
    expect(second.params.get('info_hash')).toEqual(INFO_HASH);
    expect(second.params.get('event')?.toString() ?? '', 'a regular announce has no event (or an empty one)').toBe('');
  });

  test('HTTP: reads compact and dictionary peers, failure reason and warning', async ({ transcript }) => {
    const tracker = track(await startFakeHttpTracker(transcript));
    tracker.answer = () => ({ interval: 60, complete: 3, incomplete: 4, peers: [{ ip: '10.0.0.1', port: 7000, 'peer id': PEER_ID }, { ip: '10.0.0.2', port: 7001 }] });
    expect(await announce(tracker.url, params(), { timeoutMs: 3000 })).toEqual({
      intervalSeconds: 60, seeders: 3, leechers: 4, peers: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }],
    });
    tracker.answer = () => ({ 'warning message': 'slow down', interval: 30, peers: compact(['127.0.0.1', 51413], ['192.168.1.20', 65535]) });
    expect((await announce(tracker.url, params(), { timeoutMs: 3000 })).peers, 'a warning is not a failure').toEqual([
      { host: '127.0.0.1', port: 51413 }, { host: '192.168.1.20', port: 65535 },
    ]);
    tracker.answer = () => ({ 'failure reason': 'unregistered torrent' });
    const refused = await announce(tracker.url, params(), { timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrackerFailureError);
    expect((refused as TrackerFailureError).reason).toBe('unregistered torrent');
  });

  test('UDP: connects with the protocol id, then announces at the BEP 15 offsets', async ({ transcript }) => {
    const peers = [{ host: '10.1.2.3', port: 51413 }, { host: '127.0.0.1', port: 6881 }];
    const tracker = track(await startFakeUdpTracker(transcript, { interval: 120, leechers: 5, seeders: 7, peers }));
    const big = 2 ** 33 + 5; // past 32 bits: the counters are int64
    const answer = await announce(tracker.url, params({ uploaded: big, downloaded: 1234, left: 99, numWant: 30 }), { timeoutMs: 3000 });
    expect(answer).toEqual({ intervalSeconds: 120, leechers: 5, seeders: 7, peers });
    const [connect, first] = tracker.requests;
    expect({ kind: connect!.kind, length: connect!.length }, 'a 16-byte connect with the protocol id 0x41727101980').toEqual({ kind: 'connect', length: 16 });
    expect(first).toMatchObject({ kind: 'announce', length: 98, infoHash: INFO_HASH, peerId: PEER_ID, downloaded: 1234n, left: 99n, uploaded: BigInt(big), event: 'started', numWant: 30, port: 6881 });
    expect(first!.connectionId, 'the connection id from the connect answer').toEqual(tracker.issued[0]);
    for (const event of ['completed', 'stopped', 'none'] as const) await announce(tracker.url, params({ event }), { timeoutMs: 3000 });
    const announces = tracker.requests.filter(isAnnounce);
    expect(announces.map((a) => a.event)).toEqual(['started', 'completed', 'stopped', 'none']);
    expect(announces[3]!.numWant, 'num_want -1: the tracker chooses').toBe(-1);
  });

  test('UDP: resends on the 15·2^n schedule when datagrams are lost, then gives up', async ({ transcript }) => {
    const lossy = track(await startFakeUdpTracker(transcript, { dropNext: 2, peers: [{ host: '10.0.0.9', port: 9 }] }));
    const t0 = Date.now();
    const answer = await announce(lossy.url, params(), { timeoutMs: 5000, udpRetryBaseMs: 60 });
    expect(answer.peers).toEqual([{ host: '10.0.0.9', port: 9 }]);
    const connects = lossy.requests.filter(isConnect);
    expect(connects.length, 'two connects lost, the third answered').toBe(3);
    // Waits of 60 then 120 ms; resending every 60 ms would send the third at 120.
    notSooner('connects', t0, connects.map((c) => c.at), [0, 60, 180]);

    const down = track(await startFakeUdpTracker(undefined, { silent: true }));
    const t1 = Date.now();
    const failure = await announce(down.url, params(), { timeoutMs: 10_000, udpRetryBaseMs: 15, udpMaxRetries: 3 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(down.requests.length, 'one datagram and 3 resends, then give up').toBe(4);
    notSooner('a silent tracker', t1, down.requests.map((r) => r.at), [0, 15, 45, 105]);

    const started = Date.now();
    const late = await announce(down.url, params(), { timeoutMs: 200, udpRetryBaseMs: 100 }).catch((e: unknown) => e);
    expect(late, 'the time limit ends the resends').toBeInstanceOf(TimeoutError);
    expect(Date.now() - started, 'ms taken with a limit of 200').toBeLessThan(2500);
  });

  test('UDP: ignores wrong transaction ids and answers from elsewhere', async ({ transcript }) => {
    const peers = [{ host: '10.9.8.7', port: 6000 }];
    const tracker = track(await startFakeUdpTracker(transcript, { wrongTransactionIdFirst: true, forgeFromElsewhere: true, peers }));
    const answer = await announce(tracker.url, params(), { timeoutMs: 3000, udpRetryBaseMs: 1000 });
    expect(answer.peers, 'the peers of the answer with OUR transaction id').toEqual(peers);
    const first = tracker.requests.find(isAnnounce);
    expect(first?.connectionId.toString('hex'), 'the connection id of the real connect answer (not dd… nor a stranger\'s ee…)').toBe(tracker.issued[0]?.toString('hex'));
  });

  test('UDP: an error answer is a TrackerFailureError; a connection id lasts a minute', async ({ transcript }) => {
    const tracker = track(await startFakeUdpTracker(transcript));
    let clock = 1_000_000;
    const session = track(new UdpTrackerSession(tracker.url, () => clock));
    await announce(tracker.url, params(), { udpSession: session, timeoutMs: 3000 });
    clock += 30_000;
    await announce(tracker.url, params({ event: 'none' }), { udpSession: session, timeoutMs: 3000 });
    expect(tracker.requests.map((r) => r.kind), '30 s later the connection id is reused').toEqual(['connect', 'announce', 'announce']);
    clock += 31_000;
    await announce(tracker.url, params({ event: 'none' }), { udpSession: session, timeoutMs: 3000 });
    expect(tracker.requests.map((r) => r.kind), '61 s after the connect: connect again').toEqual(['connect', 'announce', 'announce', 'connect', 'announce']);
    expect(tracker.requests[4]!.connectionId).toEqual(tracker.issued[1]);

    tracker.script.error = 'torrent not registered';
    const refused = await announce(tracker.url, params(), { udpSession: session, timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrackerFailureError);
    expect((refused as TrackerFailureError).reason).toBe('torrent not registered');
  });

  test('client: started at once, re-announces at the interval, completed once, stopped', async ({ transcript }) => {
    const tracker = track(await startFakeHttpTracker(transcript));
    tracker.answer = () => ({ interval: 2, peers: compact(['10.0.0.1', 7000]) });
    let uploaded = 0;
    let left = 5000;
    const heard: PeerAddress[][] = [];
    const errors: Error[] = [];
    const t0 = Date.now();
    const c = client({
      announceUrl: tracker.url, intervalUnitMs: 25, timeoutMs: 2000,
      stats: () => ({ uploaded: (uploaded += 100), downloaded: 0, left }), onPeers: (p) => heard.push(p), onError: (e) => errors.push(e),
    });
    const regular = await tracker.waitForAnnounces(3);
    expect(regular.map((a) => a.event)).toEqual(['started', 'none', 'none']);
    notSooner('announces with an interval of 2 × 25 ms', t0, regular.map((a) => a.at), [0, 50, 100]);
    expect(regular.map((a) => a.params.get('uploaded')?.toString()), 'stats are read at every announce').toEqual(['100', '200', '300']);
    expect(heard[0]).toEqual([{ host: '10.0.0.1', port: 7000 }]);

    left = 0;
    c.completed();
    c.completed();
    const [done] = await tracker.waitFor(1, (a) => a.event === 'completed');
    expect(done!.params.get('left')?.toString(), 'completed reports left=0').toBe('0');
    await tracker.waitFor(1, (a) => a.index > done!.index);
    await c.stop();
    const events = tracker.announces.map((a) => a.event);
    expect(events.filter((e) => e === 'completed'), `completed once: ${events.join(', ')}`).toHaveLength(1);
    expect(events.filter((e) => e === 'started'), `started once: ${events.join(', ')}`).toHaveLength(1);
    expect(events.at(-1)).toBe('stopped');
    const count = tracker.announces.length;
    await expect(tracker.waitForAnnounces(count + 1, 150), 'nothing after stopped').rejects.toThrow(/timed out/);
    expect(errors).toEqual([]);

    const t1 = Date.now();
    const polite = client({ announceUrl: tracker.url, intervalUnitMs: 1, minIntervalMs: 150 });
    const two = await tracker.waitForAnnounces(count + 2);
    notSooner('the tracker asks for 1 ms; minIntervalMs says 150', t1, two.slice(-2).map((a) => a.at), [0, 150]);
    await polite.stop();
  });

  test('client: a tracker that is down costs only time', async ({ transcript }) => {
    const http = track(await startFakeHttpTracker(transcript));
    http.mode = 'reset';
    const errors: Error[] = [];
    const heard: PeerAddress[][] = [];
    const news = new Waiter();
    const c = client({
      announceUrl: http.url, retryAfterMs: 40, timeoutMs: 1000,
      onError: (e) => (errors.push(e), news.changed()), onPeers: (p) => (heard.push(p), news.changed()),
    });
    await news.until(() => (errors.length >= 2 ? errors : undefined), 5000, () => `onError twice (a failed try, then another after retryAfterMs); got ${errors.length}`);
    expect(errors[0]).toBeInstanceOf(Error);
    http.mode = 'answer';
    http.answer = () => ({ interval: 1800, peers: compact(['10.0.0.3', 7003]) });
    const [back] = await http.waitForAnnounces(1);
    expect(back!.event, 'started was never taken: it goes out again').toBe('started');
    await news.until(() => heard[0], 3000, () => 'onPeers with the answer to started');
    await c.announceNow();
    expect(http.announces.map((a) => a.event), 'announceNow announces at once').toEqual(['started', 'none']);
    expect(heard.at(-1)).toEqual([{ host: '10.0.0.3', port: 7003 }]);

    const udp = track(await startFakeUdpTracker(undefined, { silent: true }));
    const udpErrors: Error[] = [];
    client({ announceUrl: udp.url, retryAfterMs: 30, timeoutMs: 150, udpRetryBaseMs: 20, onError: (e) => udpErrors.push(e) });
    await udp.waitFor(4, isConnect);
    udp.script.silent = false;
    const [started] = await udp.waitFor(1, (r) => r.kind === 'announce' && r.fate === 'answered');
    expect(started!.event).toBe('started');
    expect(udpErrors[0], 'a silent UDP tracker is a time-out').toBeInstanceOf(TimeoutError);
  });

  test('client: stop() is bounded when the tracker is down and never rejects', async ({ transcript }) => {
    const udp = track(await startFakeUdpTracker(transcript, { interval: 1800 }));
    const c = client({ announceUrl: udp.url, timeoutMs: 300, udpRetryBaseMs: 50, onError: () => {} });
    await udp.waitFor(1, (r) => r.kind === 'announce' && r.fate === 'answered');
    udp.script.silent = true;
    const started = Date.now();
    await expect(c.stop()).resolves.toBeUndefined();
    expect(Date.now() - started, 'ms stop() took with a time limit of 300').toBeLessThan(3000);
    expect(udp.requests.filter(isAnnounce).map((r) => r.event), 'stopped was sent (and resent) all the same').toContain('stopped');

    const http = track(await startFakeHttpTracker());
    const h = client({ announceUrl: http.url, timeoutMs: 300 });
    await http.waitForAnnounces(1);
    http.mode = 'reset';
    await expect(h.stop()).resolves.toBeUndefined();
  });
});
