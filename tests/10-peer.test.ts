/**
 * Exercise 10: a chunk-swapping BitTorrent peer.
 *
 * Step 1, the piece store, is judged on disk: torrents made by the npm
 * create-torrent (hashes computed by someone else), files compared byte for
 * byte, a sparse multi-GiB file to show memory and reads stay bounded.
 * Step 2, the tracker client, is judged by fake trackers written from the
 * BEPs in tests/helpers/ (an HTTP one answering with the npm `bencode`, a
 * scripted BEP 15 responder that drops, lies and refuses on cue).
 * Steps 3 and 4: the bitfield, the wire and the session are judged without
 * sockets, against bytes built here at BEP 3's offsets. Steps 5 to 7: small
 * swarms run on loopback, with scripted peers written from the spec
 * (tests/helpers/peer-wire-judge.ts) that lie, stall, leave and cancel, and
 * with the `bittorrent-protocol` package from npm at the other end. Torrents
 * are made by `create-torrent` and read by `bencode`, not by exercise 08.
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

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import bencode from 'bencode';
import fc from 'fast-check';
import { Bitfield, BitfieldError } from '@impl/10-peer/bitfield.ts';
import { encodeHandshake, parseHandshake } from '@impl/10-peer/handshake.ts';
import {
  encodeBitfield,
  encodeCancel,
  encodeChoke,
  encodeHave,
  encodeInterested,
  encodeKeepAlive,
  encodeNotInterested,
  encodePiece,
  encodePort,
  encodeRequest,
  encodeUnchoke,
  type WireMessage,
} from '@impl/10-peer/wire-messages.ts';
import { WireDecoder } from '@impl/10-peer/wire-decoder.ts';
import { WireError } from '@impl/10-peer/wire-error.ts';
import {
  cancelRequest,
  initialSession,
  receive,
  requestBlocks,
  setChoking,
  setInterested,
  takeUpload,
  type SessionAction,
  type SessionContext,
  type SessionState,
} from '@impl/10-peer/session.ts';
import { startPeer } from '@impl/10-peer/peer.ts';
import type { Peer, PeerEvent, PeerOptions } from '@impl/10-peer/peer-types.ts';
import { startTcpChunkProxy } from '../lib/faults/tcp-proxy.ts';
import { peerWireDecoder } from '../lib/transcript/peer-wire.ts';
import { makeTorrent as makeSwarmTorrent, type TestTorrent as SwarmTorrent } from './helpers/peer-torrent.ts';
import { digestsIn, EventLog, expectedDigests, gateLimiter, waitUntil, within } from './helpers/peer-swarm.ts';
import {
  BLOCK,
  ID,
  WireJudge,
  handshakeBytes,
  judgePeerId,
  listenJudge,
  playSeed,
  u32,
  wireMessage,
  type JudgeServer,
  type ScriptedSeedOptions,
} from './helpers/peer-wire-judge.ts';
import type { Transcript } from '../lib/transcript/transcript.ts';
import { downloadWithBittorrentProtocol, seedWithBittorrentProtocol } from './helpers/peer-bittorrent-protocol.ts';

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
  'a bitfield reads and writes the wire bytes, high bit first': 2,
  'encodes every message at the offsets of BEP 3': 3,
  'parses a handshake and refuses bytes that are not one': 1,
  'decodes every message back, however the bytes are split': 3,
  'refuses an impossible length before buffering the body': 2,
  'reads port and unknown ids, skips them, and goes on': 1,
  'accepts our torrent, drops another info_hash and our own peer_id': 2,
  'takes a bitfield only as the first message, and only a right one': 2,
  'drops a have past the last piece': 1,
  'writes only the blocks we asked for': 2,
  'answers good requests and refuses bad ones, then drops a peer that keeps asking wrong': 3,
  'honours cancel, and forgets their requests when choking them': 1,
  'choke, unchoke, interest: sent on change only; a choke loses our requests': 2,
  'a seed and three leechers end with byte-identical files': 4,
  'a multi-file torrent whose pieces span files arrives byte-identical': 3,
  'a leecher uploads to another leecher before it is complete': 3,
  'restarted on a half-downloaded folder, it fetches only what is missing': 3,
  'finds its peers through the tracker, and tells it started, completed and stopped': 2,
  'a peer that sends corrupt blocks is dropped, and the download still completes': 3,
  'a peer that leaves mid-piece: its blocks are fetched elsewhere': 2,
  'requests a stalled peer does not answer go to another peer': 2,
  'drops a handshake for another torrent, and one carrying our own peer_id': 2,
  'drops a second connection from the same peer_id': 1,
  'garbage first bytes or an impossible length cost only that connection': 2,
  'answers no bad request, and drops a peer that keeps sending them': 2,
  'a cancelled request is not uploaded': 2,
  'bittorrent-protocol downloads every piece from our seed': 3,
  'our peer downloads every piece from bittorrent-protocol': 3,
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


// ---------------------------------------------------------------------------
// Steps 3 to 7: the wire, the session and the peer


/** Swarm tests take well under a second on a quiet machine; this is the bound on a busy one. */
const SWARM_MS = 20_000;
const WAIT_MS = 8_000;

// ---------------------------------------------------------------- helpers

/** A message of the decoder shown as one line, so failures read like a transcript. */
function show(m: WireMessage): string {
  switch (m.type) {
    case 'handshake':
      return `handshake ${Buffer.from(m.infoHash).toString('hex')} ${Buffer.from(m.peerId).toString('latin1')} ${Buffer.from(m.reserved).toString('hex')}`;
    case 'have':
      return `have ${m.index}`;
    case 'bitfield':
      return `bitfield ${Buffer.from(m.bytes).toString('hex')}`;
    case 'request':
    case 'cancel':
      return `${m.type} ${m.index} ${m.begin} ${m.length}`;
    case 'piece':
      return `piece ${m.index} ${m.begin} ${m.block.length}:${createHash('sha1').update(m.block).digest('hex').slice(0, 8)}`;
    case 'port':
      return `port ${m.port}`;
    case 'unknown':
      return `unknown ${m.id} ${m.size}`;
    default:
      return m.type;
  }
}

