/**
 * Reliability of the reference peer (run against solutions/): the stream
 * decoder and the session take random bytes and random messages without ever
 * failing in any way but a WireError or a drop, and give the same result
 * however the bytes are split; a seeded swarm of six peers whose leechers are
 * stopped and restarted at random moments still ends byte-identical; the
 * connection limit holds and close() is bounded even with a silent tracker.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { mulberry32 } from 'wirelab';
import { Bitfield } from '@impl/10-peer/bitfield.ts';
import { WireDecoder } from '@impl/10-peer/wire-decoder.ts';
import { WireError } from '@impl/10-peer/wire-error.ts';
import { initialSession, receive, setChoking, type SessionContext } from '@impl/10-peer/session.ts';
import type { WireMessage } from '@impl/10-peer/wire-messages.ts';
import { startPeer } from '@impl/10-peer/peer.ts';
import type { Peer, RateLimiter } from '@impl/10-peer/peer-types.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { tempDirEachTest } from '../helpers/metainfo.ts';
import { makeTorrent } from '../helpers/peer-torrent.ts';
import { digestsIn, expectedDigests, within } from '../helpers/peer-swarm.ts';
import { handshakeBytes, wireMessage, u32, ID, WireJudge, judgePeerId } from '../helpers/peer-wire-judge.ts';

const track = closeAfterEach();
const tmp = tempDirEachTest('wirelab-peer-fuzz-');
const infoHash = Buffer.alloc(20, 0x11);

/** Decodes `stream` pushed in the given pieces: the messages (as JSON) and the error kind, if any. */
function decodeAll(stream: Buffer, cuts: number[]): { messages: string[]; error: string | undefined; most: number } {
  const decoder = new WireDecoder({ pieceCount: 37 });
  const messages: string[] = [];
  let most = 0;
  for (let at = 0, k = 0; at < stream.length; k++) {
    const n = cuts[k % cuts.length]!;
    try {
      for (const m of decoder.push(stream.subarray(at, at + n))) messages.push(JSON.stringify(m, (_, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v)));
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      return { messages, error: error.kind, most };
    }
    most = Math.max(most, decoder.bufferedBytes);
    at += n;
  }
  return { messages, error: undefined, most };
}

