/**
 * Exercise 09: a BitTorrent tracker, HTTP (BEP 3, compact peers BEP 23) and
 * UDP (BEP 15) on one port number, sharing the swarms. The pure parts are
 * judged without sockets; the servers by an independent client written from
 * the BEPs in tests/helpers/tracker-client.ts (requests built at the spec's
 * byte offsets, bencoded answers decoded by the `bencode` package from npm).
 */
import { describe, expect } from 'vitest';
import { percentDecodeBytes, parseQuery } from '@impl/09-tracker/query.ts';
import { compactPeers } from '@impl/09-tracker/compact-peers.ts';
import { Swarms } from '@impl/09-tracker/swarms.ts';
import { startTracker } from '@impl/09-tracker/tracker.ts';
import { MAX_NUMWANT } from '@impl/09-tracker/constants.ts';
import { TrackerRequestError } from '@impl/09-tracker/request-error.ts';
import type { AnnounceRequest, Tracker, TrackerOptions } from '@impl/09-tracker/types.ts';
import type { Transcript } from '../lib/index.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import {
  ACTION,
  EVENT,
  UdpTrackerClient,
  announceRequest,
  binaryId,
  connectRequest,
  httpAnnounce,
  httpGet,
  readAnnounceAnswer,
  readCompactPeers,
  scrapeRequest,
  type CompactPeer,
} from './helpers/tracker-client.ts';
import { dictGet, type JudgeValue } from './helpers/tracker-bencode.ts';

const test = graded('09-tracker', {
  'decodes percent-encoded binary byte by byte, never as UTF-8': 2,
  'packs compact peers as 6 bytes each': 1,
  'a peer joins on started and is handed to others, never to itself': 2,
  'counts seeders, leechers and completed': 2,
  'a peer leaves on stopped': 1,
  'peers that stop announcing expire': 2,
  'honours numwant, with a default of 50 and a cap': 2,
  'memory is bounded: a full tracker refuses newcomers': 1,
  'answers an HTTP announce with a bencoded compact peer list': 3,
  'keeps binary info_hash and peer_id apart byte by byte': 2,
  'answers compact=0 with dictionaries, with peer id unless no_peer_id': 2,
  'answers bad HTTP requests with a failure reason': 2,
  'tolerates extra parameters such as key and supportcrypto': 1,
  'serves HTTP scrape with complete, incomplete and downloaded': 1,
  'serves a human-readable page of the swarms at /': 1,
  'UDP connect: action 0, the same transaction id, a connection id': 2,
  'UDP announce: interval, leechers, seeders and 6-byte peers at the BEP 15 offsets': 3,
  'UDP scrape: seeders, completed and leechers per info_hash': 2,
  'drops short and non-tracker datagrams and keeps serving': 2,
  'answers a forged connection id with an error': 2,
  'accepts a connection id for two minutes, refuses it after three': 2,
  'answers unknown actions and short announces with an error': 1,
  'HTTP and UDP share the swarms on one port number': 2,
  'peers leave the served swarm: stopped, or silent too long': 2,
  'a crowd of clients over HTTP and UDP all find each other': 2,
});

/** Everything a test opened, closed after it whatever happened. */
const track = closeAfterEach();

async function tracker(options: TrackerOptions = {}): Promise<Tracker> {
  return track(await startTracker({ host: '127.0.0.1', port: 0, ...options }));
}

async function udpClient(t: Tracker, transcript?: Transcript): Promise<UdpTrackerClient> {
  return track(await UdpTrackerClient.open({ host: '127.0.0.1', port: t.udpPort }, transcript));
}

/**
 * A client at another IP address, 127.0.0.2 (all of 127/8 is loopback on
 * Linux); undefined where the system allows only 127.0.0.1 (macOS).
 */
async function clientElsewhere(t: Tracker, transcript?: Transcript): Promise<UdpTrackerClient | undefined> {
  try {
    return track(await UdpTrackerClient.open({ host: '127.0.0.1', port: t.udpPort }, transcript, '127.0.0.2'));
  } catch {
    return undefined;
  }
}

/** Fails the test with `note` marked in the transcript when `ok` is false. */
function must(ok: boolean, note: string, transcript?: Transcript): void {
  if (!ok) transcript?.expect(note);
  expect(ok, note).toBe(true);
}