const infoHash = Buffer.from('5fb2a1c0d3e4f5061728394a5b6c7d8e9fa0b1c2', 'hex');
const ourId = Buffer.from('-WL0100-ourselves0001');
const theirId = Buffer.from('-qB4650-theirs000001');

/** A 10-piece torrent: 32 KiB pieces, the last one 5000 bytes; we have pieces 0, 1 and 9. */
function sessionContext(): SessionContext {
  const have = new Bitfield(10);
  for (const i of [0, 1, 9]) have.set(i);
  return { infoHash, peerId: ourId.subarray(0, 20), pieceCount: 10, pieceLength: (i) => (i === 9 ? 5000 : 32_768), have };
}

/** A session past the handshake (and optionally unchoked by us / by them). */
function connected(context: SessionContext, { weUnchoke = false, theyUnchoke = false } = {}): SessionState {
  let state = receive(initialSession(10), { type: 'handshake', reserved: Buffer.alloc(8), infoHash, peerId: theirId.subarray(0, 20) }, context).next;
  if (weUnchoke) state = setChoking(state, false).next;
  if (theyUnchoke) state = receive(state, { type: 'unchoke' }, context).next;
  return state;
}

const kinds = (actions: readonly SessionAction[]): string[] =>
  actions.map((a) => (a.kind === 'send' ? `send ${a.message.type}` : a.kind === 'drop' ? `drop ${a.reason}` : a.kind));

/** Starts one of our peers, closed after the test; no tracker. */
async function ourPeer(torrent: SwarmTorrent, dir: string, options: Partial<PeerOptions> = {}): Promise<Peer> {
  return track(await startPeer({ metainfo: torrent.metainfo, dir, announce: false, seed: dir, ...options }));
}

/** A seed: its folder holds the files. */
function seedDir(): string {
  return path.join(temp.dir, 'seed');
}

const address = (p: { host: string; port: number }) => ({ host: p.host, port: p.port });

/** Checks that every file under `dir` is byte-identical to the torrent's, marking the transcript if not. */
async function expectComplete(dir: string, torrent: SwarmTorrent, transcript?: { expect(note: string): void }): Promise<void> {
  const got = await digestsIn(dir, torrent);
  const want = expectedDigests(torrent);
  if (JSON.stringify(got) !== JSON.stringify(want)) transcript?.expect(`expected the files under ${path.basename(dir)} to be byte-identical to the torrent's`);
  expect(got, `SHA-1 of each file under ${path.basename(dir)}`).toEqual(want);
}

/** A scripted seed (tests/helpers/peer-wire-judge.ts) of `torrent`, listening; its first connection is recorded. */
async function scriptedSeed(torrent: SwarmTorrent, options: Omit<ScriptedSeedOptions, 'infoHash' | 'pieceLength' | 'bytes'> = {}, transcript?: Transcript): Promise<JudgeServer> {
  const { infoHash: hash, pieceLength } = torrent.metainfo;
  return track(await listenJudge((judge) => playSeed(judge, { infoHash: hash, pieceLength, bytes: torrent.bytes, ...options }), transcript));
}

/** After a peer misbehaved: an honest seed of ours joins, and the leecher (in `leecher/`) must finish right. */
async function finishFromOurSeed(torrent: SwarmTorrent, leecher: Peer, transcript: Transcript): Promise<void> {
  const seed = await ourPeer(torrent, seedDir());
  await leecher.connect(address(seed));
  await within(leecher.whenComplete(), WAIT_MS, 'the leecher to complete from the honest seed', transcript);
  await expectComplete(path.join(temp.dir, 'leecher'), torrent, transcript);
}

// ---------------------------------------------------------------- step 3

