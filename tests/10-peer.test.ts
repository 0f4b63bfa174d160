/**
 * Exercise 10: a BitTorrent peer. The bitfield, the wire and the session are
 * judged without sockets, against bytes built here at BEP 3's offsets; then
 * small swarms run on loopback, with scripted peers written from the spec
 * (tests/helpers/peer-wire-judge.ts) that lie, stall, leave and cancel, and
 * with the `bittorrent-protocol` package from npm at the other end. Torrents
 * are made by `create-torrent` and read by `bencode`, not by exercise 08.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import bencode from 'bencode';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
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
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { tempDirEachTest } from './helpers/metainfo.ts';
import { makeTorrent, type TestTorrent } from './helpers/peer-torrent.ts';
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
const tmp = tempDirEachTest('wirelab-peer-');

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
async function ourPeer(torrent: TestTorrent, dir: string, options: Partial<PeerOptions> = {}): Promise<Peer> {
  return track(await startPeer({ metainfo: torrent.metainfo, dir, announce: false, seed: dir, ...options }));
}

/** A seed: its folder holds the files. */
function seedDir(): string {
  return path.join(tmp.dir, 'seed');
}

const address = (p: { host: string; port: number }) => ({ host: p.host, port: p.port });

/** Checks that every file under `dir` is byte-identical to the torrent's, marking the transcript if not. */
async function expectComplete(dir: string, torrent: TestTorrent, transcript?: { expect(note: string): void }): Promise<void> {
  const got = await digestsIn(dir, torrent);
  const want = expectedDigests(torrent);
  if (JSON.stringify(got) !== JSON.stringify(want)) transcript?.expect(`expected the files under ${path.basename(dir)} to be byte-identical to the torrent's`);
  expect(got, `SHA-1 of each file under ${path.basename(dir)}`).toEqual(want);
}

/** A scripted seed (tests/helpers/peer-wire-judge.ts) of `torrent`, listening; its first connection is recorded. */
async function scriptedSeed(torrent: TestTorrent, options: Omit<ScriptedSeedOptions, 'infoHash' | 'pieceLength' | 'bytes'> = {}, transcript?: Transcript): Promise<JudgeServer> {
  const { infoHash: hash, pieceLength } = torrent.metainfo;
  return track(await listenJudge((judge) => playSeed(judge, { infoHash: hash, pieceLength, bytes: torrent.bytes, ...options }), transcript));
}