/** An announce as the swarm sees it, with defaults for what a test does not care about. */
function announce(fields: Partial<AnnounceRequest> & { peerId: Buffer }): AnnounceRequest {
  return { infoHash: binaryId('hash'), ip: '127.0.0.1', port: 6881, uploaded: 0, downloaded: 0, left: 1000, event: 'started', numWant: -1, ...fields };
}

const key = (p: { ip: string; port: number }) => `${p.ip}:${p.port}`;

function bytesOf(value: JudgeValue | undefined): Buffer | undefined {
  return value instanceof Uint8Array ? Buffer.from(value) : undefined;
}

/** Connects, then sends one UDP announce and returns the decoded answer (failing on silence or an error). */
async function udpAnnounce(c: UdpTrackerClient, fields: Omit<Parameters<typeof announceRequest>[0], 'connectionId' | 'transactionId'>, transcript?: Transcript) {
  const connectionId = await c.connect(0x5000 + (fields.port & 0xfff));
  const transactionId = 0x7000 + (fields.port & 0xfff);
  const answer = await c.exchange(announceRequest({ connectionId, transactionId, ...fields }));
  must(answer !== undefined && answer.length >= 20 && answer.readInt32BE(0) === ACTION.announce && answer.readUInt32BE(4) === transactionId,
    'expected an announce answer (action 1, same transaction id, at least 20 bytes)', transcript);
  return readAnnounceAnswer(answer!);
}

describe('step 1: bytes on the wire', () => {
  test('decodes percent-encoded binary byte by byte, never as UTF-8', () => {
    expect(percentDecodeBytes('%e9%FF%00A%2b~')).toEqual(Buffer.from([0xe9, 0xff, 0x00, 0x41, 0x2b, 0x7e]));
    expect(percentDecodeBytes('abc')).toEqual(Buffer.from('abc'));
    const params = parseQuery('info_hash=%01%02&info_hash=%ff%fe&peer_id=-WL0001-%80%81&port=6881&flag');
    expect(params.get('info_hash')).toEqual([Buffer.from([1, 2]), Buffer.from([0xff, 0xfe])]);
    expect(params.get('peer_id')).toEqual([Buffer.concat([Buffer.from('-WL0001-'), Buffer.from([0x80, 0x81])])]);
    expect(params.get('port')).toEqual([Buffer.from('6881')]);
    expect(params.get('flag')).toEqual([Buffer.alloc(0)]);
    for (const bad of ['%', '%4', '%zz', 'ab%g1']) {
      expect(() => percentDecodeBytes(bad), `"${bad}" is not valid percent-encoding`).toThrow(TrackerRequestError);
    }
  });

  test('packs compact peers as 6 bytes each', () => {
    const packed = compactPeers([
      { ip: '127.0.0.1', port: 6881, peerId: binaryId('a') },
      { ip: '10.200.3.4', port: 65535, peerId: binaryId('b') },
    ]);
    expect(packed).toEqual(Buffer.from([127, 0, 0, 1, 0x1a, 0xe1, 10, 200, 3, 4, 0xff, 0xff]));
    expect(compactPeers([])).toEqual(Buffer.alloc(0));
  });
});

