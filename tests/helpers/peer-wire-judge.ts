/**
 * An independent peer-wire endpoint for the tests, written from BEP 3 (not
 * from the solution): it builds messages at the spec's byte offsets, reads
 * the other side's with its own parser, and records both directions into the
 * test's transcript, decoded by the library's peer-wire decoder. The tests
 * use it as a scripted peer: a seed that lies, one that stalls, one that
 * leaves mid-piece, a leecher that cancels.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { Transcript } from '../../lib/transcript/transcript.ts';
import { peerWireDecoder } from '../../lib/transcript/peer-wire.ts';

/** Message ids of BEP 3. */
export const ID = { choke: 0, unchoke: 1, interested: 2, notInterested: 3, have: 4, bitfield: 5, request: 6, piece: 7, cancel: 8, port: 9 } as const;
export const BLOCK = 16_384;

/** 4-byte big-endian numbers, end to end. */
export function u32(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32BE(v, i * 4));
  return out;
}

/** `<len><id><payload>`. */
export function wireMessage(id: number, ...parts: Uint8Array[]): Buffer {
  const payload = Buffer.concat([Buffer.from([id]), ...parts]);
  return Buffer.concat([u32(payload.length), payload]);
}

/** The 68-byte handshake. */
export function handshakeBytes(infoHash: Uint8Array, peerId: Uint8Array, reserved: Uint8Array = Buffer.alloc(8)): Buffer {
  return Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol', 'latin1'), reserved, infoHash, peerId]);
}