/** After a peer misbehaved: an honest seed of ours joins, and the leecher (in `leecher/`) must finish right. */
async function finishFromOurSeed(torrent: TestTorrent, leecher: Peer, transcript: Transcript): Promise<void> {
  const seed = await ourPeer(torrent, seedDir());
  await leecher.connect(address(seed));
  await within(leecher.whenComplete(), WAIT_MS, 'the leecher to complete from the honest seed', transcript);
  await expectComplete(path.join(tmp.dir, 'leecher'), torrent, transcript);
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
      const torrent = await makeTorrent(seedDir(), { name: 'song.ogg', sizes: 150_000, pieceLength: 32_768 });
      const seed = await ourPeer(torrent, seedDir());
      expect(seed.complete, 'a peer started on complete files is a seed').toBe(true);
      // Leecher 1 reaches the seed through a proxy that records the dialogue and splits it into small reads.
      const proxy = track(await startTcpChunkProxy({ target: address(seed), seed: 'split', maxChunk: 97, minChunk: 1, transcript }));
      transcript.decoder = peerWireDecoder;
      const l1 = await ourPeer(torrent, path.join(tmp.dir, 'l1'), { peers: [address(proxy)] });
      const l2 = await ourPeer(torrent, path.join(tmp.dir, 'l2'), { peers: [address(seed), address(l1)] });
      const l3 = await ourPeer(torrent, path.join(tmp.dir, 'l3'), { peers: [address(seed), address(l1), address(l2)] });
      for (const [name, leecher] of [['leecher 1', l1], ['leecher 2', l2], ['leecher 3', l3]] as const) {
        await within(leecher.whenComplete(), WAIT_MS, `${name} to verify every piece`, transcript);
      }
      for (const name of ['l1', 'l2', 'l3']) await expectComplete(path.join(tmp.dir, name), torrent, transcript);
      expect(l1.snapshot().verified).toBe(5);
    },
    SWARM_MS,
  );

  test(
    'a multi-file torrent whose pieces span files arrives byte-identical',
    async ({ transcript }) => {
      const torrent = await makeTorrent(seedDir(), {
        name: 'album',
        sizes: { '01-intro.flac': 20_000, 'cover/front.jpg': 3, 'cover/back.jpg': 40_000, '02-song.flac': 35_000 },
        pieceLength: 16_384,
      });
      expect(torrent.metainfo.files.length).toBe(4);
      const seed = await ourPeer(torrent, seedDir());
      const judged = await WireJudge.connect(address(seed), transcript); // records what the seed says to a newcomer
      judged.send(handshakeBytes(torrent.metainfo.infoHash, judgePeerId('watcher')));
      const l1 = await ourPeer(torrent, path.join(tmp.dir, 'l1'), { peers: [address(seed)] });
      const l2 = await ourPeer(torrent, path.join(tmp.dir, 'l2'), { peers: [address(seed), address(l1)] });
      await within(Promise.all([l1.whenComplete(), l2.whenComplete()]), WAIT_MS, 'both leechers to verify every piece', transcript);
      await judged.readHandshake();
      await judged.until((m) => m.id === ID.bitfield);
      await expectComplete(path.join(tmp.dir, 'l1'), torrent, transcript);
      await expectComplete(path.join(tmp.dir, 'l2'), torrent, transcript);
    },
    SWARM_MS,
  );

  test(
    'a leecher uploads to another leecher before it is complete',
    async ({ transcript }) => {
      const torrent = await makeTorrent(seedDir(), { name: 'talk.mp4', sizes: 8 * 16_384, pieceLength: 16_384 });
      // A scripted seed with only the first half, until the test gives it the rest.
      let half = true;
      const has = (i: number) => !half || i < 4;
      let toA: WireJudge | undefined;
      const source = track(await listenJudge((judge) => {
        toA = judge;
        return playSeed(judge, { infoHash: torrent.metainfo.infoHash, pieceLength: 16_384, bytes: torrent.bytes, has });
      }));
      const a = await ourPeer(torrent, path.join(tmp.dir, 'a'), { peers: [address(source)] });
      const bLog = new EventLog<PeerEvent>();
      // B knows only A: every piece B gets comes from a leecher.
      const proxy = track(await startTcpChunkProxy({ target: address(a), seed: 1, transcript }));
      transcript.decoder = peerWireDecoder;
      const b = await ourPeer(torrent, path.join(tmp.dir, 'b'), { peers: [address(proxy)], onEvent: bLog.onEvent });
      await bLog.waitFor('piece-verified', () => true, WAIT_MS, 'B to verify a piece it got from leecher A', transcript);
      expect(a.complete, 'A, which B got its first piece from, is still a leecher').toBe(false);
      await waitUntil(() => b.snapshot().verified === 4, WAIT_MS, 'B to get the 4 pieces A has', transcript);
      half = false;
      for (let i = 4; i < 8; i++) toA!.send(wireMessage(ID.have, u32(i)));
      await within(Promise.all([a.whenComplete(), b.whenComplete()]), WAIT_MS, 'A and B to complete', transcript);
      await expectComplete(path.join(tmp.dir, 'b'), torrent, transcript);
    },
    SWARM_MS,
  );

  test(
    'restarted on a half-downloaded folder, it fetches only what is missing',
    async ({ transcript }) => {
      const torrent = await makeTorrent(seedDir(), { name: 'lecture.pdf', sizes: 10 * 16_384 - 1000, pieceLength: 16_384 });
      const dir = path.join(tmp.dir, 'leecher');
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
      const torrent = await makeTorrent(seedDir(), { name: 'map.osm', sizes: 3 * 16_384, pieceLength: 16_384 });
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
      const leecher = await startPeer({ metainfo: { ...torrent.metainfo, announce }, dir: path.join(tmp.dir, 'leecher') });
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
      await expectComplete(path.join(tmp.dir, 'leecher'), torrent, transcript);
    },
    SWARM_MS,
  );
});