describe('step 2: swarms', () => {
  test('a peer joins on started and is handed to others, never to itself', () => {
    const swarms = new Swarms({ peerTtlMs: 60_000 });
    const first = swarms.announce(announce({ peerId: binaryId('A'), port: 1001 }), 0);
    expect(first.peers, 'the first peer of a swarm gets nobody (not itself)').toEqual([]);
    const second = swarms.announce(announce({ peerId: binaryId('B'), port: 1002 }), 1);
    expect(second.peers.map(key)).toEqual(['127.0.0.1:1001']);
    expect(Buffer.from(second.peers[0]!.peerId)).toEqual(binaryId('A'));
    const again = swarms.announce(announce({ peerId: binaryId('A'), port: 1001, event: 'none' }), 2);
    expect(again.peers.map(key), 'A announcing again gets B, not itself').toEqual(['127.0.0.1:1002']);
    const other = swarms.announce(announce({ peerId: binaryId('C'), infoHash: binaryId('another'), port: 1003 }), 3);
    expect(other.peers, 'another info_hash is another swarm').toEqual([]);
  });

  test('counts seeders, leechers and completed', () => {
    const swarms = new Swarms({ peerTtlMs: 60_000 });
    swarms.announce(announce({ peerId: binaryId('seed'), left: 0, port: 1 }), 0);
    swarms.announce(announce({ peerId: binaryId('l1'), left: 500, port: 2 }), 0);
    const r = swarms.announce(announce({ peerId: binaryId('l2'), left: 500, port: 3 }), 0);
    expect({ complete: r.complete, incomplete: r.incomplete }).toEqual({ complete: 1, incomplete: 2 });
    const done = swarms.announce(announce({ peerId: binaryId('l1'), left: 0, event: 'completed', port: 2 }), 1);
    expect({ complete: done.complete, incomplete: done.incomplete }, 'l1 finished: now a seeder').toEqual({ complete: 2, incomplete: 1 });
    expect(swarms.scrape(binaryId('hash'))).toEqual({ complete: 2, incomplete: 1, downloaded: 1 });
    expect(swarms.scrape(binaryId('unknown'))).toEqual({ complete: 0, incomplete: 0, downloaded: 0 });
  });

  test('a peer leaves on stopped', () => {
    const swarms = new Swarms({ peerTtlMs: 60_000 });
    swarms.announce(announce({ peerId: binaryId('A'), port: 1 }), 0);
    swarms.announce(announce({ peerId: binaryId('B'), port: 2, left: 0 }), 0);
    const bye = swarms.announce(announce({ peerId: binaryId('B'), port: 2, left: 0, event: 'stopped' }), 1);
    expect(bye.peers, 'a stopping peer needs no peers').toEqual([]);
    const r = swarms.announce(announce({ peerId: binaryId('A'), port: 1, event: 'none' }), 2);
    expect(r.peers).toEqual([]);
    expect({ complete: r.complete, incomplete: r.incomplete }).toEqual({ complete: 0, incomplete: 1 });
    expect(swarms.peerCount).toBe(1);
  });

  test('peers that stop announcing expire', () => {
    const swarms = new Swarms({ peerTtlMs: 1000 });
    swarms.announce(announce({ peerId: binaryId('quiet'), port: 1 }), 0);
    swarms.announce(announce({ peerId: binaryId('chatty'), port: 2 }), 0);
    swarms.announce(announce({ peerId: binaryId('other'), infoHash: binaryId('h2'), port: 3 }), 0);
    swarms.announce(announce({ peerId: binaryId('chatty'), port: 2, event: 'none' }), 900);
    expect(swarms.expire(999), 'nobody is older than peerTtlMs yet').toBe(0);
    expect(swarms.expire(1500), 'quiet and other last announced 1500 ms ago').toBe(2);
    expect(swarms.peerCount).toBe(1);
    expect(swarms.swarmCount, 'an emptied swarm is forgotten').toBe(1);
    const r = swarms.announce(announce({ peerId: binaryId('new'), port: 4 }), 1600);
    expect(r.peers.map(key)).toEqual(['127.0.0.1:2']);
  });

  test('honours numwant, with a default of 50 and a cap', () => {
    const swarms = new Swarms({ peerTtlMs: 60_000 });
    for (let i = 0; i < 300; i++) swarms.announce(announce({ peerId: binaryId(`p${i}`), port: 10_000 + i, numWant: 0 }), 0);
    const me = { peerId: binaryId('p7'), port: 10_007, event: 'none' as const };
    for (const [numWant, want] of [[5, 5], [0, 0], [-1, 50], [120, 120]] as const) {
      const peers = swarms.announce(announce({ ...me, numWant }), 1).peers;
      expect(peers.length, `numWant ${numWant}`).toBe(want);
      expect(new Set(peers.map(key)).size, 'no peer twice').toBe(want);
      expect(peers.map(key), 'never itself').not.toContain('127.0.0.1:10007');
    }
    const many = swarms.announce(announce({ ...me, numWant: 100_000 }), 1).peers;
    expect(many.length).toBeGreaterThan(0);
    expect(many.length).toBeLessThanOrEqual(MAX_NUMWANT);
  });

  test('memory is bounded: a full tracker refuses newcomers', () => {
    const swarms = new Swarms({ peerTtlMs: 60_000, maxPeers: 10 });
    for (let i = 0; i < 10; i++) swarms.announce(announce({ peerId: binaryId(`p${i}`), infoHash: binaryId(`h${i % 3}`), port: 100 + i }), 0);
    expect(() => swarms.announce(announce({ peerId: binaryId('one too many'), port: 99 }), 0)).toThrow(TrackerRequestError);
    expect(swarms.announce(announce({ peerId: binaryId('p1'), infoHash: binaryId('h1'), port: 101, event: 'none' }), 1).peers.length,
      'peers already tracked still announce').toBeGreaterThan(0);
    expect(swarms.peerCount).toBe(10);
  });
});

