/**
 * The reference tracker on IPv6 (::1): BEP 15 answers an IPv6 announce with
 * 18-byte peers, and the HTTP tracker lists IPv6 peers in `peers6` (BEP 7).
 * Skipped where the machine has no IPv6 loopback.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import { describe, expect, test } from 'vitest';
import { startTracker } from '@impl/09-tracker/tracker.ts';
import type { Tracker } from '@impl/09-tracker/types.ts';
import { announceRequest, binaryId, buildQuery, connectRequest, EVENT } from '../helpers/tracker-client.ts';
import { dictGet, judgeDecode } from '../helpers/tracker-bencode.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';

async function hasIpv6Loopback(): Promise<boolean> {
  const s = dgram.createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}
const ipv6 = await hasIpv6Loopback();

const track = closeAfterEach();

/** One UDP exchange from a fresh ::1 socket. */
async function exchange(s: dgram.Socket, t: Tracker, packet: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer')), 1000);
    s.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    s.send(packet, t.udpPort, '::1');
  });
}

describe.skipIf(!ipv6)('reference tracker on ::1', () => {
  test('UDP over IPv6 answers with 18-byte peers; HTTP lists them in peers6', async () => {
    const t = track(await startTracker({ host: '::1', port: 0 }));
    const h = binaryId('six');
    const peers: Buffer[] = [];
    for (const [i, port] of [6101, 6102].entries()) {
      const s = track(dgram.createSocket('udp6'));
      await new Promise<void>((resolve) => s.bind(0, '::1', () => resolve()));
      const conn = await exchange(s, t, connectRequest(i));
      const answer = await exchange(s, t, announceRequest({ connectionId: conn.subarray(8, 16), transactionId: 9, infoHash: h, peerId: binaryId(`p${i}`), port, event: EVENT.started }));
      expect(answer.readInt32BE(0)).toBe(1);
      peers.push(answer.subarray(20));
    }
    expect(peers[0]!.length).toBe(0);
    expect(peers[1]!.toString('hex')).toBe(`${'00'.repeat(15)}01${(6101).toString(16).padStart(4, '0')}`);
    const body = await new Promise<Buffer>((resolve, reject) => {
      http.get({ host: '::1', port: t.httpPort, path: `/announce?${buildQuery({ info_hash: h, peer_id: binaryId('web'), port: 6103, left: 1 })}` }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
    const value = judgeDecode(body);
    expect((dictGet(value, 'peers') as Uint8Array).length, 'no IPv4 peers').toBe(0);
    expect((dictGet(value, 'peers6') as Uint8Array).length, 'two IPv6 peers, 18 bytes each').toBe(36);
  });
});