describe('step 3: the bitfield and the wire (no sockets)', () => {
  test('a bitfield reads and writes the wire bytes, high bit first', () => {
    const field = Bitfield.fromBytes(Uint8Array.from([0b10110000, 0b10000000]), 10);
    expect(field.toString()).toBe('1011000010');
    expect([0, 1, 2, 3, 8, 9, 10, -1].map((i) => field.has(i))).toEqual([true, false, true, true, true, false, false, false]);
    expect(field.count).toBe(4);
    field.set(1);
    field.set(9);
    field.clear(0);
    expect(Buffer.from(field.toBytes()).toString('hex')).toBe('70c0');
    expect([field.count, field.complete]).toEqual([5, false]);
    expect(Bitfield.full(10).complete).toBe(true);
    expect(Buffer.from(Bitfield.full(10).toBytes()).toString('hex')).toBe('ffc0');
    expect(() => field.set(10)).toThrow(RangeError);
    const refused = (bytes: number[], size: number) => {
      try {
        Bitfield.fromBytes(Uint8Array.from(bytes), size);
        return 'accepted';
      } catch (error) {
        return error instanceof BitfieldError ? error.reason : String(error);
      }
    };
    expect(refused([0xff], 10)).toBe('wrong-length');
    expect(refused([0xff, 0xc0, 0x00], 10)).toBe('wrong-length');
    expect(refused([0xff, 0xe0], 10)).toBe('spare-bits-set');
    expect(refused([0xff, 0xc0], 10)).toBe('accepted');
  });

  test('encodes every message at the offsets of BEP 3', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(encodeKeepAlive())).toBe('00000000');
    expect(hex(encodeChoke())).toBe('0000000100');
    expect(hex(encodeUnchoke())).toBe('0000000101');
    expect(hex(encodeInterested())).toBe('0000000102');
    expect(hex(encodeNotInterested())).toBe('0000000103');
    expect(hex(encodeHave(0x01020304))).toBe('000000050401020304');
    expect(hex(encodeBitfield(Uint8Array.from([0xb0, 0x80])))).toBe('0000000305b080');
    expect(hex(encodeRequest({ index: 3, begin: 16384, length: 16384 }))).toBe('0000000d06000000030000400000004000');
    expect(hex(encodeCancel({ index: 3, begin: 16384, length: 16384 }))).toBe('0000000d08000000030000400000004000');
    expect(hex(encodePiece(7, 32768, Uint8Array.from([0xaa, 0xbb])))).toBe('0000000b07' + '00000007' + '00008000' + 'aabb');
    expect(hex(encodePort(6881))).toBe('00000003091ae1');
    const handshake = encodeHandshake(infoHash, ourId.subarray(0, 20));
    expect(hex(handshake)).toBe(hex(handshakeBytes(infoHash, ourId.subarray(0, 20))));
    expect(handshake.length).toBe(68);
  });

  test('parses a handshake and refuses bytes that are not one', () => {
    const reserved = Buffer.from([0, 0, 0, 0, 0, 0x10, 0, 1]);
    const parsed = parseHandshake(handshakeBytes(infoHash, theirId.subarray(0, 20), reserved));
    expect([parsed.infoHash, parsed.peerId, parsed.reserved].map((b) => Buffer.from(b).toString('hex'))).toEqual([
      infoHash.toString('hex'),
      theirId.subarray(0, 20).toString('hex'),
      reserved.toString('hex'),
    ]);
    const kind = (bytes: Buffer) => {
      try {
        parseHandshake(bytes);
        return 'accepted';
      } catch (error) {
        return error instanceof WireError ? error.kind : String(error);
      }
    };
    const garbage = handshakeBytes(infoHash, theirId.subarray(0, 20));
    garbage[0] = 18;
    expect(kind(garbage)).toBe('not-bittorrent');
    const other = handshakeBytes(infoHash, theirId.subarray(0, 20));
    other.write('BitTorrent protocoX', 1, 'latin1');
    expect(kind(other)).toBe('not-bittorrent');
  });

  test('decodes every message back, however the bytes are split', () => {
    type Spec = [string, Buffer];
    const u32n = fc.integer({ min: 0, max: 0xffff_ffff });
    const spec = fc.oneof(
      fc.constantFrom<Spec>(['keep-alive', Buffer.alloc(4)], ['choke', wireMessage(0)], ['unchoke', wireMessage(1)], ['interested', wireMessage(2)], ['not-interested', wireMessage(3)]),
      u32n.map((i): Spec => [`have ${i}`, wireMessage(ID.have, u32(i))]),
      fc.uint8Array({ minLength: 13, maxLength: 13 }).map((b): Spec => [`bitfield ${Buffer.from(b).toString('hex')}`, wireMessage(ID.bitfield, b)]),
      fc.tuple(fc.boolean(), u32n, u32n, u32n).map(([req, i, b, l]): Spec => [`${req ? 'request' : 'cancel'} ${i} ${b} ${l}`, wireMessage(req ? ID.request : ID.cancel, u32(i, b, l))]),
      fc.tuple(u32n, u32n, fc.uint8Array({ maxLength: BLOCK })).map(([i, b, block]): Spec => [
        `piece ${i} ${b} ${block.length}:${createHash('sha1').update(block).digest('hex').slice(0, 8)}`,
        wireMessage(ID.piece, u32(i, b), block),
      ]),
      fc.integer({ min: 0, max: 65535 }).map((p): Spec => [`port ${p}`, wireMessage(ID.port, Buffer.from([p >> 8, p & 0xff]))]),
      fc.tuple(fc.integer({ min: 10, max: 255 }), fc.integer({ min: 0, max: 3000 })).map(([id, size]): Spec => [`unknown ${id} ${size}`, wireMessage(id, Buffer.alloc(size, 7))]),
    );
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 }), (messages, cuts) => {
        const hello = handshakeBytes(infoHash, theirId.subarray(0, 20));
        const stream = Buffer.concat([hello, ...messages.map(([, bytes]) => bytes)]);
        const decoder = new WireDecoder({ pieceCount: 100 });
        const got: string[] = [];
        for (let at = 0, k = 0; at < stream.length; k++) {
          const n = cuts[k % cuts.length]!;
          for (const m of decoder.push(stream.subarray(at, at + n))) got.push(show(m));
          at += n;
        }
        expect(got).toEqual([`handshake ${infoHash.toString('hex')} ${theirId.subarray(0, 20).toString('latin1')} 0000000000000000`, ...messages.map(([text]) => text)]);
      }),
      { numRuns: 150 },
    );
  });

  test('refuses an impossible length before buffering the body', () => {
    const refusal = (header: Buffer, pieceCount = 100) => {
      const decoder = new WireDecoder({ pieceCount, handshake: false });
      try {
        decoder.push(header);
        return `accepted, ${decoder.bufferedBytes} bytes kept`;
      } catch (error) {
        return error instanceof WireError ? error.kind : String(error);
      }
    };
    expect(refusal(Buffer.from([0xff, 0xff, 0xff, 0xff, ID.piece])), 'a 4 GiB piece').toBe('too-long');
    expect(refusal(Buffer.from([0xff, 0xff, 0xff, 0xff])), 'a 4 GiB length, before its id').toBe('too-long');
    expect(refusal(Buffer.concat([u32(9 + BLOCK + 1), Buffer.from([ID.piece])])), 'a piece one byte over 16 KiB + 9').toBe('too-long');
    expect(refusal(Buffer.concat([u32(9 + BLOCK), Buffer.from([ID.piece])])), 'a full 16 KiB block').toBe('accepted, 0 bytes kept');
    expect(refusal(Buffer.concat([u32(1 + 14), Buffer.from([ID.bitfield])]), 100), 'a 14-byte bitfield for 100 pieces').toBe('too-long');
    expect(refusal(Buffer.concat([u32(1 + 13), Buffer.from([ID.bitfield])]), 100), 'a 13-byte bitfield for 100 pieces').toBe('accepted, 0 bytes kept');
    expect(refusal(Buffer.concat([u32(9), Buffer.from([ID.have])])), 'a have of 9 bytes').toBe('too-long');
    expect(refusal(Buffer.concat([u32(3), Buffer.from([ID.have])])), 'a have of 3 bytes').toBe('bad-length');
    expect(refusal(Buffer.concat([u32(5), Buffer.from([ID.piece])])), 'a piece without its header').toBe('bad-length');
    expect(refusal(Buffer.concat([u32(14), Buffer.from([ID.request])])), 'a request of 14 bytes').toBe('too-long');
    const decoder = new WireDecoder({ pieceCount: 10, handshake: false });
    expect(() => decoder.push(Buffer.from([0x7f, 0, 0, 0, ID.bitfield]))).toThrow(WireError);
    expect(() => decoder.push(wireMessage(ID.unchoke)), 'a decoder that failed stays failed').toThrow(WireError);
  });

  test('reads port and unknown ids, skips them, and goes on', () => {
    const decoder = new WireDecoder({ pieceCount: 10, handshake: false });
    const stream = Buffer.concat([wireMessage(20, Buffer.alloc(100_000, 1)), wireMessage(ID.port, Buffer.from([0x1a, 0xe1])), wireMessage(ID.have, u32(4))]);
    const got: string[] = [];
    let most = 0;
    for (let at = 0; at < stream.length; at += 4096) {
      for (const m of decoder.push(stream.subarray(at, at + 4096))) got.push(show(m));
      most = Math.max(most, decoder.bufferedBytes);
    }
    expect(got).toEqual(['unknown 20 100000', 'port 6881', 'have 4']);
    expect(most, 'bytes kept while skipping a 100 kB unknown message').toBeLessThan(8192);
  });
});