describe('step 3: the HTTP tracker', () => {
  test('answers an HTTP announce with a bencoded compact peer list', async ({ transcript }) => {
    const t = await tracker({ intervalSeconds: 900 });
    const infoHash = binaryId('swarm');
    await httpAnnounce(t.httpPort, { info_hash: infoHash, peer_id: binaryId('A'), port: 6001, uploaded: 0, downloaded: 0, left: 0, event: 'started', compact: 1 }, transcript);
    const { value } = await httpAnnounce(t.httpPort, { info_hash: infoHash, peer_id: binaryId('B'), port: 6002, uploaded: 0, downloaded: 0, left: 100, event: 'started', compact: 1 }, transcript);
    must(dictGet(value, 'failure reason') === undefined, 'expected no failure reason for a valid announce', transcript);
    must(dictGet(value, 'interval') === 900, 'expected interval 900 (the configured intervalSeconds)', transcript);
    must(dictGet(value, 'complete') === 1 && dictGet(value, 'incomplete') === 1, 'expected complete 1 (A, left=0) and incomplete 1 (B)', transcript);
    const peers = bytesOf(dictGet(value, 'peers'));
    must(peers !== undefined && peers.length === 6, 'expected peers as a 6-byte string: A only', transcript);
    expect(readCompactPeers(peers!)).toEqual([{ ip: '127.0.0.1', port: 6001 }]);
  });

  test('keeps binary info_hash and peer_id apart byte by byte', async ({ transcript }) => {
    const t = await tracker();
    // Both are invalid UTF-8 in the same places: decoded as text they would both become U+FFFD…
    const h1 = Buffer.alloc(20, 0xe9);
    const h2 = Buffer.alloc(20, 0xea);
    await httpAnnounce(t.httpPort, { info_hash: h1, peer_id: binaryId('A'), port: 6001, left: 1, event: 'started' }, transcript);
    const b = await httpAnnounce(t.httpPort, { info_hash: h2, peer_id: binaryId('B'), port: 6002, left: 1, event: 'started' }, transcript);
    must(bytesOf(dictGet(b.value, 'peers'))?.length === 0, 'expected no peers: B is alone in swarm ea…ea (A is in e9…e9)', transcript);
    const c = await httpAnnounce(t.httpPort, { info_hash: h1, peer_id: Buffer.alloc(20, 0xff), port: 6003, left: 1, compact: 0 }, transcript);
    const list = dictGet(c.value, 'peers');
    must(Array.isArray(list) && list.length === 1, 'expected exactly A in swarm e9…e9', transcript);
    expect(bytesOf(dictGet((list as JudgeValue[])[0], 'peer id')), "A's peer id, byte for byte").toEqual(binaryId('A'));
  });

  test('answers compact=0 with dictionaries, with peer id unless no_peer_id', async ({ transcript }) => {
    const t = await tracker();
    const infoHash = binaryId('dicts');
    await httpAnnounce(t.httpPort, { info_hash: infoHash, peer_id: binaryId('A'), port: 7001, left: 5, event: 'started' }, transcript);
    const { value } = await httpAnnounce(t.httpPort, { info_hash: infoHash, peer_id: binaryId('B'), port: 7002, left: 5, compact: 0 }, transcript);
    const list = dictGet(value, 'peers');
    must(Array.isArray(list) && list.length === 1, 'expected peers as a list with one dictionary (A)', transcript);
    const a = (list as JudgeValue[])[0];
    expect(Buffer.from(bytesOf(dictGet(a, 'ip')) ?? []).toString()).toBe('127.0.0.1');
    expect(dictGet(a, 'port')).toBe(7001);
    expect(bytesOf(dictGet(a, 'peer id'))).toEqual(binaryId('A'));
    const anon = await httpAnnounce(t.httpPort, { info_hash: infoHash, peer_id: binaryId('C'), port: 7003, left: 5, compact: 0, no_peer_id: 1 }, transcript);
    const anonList = dictGet(anon.value, 'peers') as JudgeValue[];
    must(Array.isArray(anonList) && anonList.length === 2, 'expected A and B as dictionaries', transcript);
    for (const p of anonList) must(dictGet(p, 'peer id') === undefined, 'expected no "peer id" with no_peer_id=1', transcript);
  });

  test('answers bad HTTP requests with a failure reason', async ({ transcript }) => {
    const t = await tracker();
    const ok = { info_hash: binaryId('x'), peer_id: binaryId('p'), port: 6881, left: 0 };
    const bad: Record<string, Buffer | string | number | undefined>[] = [
      { ...ok, info_hash: undefined },
      { ...ok, peer_id: undefined },
      { ...ok, info_hash: Buffer.alloc(19, 1) },
      { ...ok, port: 'many' },
      { ...ok, port: 0 },
      { ...ok, port: 70000 },
      { ...ok, event: 'exploded' },
    ];
    for (const params of bad) {
      const { reply, value } = await httpAnnounce(t.httpPort, params, transcript);
      must(reply.status === 200, 'BitTorrent clients read the failure from a 200 answer', transcript);
      must(bytesOf(dictGet(value, 'failure reason')) !== undefined && dictGet(value, 'peers') === undefined,
        'expected only a "failure reason"', transcript);
    }
    const malformed = await httpGet(t.httpPort, '/announce?info_hash=%zz&peer_id=12345678901234567890&port=1', transcript);
    must(malformed.body.includes('failure reason'), 'expected a failure reason for a broken percent-escape', transcript);
    const still = await httpAnnounce(t.httpPort, ok, transcript);
    must(dictGet(still.value, 'failure reason') === undefined, 'expected the tracker to keep serving valid announces', transcript);
  });

  test('tolerates extra parameters such as key and supportcrypto', async ({ transcript }) => {
    const t = await tracker();
    const { value } = await httpAnnounce(t.httpPort, {
      info_hash: binaryId('extra'), peer_id: binaryId('p'), port: 6881, uploaded: 0, downloaded: 0, left: 10,
      event: 'started', key: 'A1B2C3', supportcrypto: 1, corrupt: 0, redundant: 0, numwant: 80, ip: '127.0.0.1', trackerid: 'x',
    }, transcript);
    must(dictGet(value, 'failure reason') === undefined && dictGet(value, 'interval') !== undefined,
      'expected a normal answer: unknown parameters are ignored', transcript);
  });

  test('serves HTTP scrape with complete, incomplete and downloaded', async ({ transcript }) => {
    const t = await tracker();
    const h = binaryId('scraped');
    await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId('s'), port: 1, left: 0, event: 'completed' }, transcript);
    await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId('l'), port: 2, left: 9, event: 'started' }, transcript);
    const reply = await httpGet(t.httpPort, `/scrape?info_hash=${[...h].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`, transcript);
    const { judgeDecode } = await import('./helpers/tracker-bencode.ts');
    const files = dictGet(judgeDecode(reply.body), 'files');
    // The bencode package names a binary key by its hex digits.
    const entry = dictGet(files, h.toString('hex'));
    must(entry !== undefined, 'expected files → <info_hash> in the scrape answer', transcript);
    expect({ complete: dictGet(entry, 'complete'), incomplete: dictGet(entry, 'incomplete'), downloaded: dictGet(entry, 'downloaded') })
      .toEqual({ complete: 1, incomplete: 1, downloaded: 1 });
  });

  test('serves a human-readable page of the swarms at /', async ({ transcript }) => {
    const t = await tracker();
    const h = binaryId('page');
    await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId('p'), port: 1, left: 3 }, transcript);
    const reply = await httpGet(t.httpPort, '/');
    expect(reply.status).toBe(200);
    expect(String(reply.headers['content-type'])).toMatch(/text\/html/);
    expect(reply.body.toString('utf8')).toContain(h.toString('hex'));
  });
});

