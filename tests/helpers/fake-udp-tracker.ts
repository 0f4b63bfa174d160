/**
 * A fake UDP tracker (BEP 15), the judge of a tracker CLIENT: it reads each
 * datagram at the spec's byte offsets, records it, and answers as the test
 * scripts it: drop the next N datagrams (to see the client resend), stay
 * silent (a tracker that is down), answer first with a wrong transaction id,
 * have a stranger send a forged answer first, or refuse with an error.
 * Connection ids are random and checked: an announce with any other id gets
 * an error, as from a real tracker.
 */
import { randomBytes } from 'node:crypto';
import { bindUdp, type Datagram, type Transcript, type UdpSocket } from '../../lib/index.ts';
import { ACTION, EVENT, PROTOCOL_ID, udpTrackerDecoder } from './tracker-client.ts';
import { startUdpResponder, type UdpResponder } from './udp-responder.ts';
import { Waiter } from './waiter.ts';

const EVENT_NAMES = new Map<number, string>(Object.entries(EVENT).map(([name, code]) => [code, name]));

/** One datagram as the tracker read it. */
export interface SeenUdpRequest {
  kind: 'connect' | 'announce' | 'other';
  /** Bytes 0–7: the protocol id of a connect, the connection id of an announce. */
  connectionId: Buffer;
  transactionId: number;
  length: number;
  at: number;
  /** Announce fields (BEP 15 offsets), when `kind` is 'announce'. */
  infoHash?: Buffer;
  peerId?: Buffer;
  downloaded?: bigint;
  left?: bigint;
  uploaded?: bigint;
  /** `none`, `completed`, `started`, `stopped`, or the number when unknown. */
  event?: string;
  key?: number;
  numWant?: number;
  port?: number;
  /** What the tracker did: answered, dropped it, or stayed silent. */
  fate?: 'answered' | 'dropped' | 'silent' | 'refused';
}

/** How the fake behaves; the test may change it at any time. */
export interface FakeUdpScript {
  interval: number;
  leechers: number;
  seeders: number;
  /** IPv4 peers handed out with every announce answer. */
  peers: { host: string; port: number }[];
  /** Drop this many of the next datagrams without answering (each one counts down). */
  dropNext: number;
  /** Answer nothing at all (a tracker that is down). */
  silent: boolean;
  /** Refuse every announce with this error message (action 3). */
  error: string | undefined;
  /** Before each real answer, send one with the transaction id off by one (and another connection id). */
  wrongTransactionIdFirst: boolean;
  /** Before each connect answer, a stranger's socket sends a forged one with the RIGHT transaction id. */
  forgeFromElsewhere: boolean;
}