// ---------------------------------------------------------------- step 6

describe('step 6: peers that misbehave', () => {
  test(
    'a peer that sends corrupt blocks is dropped, and the download still completes',
    async ({ transcript }) => {
      const torrent = await makeTorrent(seedDir(), { name: 'dataset.csv', sizes: 12 * 16_384, pieceLength: 16_384 });
      const liarId = judgePeerId('liar');
      const liar = await scriptedSeed(torrent, { corrupt: true, peerId: liarId }, transcript);
      const log = new EventLog<PeerEvent>();
      const leecher = await ourPeer(torrent, path.join(tmp.dir, 'leecher'), { peers: [address(liar)], onEvent: log.onEvent });
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
      const torrent = await makeTorrent(seedDir(), { name: 'slides.key', sizes: 3 * 65_536, pieceLength: 65_536 });
      const quitter = await scriptedSeed(torrent, { leaveAfterBlocks: 1 }, transcript);
      const log = new EventLog<PeerEvent>();
      const leecher = await ourPeer(torrent, path.join(tmp.dir, 'leecher'), { peers: [address(quitter)], onEvent: log.onEvent });
      await log.waitFor('disconnected', () => true, WAIT_MS, 'the peer to leave after one block', transcript);
      expect(leecher.snapshot().verified).toBe(0);
      await finishFromOurSeed(torrent, leecher, transcript);
    },
    SWARM_MS,
  );

  test(
    'requests a stalled peer does not answer go to another peer',
    async ({ transcript }) => {
      const torrent = await makeTorrent(seedDir(), { name: 'notes.txt', sizes: 4 * 16_384, pieceLength: 16_384 });
      let asked = 0;
      const staller = await scriptedSeed(torrent, { silent: true, onRequest: () => asked++ }, transcript);
      const leecher = await ourPeer(torrent, path.join(tmp.dir, 'leecher'), { peers: [address(staller)], requestTimeoutMs: 300 });
      await waitUntil(() => asked >= 1, WAIT_MS, 'the leecher to send requests to the stalled peer', transcript);
      await finishFromOurSeed(torrent, leecher, transcript);
    },
    SWARM_MS,
  );

  test('drops a handshake for another torrent, and one carrying our own peer_id', async ({ transcript }) => {
    const torrent = await makeTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
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
    const torrent = await makeTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
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
    const torrent = await makeTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
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
    const torrent = await makeTorrent(seedDir(), { name: 'a.bin', sizes: 40_000, pieceLength: 32_768 });
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
    const torrent = await makeTorrent(seedDir(), { name: 'a.bin', sizes: 4 * 16_384, pieceLength: 32_768 });
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
      const torrent = await makeTorrent(seedDir(), { name: 'movie.mkv', sizes: 5 * 32_768 + 100, pieceLength: 32_768 });
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
      const torrent = await makeTorrent(seedDir(), { name: 'book.epub', sizes: 6 * 16_384 + 7, pieceLength: 16_384 });
      const other = track(await seedWithBittorrentProtocol({ ...torrent.metainfo, bytes: torrent.bytes, length: torrent.bytes.length }, transcript));
      const leecher = await ourPeer(torrent, path.join(tmp.dir, 'leecher'), { peers: [address(other)] });
      await within(leecher.whenComplete(), WAIT_MS, 'our leecher to verify every piece', transcript);
      await expectComplete(path.join(tmp.dir, 'leecher'), torrent, transcript);
      expect(new Set(other.requests).size, 'blocks requested (each once)').toBe(other.requests.length);
    },
    SWARM_MS,
  );
});