/** A bitfield's bytes for `count` pieces where `has(i)`. */
export function bitfieldOf(count: number, has: (i: number) => boolean): Buffer {
  const out = Buffer.alloc(Math.ceil(count / 8));
  for (let i = 0; i < count; i++) if (has(i)) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** A peer_id for a judge: printable, 20 bytes. */
export function judgePeerId(name: string): Buffer {
  return Buffer.from(`-JD0001-${createHash('sha1').update(name).digest('hex').slice(0, 12)}`, 'latin1');
}

/** One message read from the other side. */
export interface ReadMessage {
  /** The id, or -1 for a keep-alive. */
  id: number;
  payload: Buffer;
}

/** Thrown when the other side closed while we waited for something. */
export class JudgeClosedError extends Error {}

/** A scripted peer on one TCP connection. */
export class WireJudge {
  private buffered = Buffer.alloc(0);
  private handshakeRead = false;
  private wake: (() => void) | undefined;
  private ended = false;
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void>;

  private constructor(
    readonly socket: net.Socket,
    private readonly transcript: Transcript | undefined,
    /** How our own bytes are shown: `client` when we dialled, `server` when we accepted. */
    private readonly role: 'client' | 'server',
  ) {
    if (transcript) transcript.decoder = peerWireDecoder;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      transcript?.record(role === 'client' ? 'server' : 'client', chunk);
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.ended = true;
      this.wake?.();
      resolve();
    }));
  }

  /** Dials a peer; our bytes are recorded as `C:`. */
  static connect(address: { host: string; port: number }, transcript?: Transcript): Promise<WireJudge> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(address.port, address.host);
      socket.once('connect', () => resolve(new WireJudge(socket, transcript, 'client')));
      socket.once('error', reject);
    });
  }

  /** Wraps a connection we accepted; our bytes are recorded as `S:`. */
  static accepted(socket: net.Socket, transcript?: Transcript): WireJudge {
    return new WireJudge(socket, transcript, 'server');
  }

  /** True once the socket closed. */
  get isClosed(): boolean {
    return this.ended;
  }

  /** Writes bytes as they are. */
  send(bytes: Uint8Array): void {
    if (this.socket.destroyed) return;
    this.transcript?.record(this.role, bytes);
    this.socket.write(bytes);
  }

  /** Marks the transcript at the latest message of the other side (or ours) with what was expected. */
  expect(note: string, side: 'theirs' | 'ours' = 'theirs'): void {
    const theirs = this.role === 'client' ? 'server' : 'client';
    this.transcript?.expect(note, side === 'theirs' ? theirs : this.role);
  }

  /** Reads the other side's handshake (68 bytes). */
  async readHandshake(timeoutMs = 5000): Promise<{ infoHash: Buffer; peerId: Buffer }> {
    const bytes = await this.take(68, timeoutMs);
    this.handshakeRead = true;
    return { infoHash: bytes.subarray(28, 48), peerId: bytes.subarray(48, 68) };
  }

  /** Reads the next message after the handshake. */
  async next(timeoutMs = 5000): Promise<ReadMessage> {
    if (!this.handshakeRead) throw new Error('read the handshake first');
    const length = (await this.take(4, timeoutMs)).readUInt32BE(0);
    if (length === 0) return { id: -1, payload: Buffer.alloc(0) };
    if (length > 1 << 20) throw new Error(`a message of ${length} bytes: not a peer`);
    const body = await this.take(length, timeoutMs);
    return { id: body[0]!, payload: body.subarray(1) };
  }

  /** Reads messages until one satisfies `wanted` (returned); the others are passed to `seen`. */
  async until(wanted: (m: ReadMessage) => boolean, timeoutMs = 5000, seen?: (m: ReadMessage) => void): Promise<ReadMessage> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - performance.now()));
      if (wanted(m)) return m;
      seen?.(m);
    }
  }

  /** Resolves true if the socket closes within `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Waits for exactly `n` more bytes. */
  private async take(n: number, timeoutMs: number): Promise<Buffer> {
    const deadline = performance.now() + timeoutMs;
    while (this.buffered.length < n) {
      if (this.ended) throw new JudgeClosedError(`the peer closed the connection (waiting for ${n} bytes, ${this.buffered.length} arrived)`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${n} bytes (${this.buffered.length} arrived)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }
}

/** A listening judge: every accepted connection is handed to `onPeer`. */
export interface JudgeServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 port 0; each connection becomes a {@link WireJudge} (the first one records into `transcript`). */
export async function listenJudge(onPeer: (judge: WireJudge) => void | Promise<void>, transcript?: Transcript): Promise<JudgeServer> {
  const sockets = new Set<net.Socket>();
  let recorded = false;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const judge = WireJudge.accepted(socket, recorded ? undefined : transcript);
    recorded = true;
    void Promise.resolve(onPeer(judge)).catch(() => judge.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** How a scripted seed behaves. */
export interface ScriptedSeedOptions {
  /** The torrent's info_hash and piece length, and all its bytes. */
  infoHash: Uint8Array;
  pieceLength: number;
  bytes: Buffer;
  peerId?: Buffer;
  /** Pieces it claims (and serves). @default all */
  has?: (index: number) => boolean;
  /** Answers requests with wrong bytes (the right length). */
  corrupt?: boolean;
  /** Never answers a request (a stalled peer). */
  silent?: boolean;
  /** Closes the connection after sending this many blocks. */
  leaveAfterBlocks?: number;
  /** Called for every request received: `index begin length`. */
  onRequest?: (index: number, begin: number, length: number) => void;
}

/**
 * Plays a seed on one connection: handshake, bitfield, unchoke as soon as
 * the other side is interested, then answers requests from `bytes`.
 * Returns when the connection closes.
 */
export async function playSeed(judge: WireJudge, options: ScriptedSeedOptions): Promise<void> {
  const pieces = Math.ceil(options.bytes.length / options.pieceLength);
  const has = options.has ?? (() => true);
  judge.send(handshakeBytes(options.infoHash, options.peerId ?? judgePeerId('seed')));
  try {
    await judge.readHandshake();
    judge.send(wireMessage(ID.bitfield, bitfieldOf(pieces, has)));
    let sent = 0;
    for (;;) {
      const m = await judge.next(30_000);
      if (m.id === ID.interested) judge.send(wireMessage(ID.unchoke));
      if (m.id !== ID.request) continue;
      const index = m.payload.readUInt32BE(0);
      const begin = m.payload.readUInt32BE(4);
      const length = m.payload.readUInt32BE(8);
      options.onRequest?.(index, begin, length);
      if (options.silent || !has(index)) continue;
      const at = index * options.pieceLength + begin;
      let block = options.bytes.subarray(at, at + length);
      if (options.corrupt) block = Buffer.from(block.map((b) => b ^ 0x5a));
      judge.send(wireMessage(ID.piece, u32(index, begin), block));
      if (++sent === options.leaveAfterBlocks) return judge.close();
    }
  } catch {
    judge.close();
  }
}