/** A running fake. */
export interface FakeUdpTracker {
  /** `udp://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly requests: SeenUdpRequest[];
  /** Connection ids handed out (a forged or wrong one is never among them). */
  readonly issued: Buffer[];
  readonly script: FakeUdpScript;
  /** Resolves once `pick(requests)` is non-empty enough: `count` matching requests arrived. */
  waitFor(count: number, match: (r: SeenUdpRequest) => boolean, timeoutMs?: number): Promise<SeenUdpRequest[]>;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1, port 0, recording into `transcript` (BEP 15 datagrams decoded to names). */
export async function startFakeUdpTracker(transcript?: Transcript, script: Partial<FakeUdpScript> = {}): Promise<FakeUdpTracker> {
  if (transcript) transcript.decoder = udpTrackerDecoder;
  const waiter = new Waiter();
  const requests: SeenUdpRequest[] = [];
  const issued: Buffer[] = [];
  const full: FakeUdpScript = {
    interval: 1800, leechers: 0, seeders: 0, peers: [], dropNext: 0, silent: false, error: undefined,
    wrongTransactionIdFirst: false, forgeFromElsewhere: false, ...script,
  };
  const stranger: UdpSocket = await bindUdp({ host: '127.0.0.1', port: 0 });

  const answer = async (d: Datagram, _index: number, socket: UdpSocket): Promise<void> => {
    const seen = readRequest(d.data);
    requests.push(seen);
    try {
      if (full.silent) return void (seen.fate = 'silent');
      if (full.dropNext > 0) {
        full.dropNext--;
        return void (seen.fate = 'dropped');
      }
      const to = { host: d.host, port: d.port };
      if (seen.kind === 'connect') {
        const id = randomBytes(8);
        if (full.forgeFromElsewhere) await stranger.send(connectAnswer(seen.transactionId, Buffer.alloc(8, 0xee)), to);
        if (full.wrongTransactionIdFirst) await socket.send(connectAnswer((seen.transactionId + 1) >>> 0, Buffer.alloc(8, 0xdd)), to);
        issued.push(id);
        await socket.send(connectAnswer(seen.transactionId, id), to);
        seen.fate = 'answered';
      } else if (seen.kind === 'announce') {
        const known = issued.some((id) => id.equals(seen.connectionId));
        const refusal = known ? full.error : 'unknown connection id';
        if (full.wrongTransactionIdFirst) await socket.send(announceAnswer((seen.transactionId + 1) >>> 0, full, []), to);
        await socket.send(refusal === undefined ? announceAnswer(seen.transactionId, full, full.peers) : errorAnswer(seen.transactionId, refusal), to);
        seen.fate = refusal === undefined ? 'answered' : 'refused';
      }
    } finally {
      waiter.changed();
    }
  };
  const responder: UdpResponder = await startUdpResponder({ respond: answer, transcript });
  return {
    url: `udp://127.0.0.1:${responder.port}`,
    port: responder.port,
    requests,
    issued,
    script: full,
    waitFor: (count, match, timeoutMs = 3000) =>
      waiter.until(
        () => {
          const found = requests.filter(match);
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        () => `${count} matching datagrams at the tracker; it got ${requests.map((r) => r.kind + (r.event ? ` ${r.event}` : '')).join(', ') || 'nothing'}`,
      ),
    async close() {
      await responder.close();
      await stranger.close();
    },
  };
}

/** Reads a client datagram at the BEP 15 offsets (announce: 98 bytes). */
function readRequest(b: Buffer): SeenUdpRequest {
  const base = { connectionId: Buffer.from(b.subarray(0, 8)), length: b.length, at: Date.now() };
  if (b.length < 16) return { ...base, kind: 'other', transactionId: -1 };
  const action = b.readInt32BE(8);
  const transactionId = b.readUInt32BE(12);
  if (action === ACTION.connect && b.length >= 16 && b.readBigUInt64BE(0) === PROTOCOL_ID) return { ...base, kind: 'connect', transactionId };
  if (action !== ACTION.announce || b.length < 98) return { ...base, kind: 'other', transactionId };
  const event = b.readInt32BE(80);
  return {
    ...base,
    kind: 'announce',
    transactionId,
    infoHash: Buffer.from(b.subarray(16, 36)),
    peerId: Buffer.from(b.subarray(36, 56)),
    downloaded: b.readBigUInt64BE(56),
    left: b.readBigUInt64BE(64),
    uploaded: b.readBigUInt64BE(72),
    event: EVENT_NAMES.get(event) ?? String(event),
    key: b.readUInt32BE(88),
    numWant: b.readInt32BE(92),
    port: b.readUInt16BE(96),
  };
}

/** action 0 @0, transaction id @4, connection id @8. */
function connectAnswer(transactionId: number, connectionId: Buffer): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32BE(ACTION.connect, 0);
  b.writeUInt32BE(transactionId, 4);
  connectionId.copy(b, 8);
  return b;
}

/** action 1 @0, transaction id @4, interval @8, leechers @12, seeders @16, 6 bytes per peer @20. */
function announceAnswer(transactionId: number, s: FakeUdpScript, peers: FakeUdpScript['peers']): Buffer {
  const b = Buffer.alloc(20 + 6 * peers.length);
  b.writeInt32BE(ACTION.announce, 0);
  b.writeUInt32BE(transactionId, 4);
  b.writeInt32BE(s.interval, 8);
  b.writeInt32BE(s.leechers, 12);
  b.writeInt32BE(s.seeders, 16);
  peers.forEach((p, i) => {
    p.host.split('.').forEach((octet, j) => b.writeUInt8(Number(octet), 20 + 6 * i + j));
    b.writeUInt16BE(p.port, 24 + 6 * i);
  });
  return b;
}

/** action 3 @0, transaction id @4, message @8. */
function errorAnswer(transactionId: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const b = Buffer.alloc(8 + text.length);
  b.writeInt32BE(ACTION.error, 0);
  b.writeUInt32BE(transactionId, 4);
  text.copy(b, 8);
  return b;
}