// ---------------------------------------------------------------- step 4

describe('step 4: the session (no sockets)', () => {
  test('accepts our torrent, drops another info_hash and our own peer_id', () => {
    const context = sessionContext();
    const hello = (hash: Buffer, id: Buffer): WireMessage => ({ type: 'handshake', reserved: Buffer.alloc(8), infoHash: hash, peerId: id });
    const good = receive(initialSession(10), hello(infoHash, theirId.subarray(0, 20)), context);
    expect(kinds(good.actions)).toEqual(['handshake']);
    expect(good.next.phase).toBe('bitfield-allowed');
    expect([good.next.amChoking, good.next.amInterested, good.next.peerChoking, good.next.peerInterested]).toEqual([true, false, true, false]);
    expect(kinds(receive(initialSession(10), hello(Buffer.alloc(20, 1), theirId.subarray(0, 20)), context).actions)).toEqual(['drop wrong-info-hash']);
    expect(kinds(receive(initialSession(10), hello(infoHash, ourId.subarray(0, 20)), context).actions)).toEqual(['drop ourselves']);
    expect(kinds(receive(initialSession(10), { type: 'interested' }, context).actions), 'a message before the handshake').toEqual(['drop out-of-order']);
  });

  test('takes a bitfield only as the first message, and only a right one', () => {
    const context = sessionContext();
    const first = receive(connected(context), { type: 'bitfield', bytes: Uint8Array.from([0b1010_0000, 0b0100_0000]) }, context);
    expect(first.actions).toEqual([{ kind: 'peer-has', source: 'bitfield', pieces: [0, 2, 9] }]);
    expect(first.next.peerHas.toString()).toBe('1010000001');
    expect(first.next.phase).toBe('messages');
    expect(kinds(receive(first.next, { type: 'bitfield', bytes: Uint8Array.from([0, 0]) }, context).actions), 'a second bitfield').toEqual(['drop late-bitfield']);
    const afterHave = receive(connected(context), { type: 'have', index: 3 }, context).next;
    expect(kinds(receive(afterHave, { type: 'bitfield', bytes: Uint8Array.from([0, 0]) }, context).actions), 'a bitfield after a have').toEqual(['drop late-bitfield']);
    expect(kinds(receive(connected(context), { type: 'bitfield', bytes: Uint8Array.from([0xff]) }, context).actions), 'a bitfield one byte short').toEqual(['drop bad-bitfield']);
    expect(kinds(receive(connected(context), { type: 'bitfield', bytes: Uint8Array.from([0xff, 0xe0]) }, context).actions), 'spare bits set').toEqual(['drop bad-bitfield']);
    const keepAlive = receive(connected(context), { type: 'keep-alive' }, context).next;
    expect(kinds(receive(keepAlive, { type: 'bitfield', bytes: Uint8Array.from([0xff, 0xc0]) }, context).actions), 'a bitfield after a keep-alive').toEqual(['peer-has']);
  });

  test('drops a have past the last piece', () => {
    const context = sessionContext();
    const have = receive(connected(context), { type: 'have', index: 9 }, context);
    expect(have.actions).toEqual([{ kind: 'peer-has', source: 'have', pieces: [9] }]);
    expect(kinds(receive(have.next, { type: 'have', index: 9 }, context).actions), 'the same have twice').toEqual([]);
    expect(kinds(receive(connected(context), { type: 'have', index: 10 }, context).actions)).toEqual(['drop bad-have']);
  });

  test('writes only the blocks we asked for', () => {
    const context = sessionContext();
    const asked = requestBlocks(connected(context, { theyUnchoke: true }), [{ index: 4, begin: 16384, length: 16384 }]);
    expect(kinds(asked.actions)).toEqual(['send request']);
    const block = new Uint8Array(16384).fill(9);
    const stranger = receive(asked.next, { type: 'piece', index: 4, begin: 0, block }, context);
    expect(kinds(stranger.actions), 'a block never asked for').toEqual([]);
    const wrongSize = receive(asked.next, { type: 'piece', index: 4, begin: 16384, block: block.subarray(0, 100) }, context);
    expect(kinds(wrongSize.actions), 'a block of another length than asked').toEqual([]);
    const got = receive(asked.next, { type: 'piece', index: 4, begin: 16384, block }, context);
    expect(kinds(got.actions)).toEqual(['block']);
    expect(got.next.requested.size).toBe(0);
    expect(kinds(receive(got.next, { type: 'piece', index: 4, begin: 16384, block }, context).actions), 'the same block again').toEqual([]);
  });

  test('answers good requests and refuses bad ones, then drops a peer that keeps asking wrong', () => {
    const context = sessionContext();
    const choked = receive(connected(context), { type: 'request', index: 0, begin: 0, length: 16384 }, context);
    expect(kinds(choked.actions), 'a request while we choke them').toEqual([]);
    let state = connected(context, { weUnchoke: true });
    const good = receive(state, { type: 'request', index: 9, begin: 0, length: 5000 }, context);
    expect(kinds(good.actions)).toEqual(['upload-queued']);
    expect(good.next.uploads).toEqual([{ index: 9, begin: 0, length: 5000 }]);
    state = good.next;
    const bad = [
      { index: 9, begin: 4096, length: 1000 }, // past the end of the last piece (5000 bytes)
      { index: 0, begin: 0, length: 32_768 }, // longer than 16 KiB
      { index: 5, begin: 0, length: 16384 }, // a piece we do not have
      { index: 12, begin: 0, length: 16384 }, // no such piece
    ];
    const outcomes = bad.map((request) => {
      const outcome = receive(state, { type: 'request', ...request }, context);
      state = outcome.next;
      return kinds(outcome.actions).join(',') || 'silence';
    });
    expect(outcomes.slice(0, 3), 'the first three bad requests').toEqual(['silence', 'silence', 'silence']);
    expect(outcomes[3], 'one bad request more').toBe('drop bad-requests');
    expect(state.uploads).toEqual([{ index: 9, begin: 0, length: 5000 }]);
  });

  test('honours cancel, and forgets their requests when choking them', () => {
    const context = sessionContext();
    let state = connected(context, { weUnchoke: true });
    for (const begin of [0, 16384]) state = receive(state, { type: 'request', index: 1, begin, length: 16384 }, context).next;
    state = receive(state, { type: 'cancel', index: 1, begin: 0, length: 16384 }, context).next;
    expect(state.uploads).toEqual([{ index: 1, begin: 16384, length: 16384 }]);
    const taken = takeUpload(state, state.uploads[0]!);
    expect([taken.sent, taken.next.uploads.length]).toEqual([true, 0]);
    state = receive(state, { type: 'request', index: 0, begin: 0, length: 16384 }, context).next;
    const choke = setChoking(state, true);
    expect(kinds(choke.actions)).toEqual(['send choke']);
    expect(choke.next.uploads).toEqual([]);
    expect(takeUpload(choke.next, state.uploads[0]!).sent, 'an upload taken after we choked them').toBe(false);
  });

  test('choke, unchoke, interest: sent on change only; a choke loses our requests', () => {
    const context = sessionContext();
    let state = connected(context);
    const interested = setInterested(state, true);
    expect(kinds(interested.actions)).toEqual(['send interested']);
    expect(kinds(setInterested(interested.next, true).actions)).toEqual([]);
    state = interested.next;
    expect(kinds(requestBlocks(state, [{ index: 2, begin: 0, length: 16384 }]).actions), 'requests while they choke us').toEqual([]);
    const unchoked = receive(state, { type: 'unchoke' }, context);
    expect(kinds(unchoked.actions)).toEqual(['unchoked']);
    const blocks = [{ index: 2, begin: 0, length: 16384 }, { index: 2, begin: 16384, length: 16384 }];
    const asked = requestBlocks(unchoked.next, blocks);
    expect(kinds(asked.actions)).toEqual(['send request', 'send request']);
    expect(kinds(requestBlocks(asked.next, blocks).actions), 'the same blocks again').toEqual([]);
    const cancelled = cancelRequest(asked.next, 2, 0);
    expect(cancelled.actions).toEqual([{ kind: 'send', message: { type: 'cancel', index: 2, begin: 0, length: 16384 } }]);
    const choked = receive(asked.next, { type: 'choke' }, context);
    expect(choked.actions).toEqual([{ kind: 'requests-lost', blocks }]);
    expect([choked.next.peerChoking, choked.next.requested.size]).toEqual([true, 0]);
    expect(kinds(receive(choked.next, { type: 'interested' }, context).actions)).toEqual(['interest-changed']);
    expect(kinds(setChoking(connected(context), true).actions), 'choking a peer already choked').toEqual([]);
  });
});

