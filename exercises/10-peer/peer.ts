/**
 * A BitTorrent peer (BEP 3): opens the files (re-checking what is there),
 * listens for peers, dials the ones it is given or the tracker hands out,
 * and then downloads and uploads at once until closed. The swarm logic is in
 * swarm.ts, one connection's in peer-connection.ts; this file wires them to
 * sockets, timers and the tracker.
 *
 * @example
 * const peer = await startPeer({ metainfo, dir: './downloads', peers: [{ host: '127.0.0.1', port: 6881 }] });
 * await peer.whenComplete();
 * await peer.close();
 */
import { randomBytes } from 'node:crypto';
import { connectTcp, formatHostPort, listenTcp, SeededRandom, type TcpServer } from 'wirelab';
import { WIRELAB_PEER_ID_PREFIX } from './client-name.ts';
import { openPieceStore } from './piece-store.ts';
import { PeerConnectError, type Peer, type PeerEvent, type PeerOptions } from './peer-types.ts';
import { takeSnapshot } from './snapshot.ts';
import { simpleChoker, simplePicker } from './simple-strategies.ts';
import { Swarm } from './swarm.ts';
import { startTrackerClient } from './tracker-client.ts';
import type { PeerAddress, TrackerClient } from './types.ts';
import { ID_LENGTH } from './wire-constants.ts';

/**
 * Requests in flight per peer. The pipeline must cover the time a request
 * needs to cross, be read from disk and come back as a block. On loopback
 * (bench/peer.bench.ts, 64 MiB, 2 busy cores) one seed → one leecher
 * reached 49, 61, 75, 81 and 81 MiB/s with 1, 4, 16, 64 and 256 requests in
 * flight (a plain TCP file copy: 135 MiB/s): 64 is where it stops growing.
 */
export const DEFAULT_PIPELINE = 64;
/** @see PeerOptions.requestTimeoutMs */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** @see PeerOptions.rechokeIntervalMs */
export const DEFAULT_RECHOKE_INTERVAL_MS = 10_000;
/** @see PeerOptions.maxConnections */
export const DEFAULT_MAX_CONNECTIONS = 50;
/** How long an outgoing TCP connect may take. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** close() waits at most this long for the tracker's `stopped`. */
export const CLOSE_TRACKER_MS = 2_000;

/** A fresh peer_id: our BEP 20 tag and 12 random characters (printable, so logs show it). */
export function newPeerId(): Uint8Array {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const random = [...randomBytes(ID_LENGTH - WIRELAB_PEER_ID_PREFIX.length)].map((b) => alphabet[b % alphabet.length]).join('');
  return Buffer.from(WIRELAB_PEER_ID_PREFIX + random, 'latin1');
}

/** Starts a peer; resolves once the files are checked and it listens. */
export async function startPeer(options: PeerOptions): Promise<Peer> {
  // TODO: 1. the peer_id (newPeerId() unless given), the options' defaults (DEFAULT_…);
  // TODO: 2. openPieceStore(metainfo, dir): it re-checks what is on disk;
  // TODO: 3. a Swarm with the store, the strategies (simplePicker, simpleChoker unless given), a seeded
  // TODO:    random source (SeededRandom) and an emit() that a throwing onEvent cannot break;
  // TODO: 4. listenTcp: each accepted connection goes to swarm.add(conn, 'in') (refuse past maxConnections);
  // TODO: 5. timers: swarm.housekeeping() and swarm.rechoke() (unref them so they never keep a process alive);
  // TODO: 6. the tracker client when metainfo.announce is set and options.announce is not false
  // TODO:    (stats: uploaded, downloaded, store.left; onPeers: dial them), and dial options.peers;
  // TODO:    dialling: connectTcp then swarm.add(conn, 'out'), never our own address or one already connected;
  // TODO: 7. return the Peer: connect() resolves once `ready` (else PeerConnectError), whenComplete(),
  // TODO:    snapshot() (takeSnapshot), close(): timers, tracker stop (bounded), connections, listener, store.
  throw new Error(`TODO(10-peer): startPeer for ${options.metainfo.name} in ${options.dir}`);
}
