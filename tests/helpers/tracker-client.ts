/**
 * An independent tracker client for the tests, written from BEP 3, 15 and 23
 * (not from the solution): it builds requests at the spec's byte offsets,
 * decodes answers with the `bencode` package from npm, and records every
 * exchange into the test's transcript with readable message names.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type { DecodeContext, DecodedMessage, Transcript } from '../../lib/transcript/transcript.ts';
import { describeBencode, judgeDecode, type JudgeValue } from './tracker-bencode.ts';

export const PROTOCOL_ID = 0x41727101980n;
export const ACTION = { connect: 0, announce: 1, scrape: 2, error: 3 } as const;
export const EVENT = { none: 0, completed: 1, started: 2, stopped: 3 } as const;

// ---------------------------------------------------------------- UDP requests

/** Connect: int64 protocol id @0, int32 action 0 @8, int32 transaction id @12. */
export function connectRequest(transactionId: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(PROTOCOL_ID, 0);
  b.writeInt32BE(ACTION.connect, 8);
  b.writeUInt32BE(transactionId, 12);
  return b;
}

export interface UdpAnnounceFields {
  connectionId: Buffer;
  transactionId: number;
  infoHash: Buffer;
  peerId: Buffer;
  downloaded?: bigint;
  left?: bigint;
  uploaded?: bigint;
  event?: number;
  ip?: number;
  key?: number;
  numWant?: number;
  port: number;
}

/** Announce, 98 bytes at the offsets of BEP 15. */
export function announceRequest(f: UdpAnnounceFields): Buffer {
  const b = Buffer.alloc(98);
  f.connectionId.copy(b, 0, 0, 8);
  b.writeInt32BE(ACTION.announce, 8);
  b.writeUInt32BE(f.transactionId, 12);
  f.infoHash.copy(b, 16);
  f.peerId.copy(b, 36);
  b.writeBigUInt64BE(f.downloaded ?? 0n, 56);
  b.writeBigUInt64BE(f.left ?? 1000n, 64);
  b.writeBigUInt64BE(f.uploaded ?? 0n, 72);
  b.writeInt32BE(f.event ?? EVENT.none, 80);
  b.writeUInt32BE(f.ip ?? 0, 84);
  b.writeUInt32BE(f.key ?? 0, 88);
  b.writeInt32BE(f.numWant ?? -1, 92);
  b.writeUInt16BE(f.port, 96);
  return b;
}

/** Scrape: connection id @0, action 2 @8, transaction id @12, then 20 bytes per info_hash. */
export function scrapeRequest(connectionId: Buffer, transactionId: number, infoHashes: Buffer[]): Buffer {
  const b = Buffer.alloc(16 + 20 * infoHashes.length);
  connectionId.copy(b, 0, 0, 8);
  b.writeInt32BE(ACTION.scrape, 8);
  b.writeUInt32BE(transactionId, 12);
  infoHashes.forEach((h, i) => h.copy(b, 16 + 20 * i));
  return b;
}

// ---------------------------------------------------------------- UDP answers

export interface CompactPeer {
  ip: string;
  port: number;
}

/** Reads 6-byte compact peers (BEP 23). */
export function readCompactPeers(bytes: Uint8Array): CompactPeer[] {
  const b = Buffer.from(bytes);
  const peers: CompactPeer[] = [];
  for (let at = 0; at + 6 <= b.length; at += 6) {
    peers.push({ ip: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port: b.readUInt16BE(at + 4) });
  }
  return peers;
}

export interface AnnounceAnswer {
  interval: number;
  leechers: number;
  seeders: number;
  peers: CompactPeer[];
}

/** Announce answer: action 1 @0, transaction id @4, interval @8, leechers @12, seeders @16, peers @20. */
export function readAnnounceAnswer(b: Buffer): AnnounceAnswer {
  return { interval: b.readInt32BE(8), leechers: b.readInt32BE(12), seeders: b.readInt32BE(16), peers: readCompactPeers(b.subarray(20)) };
}