// ---------------------------------------------------------------- step 5

describe('step 5: a swarm on loopback', () => {
  test(
    'a seed and three leechers end with byte-identical files',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'song.ogg', sizes: 150_000, pieceLength: 32_768 });
      const seed = await ourPeer(torrent, seedDir());
      expect(seed.complete, 'a peer started on complete files is a seed').toBe(true);
      // Leecher 1 reaches the seed through a proxy that records the dialogue and splits it into small reads.
      const proxy = track(await startTcpChunkProxy({ target: address(seed), seed: 'split', maxChunk: 97, minChunk: 1, transcript }));
      transcript.decoder = peerWireDecoder;
      const l1 = await ourPeer(torrent, path.join(temp.dir, 'l1'), { peers: [address(proxy)] });
      const l2 = await ourPeer(torrent, path.join(temp.dir, 'l2'), { peers: [address(seed), address(l1)] });
      const l3 = await ourPeer(torrent, path.join(temp.dir, 'l3'), { peers: [address(seed), address(l1), address(l2)] });
      for (const [name, leecher] of [['leecher 1', l1], ['leecher 2', l2], ['leecher 3', l3]] as const) {
        await within(leecher.whenComplete(), WAIT_MS, `${name} to verify every piece`, transcript);
      }
      for (const name of ['l1', 'l2', 'l3']) await expectComplete(path.join(temp.dir, name), torrent, transcript);
      expect(l1.snapshot().verified).toBe(5);
    },
    SWARM_MS,
  );

  test(
    'a multi-file torrent whose pieces span files arrives byte-identical',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), {
        name: 'album',
        sizes: { '01-intro.flac': 20_000, 'cover/front.jpg': 3, 'cover/back.jpg': 40_000, '02-song.flac': 35_000 },
        pieceLength: 16_384,
      });
      expect(torrent.metainfo.files.length).toBe(4);
      const seed = await ourPeer(torrent, seedDir());
      const judged = await WireJudge.connect(address(seed), transcript); // records what the seed says to a newcomer
      judged.send(handshakeBytes(torrent.metainfo.infoHash, judgePeerId('watcher')));
      const l1 = await ourPeer(torrent, path.join(temp.dir, 'l1'), { peers: [address(seed)] });
      const l2 = await ourPeer(torrent, path.join(temp.dir, 'l2'), { peers: [address(seed), address(l1)] });
      await within(Promise.all([l1.whenComplete(), l2.whenComplete()]), WAIT_MS, 'both leechers to verify every piece', transcript);
      await judged.readHandshake();
      await judged.until((m) => m.id === ID.bitfield);
      await expectComplete(path.join(temp.dir, 'l1'), torrent, transcript);
      await expectComplete(path.join(temp.dir, 'l2'), torrent, transcript);
    },
    SWARM_MS,
  );

  test(
    'a leecher uploads to another leecher before it is complete',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'talk.mp4', sizes: 8 * 16_384, pieceLength: 16_384 });
      // A scripted seed with only the first half, until the test gives it the rest.
      let half = true;
      const has = (i: number) => !half || i < 4;
      let toA: WireJudge | undefined;
      const source = track(await listenJudge((judge) => {
        toA = judge;
        return playSeed(judge, { infoHash: torrent.metainfo.infoHash, pieceLength: 16_384, bytes: torrent.bytes, has });
      }));
      const a = await ourPeer(torrent, path.join(temp.dir, 'a'), { peers: [address(source)] });
      const bLog = new EventLog<PeerEvent>();
      // B knows only A: every piece B gets comes from a leecher.
      const proxy = track(await startTcpChunkProxy({ target: address(a), seed: 1, transcript }));
      transcript.decoder = peerWireDecoder;
      const b = await ourPeer(torrent, path.join(temp.dir, 'b'), { peers: [address(proxy)], onEvent: bLog.onEvent });
      await bLog.waitFor('piece-verified', () => true, WAIT_MS, 'B to verify a piece it got from leecher A', transcript);
      expect(a.complete, 'A, which B got its first piece from, is still a leecher').toBe(false);
      await waitUntil(() => b.snapshot().verified === 4, WAIT_MS, 'B to get the 4 pieces A has', transcript);
      half = false;
      for (let i = 4; i < 8; i++) toA!.send(wireMessage(ID.have, u32(i)));
      await within(Promise.all([a.whenComplete(), b.whenComplete()]), WAIT_MS, 'A and B to complete', transcript);
      await expectComplete(path.join(temp.dir, 'b'), torrent, transcript);
    },
    SWARM_MS,
  );

  test(
    'restarted on a half-downloaded folder, it fetches only what is missing',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'lecture.pdf', sizes: 10 * 16_384 - 1000, pieceLength: 16_384 });
      const dir = path.join(temp.dir, 'leecher');
      const partial = await scriptedSeed(torrent, { has: (i) => i % 2 === 0 });
      const first = await startPeer({ metainfo: torrent.metainfo, dir, announce: false, peers: [address(partial)] });
      try {
        await waitUntil(() => first.snapshot().verified === 5, WAIT_MS, 'the first run to verify the 5 even pieces');
      } finally {
        await first.close();
      }
      const requested = new Set<number>();
      const full = await scriptedSeed(torrent, { onRequest: (index) => requested.add(index) }, transcript);
      const second = await ourPeer(torrent, dir, { peers: [address(full)] });
      expect(second.snapshot().have, 'pieces found on disk at restart').toBe('1010101010');
      await within(second.whenComplete(), WAIT_MS, 'the second run to complete', transcript);
      expect([...requested].sort((x, y) => x - y), 'pieces requested after the restart').toEqual([1, 3, 5, 7, 9]);
      await expectComplete(dir, torrent, transcript);
    },
    SWARM_MS,
  );

  test(
    'finds its peers through the tracker, and tells it started, completed and stopped',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'map.osm', sizes: 3 * 16_384, pieceLength: 16_384 });
      const seed = await ourPeer(torrent, seedDir());
      // A fake HTTP tracker (bencoded by the npm package): it hands out the seed and notes every announce.
      const announces: { event: string; left: string; port: string }[] = [];
      const tracker = http.createServer((req, res) => {
        const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
        announces.push({ event: query.get('event') ?? 'none', left: query.get('left') ?? '?', port: query.get('port') ?? '?' });
        const peers = Buffer.from([127, 0, 0, 1, seed.port >> 8, seed.port & 0xff]);
        res.end(Buffer.from(bencode.encode({ interval: 1800, peers })));
      });
      await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
      track({ close: () => new Promise((resolve) => tracker.close(resolve)) });
      const announce = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}/announce`;
      const leecher = await startPeer({ metainfo: { ...torrent.metainfo, announce }, dir: path.join(temp.dir, 'leecher') });
      try {
        await within(leecher.whenComplete(), WAIT_MS, 'the leecher to complete from the peer the tracker gave it', transcript);
        await waitUntil(() => announces.some((a) => a.event === 'completed'), WAIT_MS, 'a completed announce');
      } finally {
        await leecher.close();
      }
      const events = announces.filter((a) => a.event !== 'none');
      expect(events, 'announces with an event, in order').toEqual([
        { event: 'started', left: String(torrent.bytes.length), port: String(leecher.port) },
        { event: 'completed', left: '0', port: String(leecher.port) },
        { event: 'stopped', left: '0', port: String(leecher.port) },
      ]);
      await expectComplete(path.join(temp.dir, 'leecher'), torrent, transcript);
    },
    SWARM_MS,
  );
});

// ---------------------------------------------------------------- step 6

describe('step 6: peers that misbehave', () => {
  test(
    'a peer that sends corrupt blocks is dropped, and the download still completes',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'dataset.csv', sizes: 12 * 16_384, pieceLength: 16_384 });
      const liarId = judgePeerId('liar');
      const liar = await scriptedSeed(torrent, { corrupt: true, peerId: liarId }, transcript);
      const log = new EventLog<PeerEvent>();
      const leecher = await ourPeer(torrent, path.join(temp.dir, 'leecher'), { peers: [address(liar)], onEvent: log.onEvent });
      await log.waitFor('disconnected', (e) => e.reason === 'banned', WAIT_MS, 'the leecher to drop the peer that sent bad pieces', transcript);
      expect(log.of('piece-failed').length, 'pieces that failed their SHA-1 check').toBeGreaterThanOrEqual(2);
      expect(leecher.snapshot().verified, 'pieces verified from bad data').toBe(0);
      // It is not let back in with the same peer_id.
      const again = await WireJudge.connect(address(leecher));
      again.send(handshakeBytes(torrent.metainfo.infoHash, liarId));
      expect(await again.closesWithin(WAIT_MS), 'the banned peer, connecting again').toBe(true);
      await finishFromOurSeed(torrent, leecher, transcript);
    },
    SWARM_MS,
  );

  test(
    'a peer that leaves mid-piece: its blocks are fetched elsewhere',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'slides.key', sizes: 3 * 65_536, pieceLength: 65_536 });
      const quitter = await scriptedSeed(torrent, { leaveAfterBlocks: 1 }, transcript);
      const log = new EventLog<PeerEvent>();
      const leecher = await ourPeer(torrent, path.join(temp.dir, 'leecher'), { peers: [address(quitter)], onEvent: log.onEvent });
      await log.waitFor('disconnected', () => true, WAIT_MS, 'the peer to leave after one block', transcript);
      expect(leecher.snapshot().verified).toBe(0);
      await finishFromOurSeed(torrent, leecher, transcript);
    },
    SWARM_MS,
  );

  test(
    'requests a stalled peer does not answer go to another peer',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'notes.txt', sizes: 4 * 16_384, pieceLength: 16_384 });
      let asked = 0;
      const staller = await scriptedSeed(torrent, { silent: true, onRequest: () => asked++ }, transcript);
      const leecher = await ourPeer(torrent, path.join(temp.dir, 'leecher'), { peers: [address(staller)], requestTimeoutMs: 300 });
      await waitUntil(() => asked >= 1, WAIT_MS, 'the leecher to send requests to the stalled peer', transcript);
      await finishFromOurSeed(torrent, leecher, transcript);
    },
    SWARM_MS,
  );

  test('drops a handshake for another torrent, and one carrying our own peer_id', async ({ transcript }) => {
    const torrent = await makeSwarmTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
    const log = new EventLog<PeerEvent>();
    const peer = await ourPeer(torrent, seedDir(), { onEvent: log.onEvent, peerId: Buffer.from('-WL0100-testpeer0001') });
    const stranger = await WireJudge.connect(address(peer), transcript);
    stranger.send(handshakeBytes(Buffer.alloc(20, 0xab), judgePeerId('stranger')));
    if (!(await stranger.closesWithin(WAIT_MS))) stranger.expect('expected the connection to be closed: another info_hash');
    expect(stranger.isClosed, 'a handshake for another torrent closes the connection').toBe(true);
    const mirror = await WireJudge.connect(address(peer));
    mirror.send(handshakeBytes(torrent.metainfo.infoHash, Buffer.from('-WL0100-testpeer0001')));
    expect(await mirror.closesWithin(WAIT_MS), 'a handshake with our own peer_id closes the connection').toBe(true);
    const reasons = await waitUntil(() => (log.of('disconnected').length >= 2 ? log.of('disconnected').map((e) => e.reason) : undefined), WAIT_MS, 'two disconnected events');
    expect(reasons.sort()).toEqual(['ourselves', 'wrong-info-hash']);
    await expect(peer.connect(address(peer)), 'connecting to our own address').rejects.toThrow();
    expect(peer.snapshot().connections).toEqual([]);
  });

  test('drops a second connection from the same peer_id', async ({ transcript }) => {
    const torrent = await makeSwarmTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
    const peer = await ourPeer(torrent, seedDir());
    const id = judgePeerId('twin');
    const first = await WireJudge.connect(address(peer), transcript);
    first.send(handshakeBytes(torrent.metainfo.infoHash, id));
    await first.readHandshake();
    await first.until((m) => m.id === ID.bitfield);
    const second = await WireJudge.connect(address(peer));
    second.send(handshakeBytes(torrent.metainfo.infoHash, id));
    expect(await second.closesWithin(WAIT_MS), 'the second connection of one peer_id').toBe(true);
    first.send(wireMessage(ID.interested));
    await first.until((m) => m.id === ID.unchoke).catch((error) => {
      first.expect('expected unchoke: the first connection must stay');
      throw error;
    });
    expect(peer.snapshot().connections.length).toBe(1);
  });

  test('garbage first bytes or an impossible length cost only that connection', async ({ transcript }) => {
    const torrent = await makeSwarmTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
    const log = new EventLog<PeerEvent>();
    const peer = await ourPeer(torrent, seedDir(), { onEvent: log.onEvent });
    const encrypted = await WireJudge.connect(address(peer));
    encrypted.send(createHash('sha512').update('a Diffie-Hellman public key').digest()); // how an encrypted handshake starts
    expect(await encrypted.closesWithin(WAIT_MS), 'garbage instead of a handshake').toBe(true);
    const huge = await WireJudge.connect(address(peer), transcript);
    huge.send(handshakeBytes(torrent.metainfo.infoHash, judgePeerId('huge')));
    await huge.readHandshake();
    huge.send(Buffer.from([0xff, 0xff, 0xff, 0xf0, ID.piece]));
    if (!(await huge.closesWithin(WAIT_MS))) huge.expect('expected the connection closed: a 4 GiB message', 'ours');
    expect(huge.isClosed, 'a message of 4 GiB').toBe(true);
    expect(log.of('disconnected').map((e) => e.reason)).toEqual(['wire-error', 'wire-error']);
    const fine = await WireJudge.connect(address(peer));
    fine.send(handshakeBytes(torrent.metainfo.infoHash, judgePeerId('fine')));
    await fine.readHandshake();
    const bitfield = await fine.until((m) => m.id === ID.bitfield);
    expect(bitfield.payload.toString('hex'), 'the seed still serves others').toBe('e0');
  });

  test('answers no bad request, and drops a peer that keeps sending them', async ({ transcript }) => {
    const torrent = await makeSwarmTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 32_768 });
    const peer = await ourPeer(torrent, seedDir());
    const judge = await WireJudge.connect(address(peer), transcript);
    judge.send(handshakeBytes(torrent.metainfo.infoHash, judgePeerId('asker')));
    await judge.readHandshake();
    judge.send(wireMessage(ID.interested));
    await judge.until((m) => m.id === ID.unchoke);
    judge.send(wireMessage(ID.request, u32(1, 4096, 4096))); // piece 1 is 7232 bytes: past its end
    judge.send(wireMessage(ID.request, u32(0, 0, 32_768))); // longer than 16 KiB
    judge.send(wireMessage(ID.request, u32(7, 0, 16_384))); // no such piece
    judge.send(wireMessage(ID.request, u32(0, 16_384, 16_384))); // a good one
    const answer = await judge.until((m) => m.id === ID.piece);
    const header = `${answer.payload.readUInt32BE(0)} ${answer.payload.readUInt32BE(4)} ${answer.payload.length - 8}`;
    if (header !== '0 16384 16384') judge.expect('expected piece 0 16384 (only the good request is answered)');
    expect(header, 'the first piece sent').toBe('0 16384 16384');
    for (let i = 0; i < 10 && !judge.isClosed; i++) judge.send(wireMessage(ID.request, u32(0, 30_000, 16_384)));
    if (!(await judge.closesWithin(WAIT_MS))) judge.expect('expected the connection closed after many bad requests', 'ours');
    expect(judge.isClosed, 'a peer that keeps sending bad requests').toBe(true);
  });

  test('a cancelled request is not uploaded', async ({ transcript }) => {
    const torrent = await makeSwarmTorrent(seedDir(), { name: 'a.bin', sizes: 4 * 16_384, pieceLength: 32_768 });
    const gate = gateLimiter();
    const peer = await ourPeer(torrent, seedDir(), { uploadLimiter: gate });
    const judge = await WireJudge.connect(address(peer), transcript);
    judge.send(handshakeBytes(torrent.metainfo.infoHash, judgePeerId('canceller')));
    await judge.readHandshake();
    judge.send(wireMessage(ID.interested));
    await judge.until((m) => m.id === ID.unchoke);
    const blocks = [u32(0, 0, BLOCK), u32(0, BLOCK, BLOCK), u32(1, 0, BLOCK), u32(1, BLOCK, BLOCK)];
    for (const b of blocks) judge.send(wireMessage(ID.request, b));
    const queued = () => peer.snapshot().connections[0]?.requestsIn;
    await waitUntil(() => queued() === 4, WAIT_MS, 'the 4 requests to be queued (uploads held by the limiter)', transcript);
    judge.send(wireMessage(ID.cancel, blocks[1]!));
    judge.send(wireMessage(ID.cancel, blocks[2]!));
    await waitUntil(() => queued() === 2, WAIT_MS, 'the 2 cancels to take their requests out of the queue', transcript);
    gate.open();
    const got: string[] = [];
    for (let i = 0; i < 2; i++) {
      const m = await judge.until((x) => x.id === ID.piece);
      got.push(`${m.payload.readUInt32BE(0)} ${m.payload.readUInt32BE(4)}`);
      if (got.at(-1) === '0 16384' || got.at(-1) === '1 0') judge.expect('expected no piece for a cancelled request');
    }
    expect(got, 'pieces sent').toEqual(['0 0', '1 16384']);
  });
});

// ---------------------------------------------------------------- step 7

describe('step 7: another implementation at the other end', () => {
  test(
    'bittorrent-protocol downloads every piece from our seed',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'movie.mkv', sizes: 5 * 32_768 + 100, pieceLength: 32_768 });
      const seed = await ourPeer(torrent, seedDir());
      const bytes = await within(
        downloadWithBittorrentProtocol(address(seed), { ...torrent.metainfo, length: torrent.bytes.length }, transcript),
        WAIT_MS,
        'bittorrent-protocol to download every block',
        transcript,
      );
      expect(createHash('sha1').update(bytes).digest('hex')).toBe(createHash('sha1').update(torrent.bytes).digest('hex'));
    },
    SWARM_MS,
  );

  test(
    'our peer downloads every piece from bittorrent-protocol',
    async ({ transcript }) => {
      const torrent = await makeSwarmTorrent(seedDir(), { name: 'book.epub', sizes: 6 * 16_384 + 7, pieceLength: 16_384 });
      const other = track(await seedWithBittorrentProtocol({ ...torrent.metainfo, bytes: torrent.bytes, length: torrent.bytes.length }, transcript));
      const leecher = await ourPeer(torrent, path.join(temp.dir, 'leecher'), { peers: [address(other)] });
      await within(leecher.whenComplete(), WAIT_MS, 'our leecher to verify every piece', transcript);
      await expectComplete(path.join(temp.dir, 'leecher'), torrent, transcript);
      expect(new Set(other.requests).size, 'blocks requested (each once)').toBe(other.requests.length);
    },
    SWARM_MS,
  );
});
