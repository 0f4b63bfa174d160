/**
 * The tracker client of exercise 10 against the REAL tracker of exercise 09
 * (its reference solution), over HTTP and UDP, on IPv4 and, where the machine
 * has it, IPv6: two peers find each other, `completed` makes a seeder,
 * `stopped` makes a peer leave, and a request the tracker refuses comes back
 * as a TrackerFailureError over either transport.
 */
import { describe, expect, test } from 'vitest';
import { startTracker } from '@impl/09-tracker/tracker.ts';
import { announce, startTrackerClient } from '@impl/10-peer/tracker-client.ts';
import { TrackerFailureError } from '@impl/10-peer/tracker-errors.ts';
import type { AnnounceParams, PeerAddress, TrackerClient } from '@impl/10-peer/types.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { hasIPv6Loopback } from '../helpers/udp-responder.ts';
import { Waiter } from '../helpers/waiter.ts';

const track = closeAfterEach();
const ipv6 = await hasIPv6Loopback();

const id = (text: string): Buffer => Buffer.from(text.padEnd(20, '.').slice(0, 20));
const INFO_HASH = Buffer.from('e9ff00'.repeat(7).slice(0, 40), 'hex');

/** A running client whose peers and errors the test can wait for. */
function peer(announceUrl: string, name: string, port: number, left: () => number) {
  const heard: PeerAddress[][] = [];
  const errors: Error[] = [];
  const news = new Waiter();
  const client: TrackerClient = startTrackerClient({
    announceUrl, infoHash: INFO_HASH, peerId: id(name), port, timeoutMs: 3000, udpRetryBaseMs: 200,
    stats: () => ({ uploaded: 0, downloaded: 0, left: left() }),
    onPeers: (p) => (heard.push(p), news.changed()),
    onError: (e) => (errors.push(e), news.changed()),
  });
  track({ close: () => client.stop() });
  return {
    client,
    errors,
    /** The peers of the next answer after `count` answers so far. */
    answer: (count: number) => news.until(() => heard[count], 3000, () => `answer ${count + 1} to ${name} (errors: ${errors.map((e) => e.message).join('; ') || 'none'})`),
    get answers() {
      return heard.length;
    },
  };
}

const hosts = ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];

describe('tracker client with the reference tracker of exercise 09', () => {
  for (const host of hosts) {
    for (const scheme of ['http', 'udp'] as const) {
      const where = host.includes(':') ? `[${host}]` : host;
      test(`${scheme.toUpperCase()} on ${host}: peers find each other, complete, and leave`, async () => {
        const tracker = track(await startTracker({ host, port: 0, intervalSeconds: 1800 }));
        const url = scheme === 'http' ? `http://${where}:${tracker.httpPort}/announce` : `udp://${where}:${tracker.udpPort}`;
        let bLeft = 500;
        const a = peer(url, 'peer-a', 7001, () => 1000);
        expect(await a.answer(0), 'the first peer of the swarm hears of nobody').toEqual([]);
        const b = peer(url, 'peer-b', 7002, () => bLeft);
        expect(await b.answer(0), 'the second hears of the first').toEqual([{ host, port: 7001 }]);
        await a.client.announceNow();
        expect(await a.answer(1), 'and the first, announcing again, of the second').toEqual([{ host, port: 7002 }]);

        bLeft = 0;
        b.client.completed();
        await b.answer(1);
        const counts = await announce(url, { infoHash: INFO_HASH, peerId: id('counter'), port: 7003, uploaded: 0, downloaded: 0, left: 1, event: 'started' });
        expect({ seeders: counts.seeders, leechers: counts.leechers }, 'b completed: one seeder, a and the counter leech').toEqual({ seeders: 1, leechers: 2 });

        await b.client.stop();
        await a.client.announceNow();
        expect(await a.answer(2), 'b said stopped: it left the swarm').toEqual([{ host, port: 7003 }]);
        await a.client.stop(); // before the tracker closes (cleanup closes everything at once)
        expect([...a.errors, ...b.errors]).toEqual([]);
      }, 20_000);
    }
  }

  test('a request the tracker refuses is a TrackerFailureError over HTTP and over UDP', async () => {
    const tracker = track(await startTracker({ host: '127.0.0.1', port: 0 }));
    const bad: AnnounceParams = { infoHash: INFO_HASH, peerId: id('zero-port'), port: 0, uploaded: 0, downloaded: 0, left: 1, event: 'started' };
    for (const url of [`http://127.0.0.1:${tracker.httpPort}/announce`, `udp://127.0.0.1:${tracker.udpPort}`]) {
      const error = await announce(url, bad, { timeoutMs: 3000 }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(TrackerFailureError);
      expect((error as TrackerFailureError).reason, url).toMatch(/port/);
    }
  });
});