describe('the wire under random input', () => {
  test('random bytes after a handshake: a WireError at worst, the same result however split, bounded memory', () => {
    const hello = handshakeBytes(infoHash, Buffer.alloc(20, 0x22));
    // Mostly valid messages with random corruption, so the decoder gets deep into the stream.
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.constantFrom(wireMessage(ID.unchoke), wireMessage(ID.have, u32(3)), wireMessage(ID.request, u32(1, 0, 16384)), Buffer.alloc(4)),
      fc.uint8Array({ maxLength: 600 }).map((b) => wireMessage(ID.piece, u32(2, 0), b)),
      fc.integer({ min: 0, max: 255 }).map((id) => wireMessage(id, Buffer.alloc(id % 7))),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 20 }), (chunks, cuts) => {
        const stream = Buffer.concat([hello, ...chunks]);
        // Byte by byte, no message is ever lost to an error in the same push: the reference.
        const reference = decodeAll(stream, [1]);
        const split = decodeAll(stream, cuts);
        expect(split.error).toBe(reference.error);
        if (split.error === undefined) expect(split.messages).toEqual(reference.messages);
        else expect(split.messages).toEqual(reference.messages.slice(0, split.messages.length));
        expect(split.most).toBeLessThanOrEqual(4 + 9 + 16_384);
      }),
      { numRuns: 200, seed: 10 },
    );
  });

  test('pure noise, even where a handshake should be, only ever throws WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, handshake) => {
        const decoder = new WireDecoder({ pieceCount: 5, handshake });
        try {
          decoder.push(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  test('random messages never make the session throw; a drop is its only way out', () => {
    const have = new Bitfield(37);
    for (let i = 0; i < 37; i += 3) have.set(i);
    const context: SessionContext = { infoHash, peerId: Buffer.alloc(20, 0x33), pieceCount: 37, pieceLength: (i) => (i === 36 ? 1000 : 65_536), have };
    const n = fc.integer({ min: 0, max: 70_000 });
    const message: fc.Arbitrary<WireMessage> = fc.oneof(
      fc.constantFrom<WireMessage>({ type: 'keep-alive' }, { type: 'choke' }, { type: 'unchoke' }, { type: 'interested' }, { type: 'not-interested' }),
      fc.integer({ min: 0, max: 40 }).map((index): WireMessage => ({ type: 'have', index })),
      fc.uint8Array({ maxLength: 6 }).map((bytes): WireMessage => ({ type: 'bitfield', bytes })),
      fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 }), n, n).map(([r, index, begin, length]): WireMessage => ({ type: r ? 'request' : 'cancel', index, begin, length })),
      fc.tuple(fc.integer({ min: 0, max: 40 }), n, fc.uint8Array({ maxLength: 30 })).map(([index, begin, block]): WireMessage => ({ type: 'piece', index, begin, block })),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), fc.boolean(), (messages, unchoke) => {
        let state = receive(initialSession(37), { type: 'handshake', reserved: Buffer.alloc(8), infoHash, peerId: Buffer.alloc(20, 0x44) }, context).next;
        if (unchoke) state = setChoking(state, false).next;
        for (const m of messages) {
          const outcome = receive(state, m, context);
          if (outcome.actions.some((a) => a.kind === 'drop')) break;
          state = outcome.next;
          expect(state.uploads.length).toBeLessThanOrEqual(256);
        }
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

/** A token bucket: `bytesPerSecond`, bursts of one block. */
function throttle(bytesPerSecond: number): RateLimiter {
  let nextFree = performance.now();
  return {
    async consume(bytes) {
      const now = performance.now();
      nextFree = Math.max(nextFree, now) + (bytes * 1000) / bytesPerSecond;
      const wait = nextFree - now - 16_384_000 / bytesPerSecond;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}

describe('a swarm with random disconnects', () => {
  test('six peers, leechers stopped and restarted at seeded random moments, end byte-identical', async () => {
    const torrent = await makeTorrent(path.join(tmp.dir, 'seed'), { name: 'video.webm', sizes: 96 * 16_384 + 123, pieceLength: 16_384 });
    const random = mulberry32(2026);
    const seed = track(await startPeer({ metainfo: torrent.metainfo, dir: path.join(tmp.dir, 'seed'), announce: false, uploadLimiter: throttle(1.5 * 2 ** 20), seed: 1 }));
    const leechers: (Peer | undefined)[] = [];
    const addresses = () => [seed, ...leechers].filter((p): p is Peer => p !== undefined).map((p) => ({ host: p.host, port: p.port }));
    const start = async (i: number): Promise<Peer> => {
      const peer = await startPeer({ metainfo: torrent.metainfo, dir: path.join(tmp.dir, `l${i}`), announce: false, peers: addresses(), pipeline: 8, requestTimeoutMs: 500, seed: `l${i}` });
      leechers[i] = peer;
      return peer;
    };
    for (let i = 0; i < 5; i++) await start(i);
    let restarts = 0;
    for (let round = 0; round < 40 && leechers.some((p) => !p!.complete); round++) {
      await new Promise((resolve) => setTimeout(resolve, 20 + random() * 80));
      const i = Math.floor(random() * 5);
      const victim = leechers[i]!;
      if (victim.complete || random() < 0.5) continue;
      leechers[i] = undefined;
      await victim.close();
      await start(i);
      restarts++;
    }
    for (let i = 0; i < 5; i++) await within(leechers[i]!.whenComplete(), 20_000, `leecher ${i} to complete`);
    for (let i = 0; i < 5; i++) expect(await digestsIn(path.join(tmp.dir, `l${i}`), torrent), `leecher ${i}`).toEqual(expectedDigests(torrent));
    expect(restarts, 'leechers restarted mid-download').toBeGreaterThan(0);
    await Promise.all(leechers.map((p) => p!.close()));
  }, 60_000);
});

describe('limits', () => {
  test('past maxConnections a newcomer is turned away; the others stay', async () => {
    const torrent = await makeTorrent(path.join(tmp.dir, 'seed'), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
    const peer = track(await startPeer({ metainfo: torrent.metainfo, dir: path.join(tmp.dir, 'seed'), announce: false, maxConnections: 2 }));
    const judges: WireJudge[] = [];
    for (let i = 0; i < 3; i++) {
      const judge = await WireJudge.connect({ host: peer.host, port: peer.port });
      judge.send(handshakeBytes(torrent.metainfo.infoHash, judgePeerId(`j${i}`)));
      judges.push(judge);
      if (i < 2) await judge.readHandshake();
    }
    expect(await judges[2]!.closesWithin(5000), 'the third connection').toBe(true);
    expect(judges.slice(0, 2).map((j) => j.isClosed)).toEqual([false, false]);
    expect(peer.snapshot().connections.length).toBe(2);
    judges.forEach((j) => j.close());
  });

  test('close() returns within a few seconds even when the tracker never answers', async () => {
    const torrent = await makeTorrent(path.join(tmp.dir, 'seed'), { name: 'a.bin', sizes: 40_000, pieceLength: 16_384 });
    const silent = http.createServer(() => {}); // takes every announce and never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    track({ close: () => (silent.closeAllConnections(), new Promise((resolve) => silent.close(resolve))) });
    const announce = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/announce`;
    const peer = await startPeer({ metainfo: { ...torrent.metainfo, announce }, dir: path.join(tmp.dir, 'seed') });
    const started = performance.now();
    await peer.close();
    expect(performance.now() - started, 'ms close() took').toBeLessThan(4000);
  });
});
