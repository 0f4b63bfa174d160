/**
 * Reliability of the reference tracker (run against solutions/): thousands of
 * random and half-valid datagrams and HTTP requests must never crash it, it
 * keeps answering valid announces correctly, its memory is bounded (maxPeers,
 * a small fixed record per peer) and peers that vanish are expired.
 * Seeded, bounded in count, a few seconds in all.
 */
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { mulberry32 } from 'wirelab';
import { startTracker } from '@impl/09-tracker/tracker.ts';
import { Swarms } from '@impl/09-tracker/swarms.ts';
import type { Tracker } from '@impl/09-tracker/types.ts';
import {
  ACTION,
  EVENT,
  UdpTrackerClient,
  announceRequest,
  binaryId,
  buildQuery,
  connectRequest,
  httpAnnounce,
  httpGet,
  readCompactPeers,
  scrapeRequest,
} from '../helpers/tracker-client.ts';
import { dictGet } from '../helpers/tracker-bencode.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';

const track = closeAfterEach();

/** Two witnesses announce over HTTP and UDP; each must see exactly the other. */
async function witnessesStillServed(t: Tracker): Promise<void> {
  const h = binaryId('witness');
  const c = track(await UdpTrackerClient.open({ host: '127.0.0.1', port: t.udpPort }));
  const connectionId = await c.connect(1);
  const udp = await c.exchange(announceRequest({ connectionId, transactionId: 2, infoHash: h, peerId: binaryId('w-udp'), port: 40_001, left: 0n, event: EVENT.started }));
  expect(udp?.readInt32BE(0)).toBe(ACTION.announce);
  const { value } = await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId('w-http'), port: 40_002, left: 1, event: 'started' });
  expect(readCompactPeers((dictGet(value, 'peers') as Uint8Array | undefined) ?? new Uint8Array())).toEqual([{ ip: '127.0.0.1', port: 40_001 }]);
  const again = await c.exchange(announceRequest({ connectionId, transactionId: 3, infoHash: h, peerId: binaryId('w-udp'), port: 40_001, left: 0n }));
  expect(readCompactPeers(again!.subarray(20))).toEqual([{ ip: '127.0.0.1', port: 40_002 }]);
}