describe('step 4: the UDP tracker', () => {
  test('UDP connect: action 0, the same transaction id, a connection id', async ({ transcript }) => {
    const t = await tracker();
    const c = await udpClient(t, transcript);
    const answer = await c.exchange(connectRequest(0xdeadbeef));
    must(answer !== undefined, 'expected an answer to connect', transcript);
    must(answer!.length === 16, 'expected exactly 16 bytes', transcript);
    must(answer!.readInt32BE(0) === ACTION.connect && answer!.readUInt32BE(4) === 0xdeadbeef, 'expected action 0 and transaction id deadbeef', transcript);
    const again = await c.exchange(connectRequest(1));
    must(again !== undefined && !again.subarray(8, 16).equals(Buffer.alloc(8)), 'expected a non-zero connection id', transcript);
    // Unguessable: another tracker (another secret) gives the same client, at the same moment, another id.
    const t2 = await tracker();
    const c2 = await udpClient(t2);
    const fromOther = await c2.connect(3);
    const fromFirst = await c.connect(4);
    must(!fromOther.equals(fromFirst), 'expected ids that depend on a secret of each tracker, not only on the address and the time', transcript);
    const elsewhere = await clientElsewhere(t);
    if (elsewhere) {
      const theirs = await elsewhere.connect(2);
      expect(theirs.equals(fromFirst), 'two IP addresses must not get the same connection id').toBe(false);
    }
  });

  test('UDP announce: interval, leechers, seeders and 6-byte peers at the BEP 15 offsets', async ({ transcript }) => {
    const t = await tracker({ intervalSeconds: 1234 });
    const a = await udpClient(t);
    const b = await udpClient(t, transcript);
    const infoHash = binaryId('udp swarm');
    await udpAnnounce(a, { infoHash, peerId: binaryId('A'), port: 5001, left: 0n, event: EVENT.started });
    await udpAnnounce(a, { infoHash, peerId: binaryId('C'), port: 5003, left: 0n, event: EVENT.started });
    const connectionId = await b.connect(77);
    const answer = await b.exchange(announceRequest({ connectionId, transactionId: 0xabcdef01, infoHash, peerId: binaryId('B'), port: 5002, left: 42n, event: EVENT.started, numWant: 50 }));
    must(answer !== undefined, 'expected an announce answer', transcript);
    must(answer!.readInt32BE(0) === ACTION.announce && answer!.readUInt32BE(4) === 0xabcdef01, 'expected action 1 and the same transaction id', transcript);
    must(answer!.length === 20 + 2 * 6, 'expected 20 header bytes + two 6-byte peers (A and C)', transcript);
    const got = readAnnounceAnswer(answer!);
    expect({ interval: got.interval, leechers: got.leechers, seeders: got.seeders }, 'interval @8, leechers @12, seeders @16')
      .toEqual({ interval: 1234, leechers: 1, seeders: 2 });
    expect(got.peers.map(key).sort()).toEqual(['127.0.0.1:5001', '127.0.0.1:5003']);
  });

  test('UDP scrape: seeders, completed and leechers per info_hash', async ({ transcript }) => {
    const t = await tracker();
    const c = await udpClient(t, transcript);
    const h1 = binaryId('one');
    const h2 = binaryId('two');
    await udpAnnounce(c, { infoHash: h1, peerId: binaryId('s1'), port: 1, left: 0n, event: EVENT.completed });
    await udpAnnounce(c, { infoHash: h1, peerId: binaryId('l1'), port: 2, left: 5n, event: EVENT.started });
    await udpAnnounce(c, { infoHash: h1, peerId: binaryId('l2'), port: 3, left: 5n, event: EVENT.started });
    const connectionId = await c.connect(5);
    const answer = await c.exchange(scrapeRequest(connectionId, 0x51, [h1, h2]));
    must(answer !== undefined && answer.length === 8 + 2 * 12, 'expected 8 + 12 bytes per info_hash', transcript);
    must(answer!.readInt32BE(0) === ACTION.scrape && answer!.readUInt32BE(4) === 0x51, 'expected action 2 and the same transaction id', transcript);
    const triple = (i: number) => [answer!.readInt32BE(8 + 12 * i), answer!.readInt32BE(12 + 12 * i), answer!.readInt32BE(16 + 12 * i)];
    expect(triple(0), 'seeders, completed, leechers of the first hash').toEqual([1, 1, 2]);
    expect(triple(1), 'an unknown info_hash scrapes as zeros').toEqual([0, 0, 0]);
  });

  test('drops short and non-tracker datagrams and keeps serving', async ({ transcript }) => {
    const t = await tracker();
    const c = await udpClient(t, transcript);
    const wrongMagic = connectRequest(9);
    wrongMagic.writeBigUInt64BE(0x1234n, 0);
    for (const junk of [Buffer.alloc(0), Buffer.from('hello'), connectRequest(3).subarray(0, 15), wrongMagic]) {
      const answer = await c.exchange(junk, 250);
      must(answer === undefined, 'expected silence: this is not a tracker request', transcript);
    }
    await c.connect(10);
  });

  test('answers a forged connection id with an error', async ({ transcript }) => {
    const t = await tracker();
    const c = await udpClient(t, transcript);
    const forged = Buffer.from('0123456789abcdef', 'hex');
    const answer = await c.exchange(announceRequest({ connectionId: forged, transactionId: 0x99, infoHash: binaryId('h'), peerId: binaryId('f'), port: 1 }));
    must(answer !== undefined && answer.readInt32BE(0) === ACTION.error && answer.readUInt32BE(4) === 0x99,
      'expected an error (action 3) with the same transaction id', transcript);
    // An id is tied to the IP address it was given to: a client elsewhere cannot use it.
    const owner = await udpClient(t);
    const thief = await clientElsewhere(t, transcript);
    if (thief) {
      const stolen = await owner.connect(1);
      const answer = await thief.exchange(announceRequest({ connectionId: stolen, transactionId: 0x98, infoHash: binaryId('h'), peerId: binaryId('t'), port: 2 }));
      must(answer !== undefined && answer.readInt32BE(0) === ACTION.error, 'expected an error: that connection id was given to 127.0.0.1, this is 127.0.0.2', transcript);
    }
    const scrape = await c.exchange(scrapeRequest(forged, 0x97, [binaryId('h')]));
    must(scrape !== undefined && scrape.readInt32BE(0) === ACTION.error, 'expected an error for a scrape with a forged connection id', transcript);
    const peers = await udpAnnounce(owner, { infoHash: binaryId('h'), peerId: binaryId('o'), port: 3 });
    expect(peers.peers, 'forged announces must not have joined the swarm').toEqual([]);
  });

  test('accepts a connection id for two minutes, refuses it after three', async ({ transcript }) => {
    let now = 1_000_000_000;
    const t = await tracker({ now: () => now, peerTtlMs: 3_600_000 });
    const c = await udpClient(t, transcript);
    const connectionId = await c.connect(1);
    const send = (tx: number) => c.exchange(announceRequest({ connectionId, transactionId: tx, infoHash: binaryId('h'), peerId: binaryId('p'), port: 9 }));
    now += 119_000;
    const fresh = await send(2);
    must(fresh !== undefined && fresh.readInt32BE(0) === ACTION.announce, 'expected the id to work 119 s after connect', transcript);
    now += 62_000;
    const stale = await send(3);
    must(stale !== undefined && stale.readInt32BE(0) === ACTION.error && stale.readUInt32BE(4) === 3, 'expected an error: the id is 181 s old', transcript);
  });

  test('answers unknown actions and short announces with an error', async ({ transcript }) => {
    const t = await tracker();
    const c = await udpClient(t, transcript);
    const connectionId = await c.connect(1);
    const unknown = Buffer.alloc(16);
    connectionId.copy(unknown, 0);
    unknown.writeInt32BE(7, 8);
    unknown.writeUInt32BE(0x31, 12);
    const a = await c.exchange(unknown);
    must(a !== undefined && a.readInt32BE(0) === ACTION.error && a.readUInt32BE(4) === 0x31, 'expected an error for action 7', transcript);
    const short = announceRequest({ connectionId, transactionId: 0x32, infoHash: binaryId('h'), peerId: binaryId('p'), port: 1 }).subarray(0, 60);
    const b = await c.exchange(Buffer.from(short));
    must(b !== undefined && b.readInt32BE(0) === ACTION.error && b.readUInt32BE(4) === 0x32, 'expected an error for a 60-byte announce', transcript);
    await udpAnnounce(c, { infoHash: binaryId('h'), peerId: binaryId('p'), port: 1 }, transcript);
  });
});