/** A readable name for a BEP 15 datagram, for transcripts. */
export function describeDatagram(direction: 'client' | 'server', b: Uint8Array): string {
  const buf = Buffer.from(b);
  const hex = `<${buf.length} bytes ${buf.subarray(0, 24).toString('hex')}${buf.length > 24 ? '…' : ''}>`;
  if (direction === 'client') {
    if (buf.length < 16) return `short datagram ${hex}`;
    const action = buf.readInt32BE(8);
    const tx = buf.readUInt32BE(12);
    if (action === ACTION.connect) return `connect tx=${tx}${buf.readBigUInt64BE(0) === PROTOCOL_ID ? '' : ' (wrong protocol id)'}`;
    const conn = buf.subarray(0, 8).toString('hex');
    if (action === ACTION.announce && buf.length >= 98) {
      return `announce tx=${tx} conn=${conn} info_hash=${shortHex(buf.subarray(16, 36))} peer_id=${shortHex(buf.subarray(36, 56))} left=${buf.readBigUInt64BE(64)} event=${buf.readInt32BE(80)} num_want=${buf.readInt32BE(92)} port=${buf.readUInt16BE(96)}`;
    }
    if (action === ACTION.scrape) return `scrape tx=${tx} conn=${conn} hashes=${Math.floor((buf.length - 16) / 20)}`;
    return `action ${action} tx=${tx} ${hex}`;
  }
  if (buf.length < 8) return `short answer ${hex}`;
  const action = buf.readInt32BE(0);
  const tx = buf.readUInt32BE(4);
  if (action === ACTION.connect && buf.length >= 16) return `connected tx=${tx} conn=${buf.subarray(8, 16).toString('hex')}`;
  if (action === ACTION.announce && buf.length >= 20) {
    const a = readAnnounceAnswer(buf);
    return `announced tx=${tx} interval=${a.interval} leechers=${a.leechers} seeders=${a.seeders} peers=[${a.peers.map((p) => `${p.ip}:${p.port}`).join(' ')}]`;
  }
  if (action === ACTION.scrape) return `scraped tx=${tx} ${hex}`;
  if (action === ACTION.error) return `error tx=${tx} "${buf.subarray(8).toString('utf8')}"`;
  return `action ${action} ${hex}`;
}

/** Transcript decoder for BEP 15 datagrams. */
export function udpTrackerDecoder(bytes: Buffer, context: DecodeContext): DecodedMessage {
  // A test may mix transports in one transcript: HTTP exchanges are recorded as text lines.
  const text = bytes.toString('latin1');
  if (/^(GET |\d{3} )[^\n]*\n$/.test(text)) return { text: bytes.toString('utf8').slice(0, -1), length: bytes.length };
  return { text: describeDatagram(context.direction, bytes), length: bytes.length };
}