function randomBytesFrom(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

describe('reference tracker under fuzz', () => {
  test('survives thousands of random and half-valid datagrams', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const t = track(await startTracker({ peerTtlMs: 60_000, maxPeers: 2000 }));
    const rand = mulberry32(0x09f022);
    const c = track(await UdpTrackerClient.open({ host: '127.0.0.1', port: t.udpPort }));
    const connectionId = await c.connect(7);
    const hashes = Array.from({ length: 20 }, (_, i) => binaryId(`fuzz${i}`));
    const DATAGRAMS = 4000;
    for (let i = 0; i < DATAGRAMS; i++) {
      const kind = i % 5;
      let packet: Buffer;
      if (kind === 0) packet = randomBytesFrom(rand, Math.floor(rand() * 120));
      else if (kind === 1) {
        // A valid announce with a few bytes flipped (often still valid: peers join).
        packet = announceRequest({ connectionId, transactionId: i, infoHash: hashes[i % hashes.length]!, peerId: randomBytesFrom(rand, 20), port: 1 + Math.floor(rand() * 65535), numWant: Math.floor(rand() * 400) - 100, event: Math.floor(rand() * 5), left: BigInt(Math.floor(rand() * 3)) });
        for (let f = Math.floor(rand() * 3); f > 0; f--) packet[16 + Math.floor(rand() * 82)] = Math.floor(rand() * 256);
      } else if (kind === 2) {
        packet = connectRequest(i);
        if (rand() < 0.5) {
          const at = Math.floor(rand() * 16);
          packet[at] = packet[at]! ^ (1 << Math.floor(rand() * 8));
        }
        if (rand() < 0.3) packet = Buffer.concat([packet, randomBytesFrom(rand, Math.floor(rand() * 50))]);
      } else if (kind === 3) {
        packet = scrapeRequest(rand() < 0.8 ? connectionId : randomBytesFrom(rand, 8), i, hashes.slice(0, Math.floor(rand() * 90)));
        if (rand() < 0.3) packet = packet.subarray(0, Math.floor(rand() * packet.length));
      } else {
        // The right header with a random action and a random tail.
        packet = Buffer.concat([connectionId, Buffer.alloc(8), randomBytesFrom(rand, Math.floor(rand() * 200))]);
        packet.writeInt32BE(Math.floor(rand() * 8) - 2, 8);
        packet.writeUInt32BE(i, 12);
      }
      c.send(packet);
      // A short pause now and then keeps the loopback buffers from overflowing.
      if (i % 200 === 199) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        while ((await c.receive(1)) !== undefined) { /* drain */ }
      }
    }
    while ((await c.receive(50)) !== undefined) { /* drain */ }
    await witnessesStillServed(t);
    const { peers } = t.stats();
    expect(peers, 'half-valid announces reached the swarms').toBeGreaterThan(100);
    expect(peers).toBeLessThanOrEqual(2000);
    process.off('warning', onWarning);
    expect(warnings, 'no datagram made the tracker hit a bug').toEqual([]);
  }, 30_000);

  test('survives random HTTP requests and garbage on the TCP port', async () => {
    const t = track(await startTracker({ peerTtlMs: 60_000, maxPeers: 2000 }));
    const rand = mulberry32(0x11770);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const REQUESTS = 600;
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < REQUESTS / 20; batch++) {
      await Promise.all(Array.from({ length: 20 }, async () => {
        const params: Record<string, Buffer | string | number> = {};
        for (const name of ['info_hash', 'peer_id', 'port', 'left', 'event', 'compact', 'numwant', 'no_peer_id', 'key', 'x']) {
          if (rand() < 0.8) params[name] = pick([randomBytesFrom(rand, pick([0, 19, 20, 21, 40])), String(Math.floor(rand() * 1e6) - 1000), pick(['started', 'stopped', 'completed', '', 'bogus', '%', '%zz'])]);
        }
        let path = `${pick(['/announce', '/scrape', '/', '/nope', '/announce/'])}?${buildQuery(params)}`;
        if (rand() < 0.2) path += pick(['%', '%4', '&&&', '=&=', '%ff%fe%00']);
        const reply = await httpGet(t.httpPort, path);
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expect(reply.status, `${path} must get an answer, never a server error`).not.toBe(500);
      }));
    }
    // Raw garbage: not even HTTP.
    for (let i = 0; i < 60; i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect(t.httpPort, '127.0.0.1', () => {
          s.end(i % 2 === 0 ? randomBytesFrom(rand, Math.floor(rand() * 2000)) : `GET /announce?${'a'.repeat(20_000)} HTTP/1.1\r\n\r\n`);
        });
        s.on('data', () => {});
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.setTimeout(2000, () => s.destroy());
      });
    }
    await witnessesStillServed(t);
    expect([...statuses.keys()].every((s) => s === 200 || s === 404)).toBe(true);
  }, 30_000);

  test('vanished peers expire and the tracker forgets their swarms', async () => {
    const t = track(await startTracker({ peerTtlMs: 1000, maxPeers: 50_000 }));
    const c = track(await UdpTrackerClient.open({ host: '127.0.0.1', port: t.udpPort }));
    const connectionId = await c.connect(1);
    const PEERS = 3000;
    for (let i = 0; i < PEERS; i++) {
      c.send(announceRequest({ connectionId, transactionId: i, infoHash: binaryId(`swarm${i % 100}`), peerId: binaryId(`peer${i}`), port: 1 + i, numWant: 0, event: EVENT.started }));
      if (i % 100 === 99) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        while ((await c.receive(1)) !== undefined) { /* drain */ }
      }
    }
    while ((await c.receive(30)) !== undefined) { /* drain */ }
    expect(t.stats().peers).toBeGreaterThan(PEERS * 0.5);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(t.stats()).toEqual({ swarms: 0, peers: 0 });
  }, 20_000);

  test('memory per tracked peer is small and bounded', () => {
    const swarms = new Swarms({ peerTtlMs: 60_000, maxPeers: 30_000 });
    const before = process.memoryUsage().heapUsed;
    const PEERS = 20_000;
    for (let i = 0; i < PEERS; i++) {
      const id = Buffer.alloc(20);
      id.writeUInt32BE(i, 0);
      swarms.announce({ infoHash: binaryId(`h${i % 50}`), peerId: id, ip: '127.0.0.1', port: 1 + (i % 60_000), uploaded: 0, downloaded: 0, left: i % 2, event: 'started', numWant: 0 }, 0);
    }
    const perPeer = (process.memoryUsage().heapUsed - before) / PEERS;
    expect(swarms.peerCount).toBe(PEERS);
    // Garbage made on the way counts too, so this is a loose upper bound.
    expect(perPeer, `about ${Math.round(perPeer)} bytes per peer`).toBeLessThan(2048);
    expect(() => {
      for (let i = 0; i < 20_000; i++) {
        swarms.announce({ infoHash: binaryId('more'), peerId: binaryId(`m${i}`), ip: '127.0.0.1', port: 1, uploaded: 0, downloaded: 0, left: 1, event: 'started', numWant: 0 }, 0);
      }
    }).toThrow(/full/);
    expect(swarms.peerCount).toBe(30_000);
  });
});