describe('step 5: one tracker, two transports', () => {
  test('HTTP and UDP share the swarms on one port number', async ({ transcript }) => {
    const t = await tracker();
    expect(t.udpPort).toBe(t.httpPort);
    const h = binaryId('both');
    const c = await udpClient(t, transcript);
    await udpAnnounce(c, { infoHash: h, peerId: binaryId('udp'), port: 4001, left: 0n, event: EVENT.started }, transcript);
    const { value } = await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId('http'), port: 4002, left: 1, event: 'started' }, transcript);
    expect(readCompactPeers(bytesOf(dictGet(value, 'peers')) ?? Buffer.alloc(0))).toEqual([{ ip: '127.0.0.1', port: 4001 }]);
    const back = await udpAnnounce(c, { infoHash: h, peerId: binaryId('udp'), port: 4001, left: 0n }, transcript);
    expect(back.peers).toEqual([{ ip: '127.0.0.1', port: 4002 }]);
  });

  test('peers leave the served swarm: stopped, or silent too long', async ({ transcript }) => {
    const t = await tracker({ peerTtlMs: 150 });
    const h = binaryId('leaving');
    const c = await udpClient(t, transcript);
    await udpAnnounce(c, { infoHash: h, peerId: binaryId('A'), port: 1, event: EVENT.started });
    await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId('B'), port: 2, left: 1, event: 'started' }, transcript);
    await udpAnnounce(c, { infoHash: h, peerId: binaryId('A'), port: 1, event: EVENT.stopped }, transcript);
    const { value } = await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId('B'), port: 2, left: 1 }, transcript);
    must(bytesOf(dictGet(value, 'peers'))?.length === 0 && dictGet(value, 'incomplete') === 1, 'expected A gone after event=stopped', transcript);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const late = await udpAnnounce(c, { infoHash: h, peerId: binaryId('C'), port: 3, event: EVENT.started }, transcript);
    must(late.peers.length === 0 && late.leechers === 1, 'expected B expired: silent for 4 × peerTtlMs', transcript);
    expect(t.stats().peers).toBe(1);
  });

  test('a crowd of clients over HTTP and UDP all find each other', async ({ transcript }) => {
    const t = await tracker();
    const h = binaryId('crowd');
    const n = 24;
    const seen: CompactPeer[][] = [];
    await Promise.all(Array.from({ length: n }, async (_, i) => {
      if (i % 2 === 0) {
        const c = await udpClient(t);
        seen[i] = (await udpAnnounce(c, { infoHash: h, peerId: binaryId(`c${i}`), port: 20_000 + i, left: BigInt(i % 3), event: EVENT.started })).peers;
      } else {
        seen[i] = readCompactPeers(bytesOf(dictGet((await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId(`c${i}`), port: 20_000 + i, left: i % 3, event: 'started' })).value, 'peers')) ?? Buffer.alloc(0));
      }
    }));
    // A second round: everyone is known now, so everyone gets all n - 1 others.
    for (let i = 0; i < n; i++) {
      const { value } = await httpAnnounce(t.httpPort, { info_hash: h, peer_id: binaryId(`c${i}`), port: 20_000 + i, left: i % 3, numwant: 100 }, transcript);
      const peers = readCompactPeers(bytesOf(dictGet(value, 'peers')) ?? Buffer.alloc(0)).map(key).sort();
      const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).map((j) => `127.0.0.1:${20_000 + j}`).sort();
      must(JSON.stringify(peers) === JSON.stringify(others), `expected client ${i} to get all ${n - 1} others`, transcript);
      const seeds = Array.from({ length: n }, (_, j) => j).filter((j) => j % 3 === 0).length;
      must(dictGet(value, 'complete') === seeds && dictGet(value, 'incomplete') === n - seeds, 'expected seeders (left=0) and leechers counted', transcript);
    }
    expect(seen.length).toBe(n);
  });
});
