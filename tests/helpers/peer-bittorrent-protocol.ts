/**
 * The `bittorrent-protocol` package (webtorrent's peer wire) as the other end
 * of a connection: a downloader that fetches every block from our peer, and a
 * seed our peer downloads from. Both record the dialogue into the test's
 * transcript (decoded by the library's peer-wire decoder).
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import Wire from 'bittorrent-protocol';
import type { Transcript } from '../../lib/transcript/transcript.ts';
import { peerWireDecoder } from '../../lib/transcript/peer-wire.ts';
import { BLOCK, judgePeerId } from './peer-wire-judge.ts';

/** The torrent as the other implementation needs it. */
export interface WireTorrent {
  infoHash: Uint8Array;
  pieceLength: number;
  /** SHA-1 of each piece. */
  pieces: Uint8Array[];
  /** Every byte of the torrent, end to end (the seed serves from it). */
  bytes?: Buffer;
  length: number;
}

/** Joins a socket and a Wire, recording both directions (ours as `role`). */
function join(socket: net.Socket, transcript: Transcript | undefined, role: 'client' | 'server'): Wire {
  const wire = new Wire();
  if (transcript) transcript.decoder = peerWireDecoder;
  const theirs = role === 'client' ? 'server' : 'client';
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    transcript?.record(theirs, chunk);
    wire.write(chunk);
  });
  wire.on('data', (chunk) => {
    transcript?.record(role, chunk);
    if (!socket.destroyed) socket.write(chunk);
  });
  socket.on('error', () => wire.destroy());
  socket.on('close', () => wire.destroy());
  wire.on('error', () => socket.destroy());
  wire.on('close', () => socket.destroy());
  return wire;
}

/**
 * Connects to our peer with bittorrent-protocol and downloads every block,
 * checking each piece's SHA-1. Resolves with all the bytes.
 */
export function downloadWithBittorrentProtocol(address: { host: string; port: number }, torrent: WireTorrent, transcript?: Transcript): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(address.port, address.host);
    const wire = join(socket, transcript, 'client');
    const out = Buffer.alloc(torrent.length);
    const pieceCount = torrent.pieces.length;
    let missing = 0;
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.on('close', () => fail(new Error('the connection closed before every block arrived')));
    socket.once('connect', () => wire.handshake(torrent.infoHash, judgePeerId('bittorrent-protocol leecher')));
    wire.on('bitfield', () => wire.interested());
    wire.on('unchoke', () => {
      for (let index = 0; index < pieceCount; index++) {
        const length = Math.min(torrent.pieceLength, torrent.length - index * torrent.pieceLength);
        for (let begin = 0; begin < length; begin += BLOCK) {
          missing++;
          wire.request(index, begin, Math.min(BLOCK, length - begin), (err, block) => {
            if (err || !block) return fail(err ?? new Error(`no block ${index} ${begin}`));
            Buffer.from(block).copy(out, index * torrent.pieceLength + begin);
            if (--missing > 0) return;
            for (let i = 0; i < pieceCount; i++) {
              const piece = out.subarray(i * torrent.pieceLength, (i + 1) * torrent.pieceLength);
              if (!createHash('sha1').update(piece).digest().equals(Buffer.from(torrent.pieces[i]!))) return fail(new Error(`piece ${i} has the wrong SHA-1`));
            }
            socket.removeAllListeners('close');
            socket.destroy();
            resolve(out);
          });
        }
      }
    });
  });
}

/** A seed made of bittorrent-protocol, listening on 127.0.0.1. */
export interface BittorrentProtocolSeed {
  host: string;
  port: number;
  /** Requests received, `index begin length`. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves every piece of `torrent` to whoever connects (the first connection recorded). */
export async function seedWithBittorrentProtocol(torrent: WireTorrent & { bytes: Buffer }, transcript?: Transcript): Promise<BittorrentProtocolSeed> {
  const sockets = new Set<net.Socket>();
  const requests: string[] = [];
  let recorded = false;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const wire = join(socket, recorded ? undefined : transcript, 'server');
    recorded = true;
    wire.on('handshake', (infoHash) => {
      if (infoHash !== Buffer.from(torrent.infoHash).toString('hex')) return socket.destroy();
      wire.handshake(torrent.infoHash, judgePeerId('bittorrent-protocol seed'));
      const bits = Buffer.alloc(Math.ceil(torrent.pieces.length / 8));
      for (let i = 0; i < torrent.pieces.length; i++) bits[i >> 3]! |= 0x80 >> (i & 7);
      wire.bitfield(bits);
    });
    wire.on('interested', () => wire.unchoke());
    wire.on('request', (index, offset, length, respond) => {
      requests.push(`${index} ${offset} ${length}`);
      const at = index * torrent.pieceLength + offset;
      respond(null, torrent.bytes.subarray(at, at + length));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