/** A UDP socket that sends to one tracker and records both directions. */
export class UdpTrackerClient {
  private readonly queue: Buffer[] = [];
  private waiter: ((b: Buffer) => void) | undefined;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly target: { host: string; port: number },
    private readonly transcript?: Transcript,
  ) {
    socket.on('message', (msg) => {
      transcript?.record('server', msg, { datagram: true });
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(msg);
      } else this.queue.push(msg);
    });
  }

  /** Binds a client socket on `bindHost`:0 (default 127.0.0.1) aimed at the tracker; rejects when that address cannot be bound. */
  static async open(target: { host: string; port: number }, transcript?: Transcript, bindHost = '127.0.0.1'): Promise<UdpTrackerClient> {
    if (transcript && !transcript.decoder) transcript.decoder = udpTrackerDecoder;
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) => {
        socket.close();
        reject(error);
      });
      socket.bind(0, bindHost, () => resolve());
    });
    return new UdpTrackerClient(socket, target, transcript);
  }

  /** This client's own port (the tracker sees 127.0.0.1:port). */
  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Buffer): void {
    this.transcript?.record('client', packet, { datagram: true });
    this.socket.send(packet, this.target.port, this.target.host);
  }

  /** The next datagram, or undefined after `timeoutMs` of silence. */
  async receive(timeoutMs = 2000): Promise<Buffer | undefined> {
    const queued = this.queue.shift();
    if (queued) return queued;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiter = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
  }

  /** Sends and waits for one answer (undefined on silence). */
  async exchange(packet: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
    this.send(packet);
    return this.receive(timeoutMs);
  }

  /** Connects and returns the connection id, or throws with what came back instead. */
  async connect(transactionId = 0x1234): Promise<Buffer> {
    const answer = await this.exchange(connectRequest(transactionId));
    if (!answer || answer.length < 16 || answer.readInt32BE(0) !== ACTION.connect || answer.readUInt32BE(4) !== transactionId) {
      this.transcript?.expect('expected a 16-byte connect answer (action 0, same transaction id)');
      throw new Error(`no valid connect answer: ${answer ? describeDatagram('server', answer) : 'silence'}`);
    }
    return Buffer.from(answer.subarray(8, 16));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- HTTP

/** Percent-encodes EVERY byte of a binary value (`%12%ab…`), as careful clients do. */
export function percentEncodeAll(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** Builds a query: Buffers are binary (every byte percent-encoded), others are decimal or plain text. */
export function buildQuery(params: Record<string, Buffer | string | number | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Buffer.isBuffer(v) ? percentEncodeAll(v) : encodeURIComponent(String(v))}`)
    .join('&');
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one raw GET (the path is sent exactly as given) and reads the whole answer. */
export function httpGet(port: number, path: string, transcript?: Transcript, host = '127.0.0.1'): Promise<HttpReply> {
  transcript?.record('client', `${describeHttpRequest(path)}\n`, { datagram: true });
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method: 'GET', agent: false, timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        transcript?.record('server', `${describeHttpBody(res.statusCode ?? 0, body)}\n`, { datagram: true });
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('HTTP request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** `GET /announce info_hash=<e964…80> port=6001 …`: the query decoded, binary values as short hex. */
export function describeHttpRequest(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return `GET ${path}`;
  const params = path.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    const raw = pair.slice(eq + 1);
    let bytes: Buffer;
    try {
      bytes = Buffer.from(raw.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    } catch {
      return pair;
    }
    const text = bytes.toString('latin1');
    const shown = /^[\x20-\x7e]*$/.test(text) ? text : `<${shortHex(bytes)}>`;
    return `${pair.slice(0, eq)}=${shown}`;
  });
  return `GET ${path.slice(0, q)} ${params.join(' ')}`;
}

/** `e964…ff80`: the first and last bytes of an id, enough to tell ids apart in a transcript. */
export function shortHex(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return hex.length <= 12 ? hex : `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}

function describeHttpBody(status: number, body: Buffer): string {
  try {
    return `${status} ${describeBencode(judgeDecode(body))}`;
  } catch {
    const text = body.toString('latin1');
    return `${status} ${/^[\x20-\x7e\r\n\t]*$/.test(text) ? text.slice(0, 300) : `<${body.length} bytes, not bencode>`}`;
  }
}

/** GETs /announce with the given parameters and decodes the bencoded answer with the independent library. */
export async function httpAnnounce(
  port: number,
  params: Record<string, Buffer | string | number | undefined>,
  transcript?: Transcript,
): Promise<{ reply: HttpReply; value: JudgeValue }> {
  const reply = await httpGet(port, `/announce?${buildQuery(params)}`, transcript);
  let value: JudgeValue;
  try {
    value = judgeDecode(reply.body);
  } catch (error) {
    transcript?.expect('expected a bencoded dictionary');
    throw new Error(`the answer is not valid bencode: ${(error as Error).message}`);
  }
  return { reply, value };
}

// ---------------------------------------------------------------- ids

/** A 20-byte id from a label, with bytes above 0x7f so that UTF-8 decoding would corrupt it. */
export function binaryId(label: string): Buffer {
  const b = Buffer.alloc(20, 0xff);
  Buffer.from(label, 'latin1').copy(b, 1);
  b[0] = 0xe9; // é in latin1, an invalid lone byte in UTF-8
  b[19] = 0x80;
  return b;
}
