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
  const { metainfo } = options;
  const peerId = options.peerId ?? newPeerId();
  if (peerId.length !== ID_LENGTH) throw new RangeError(`a peer_id is ${ID_LENGTH} bytes, got ${peerId.length}`);
  const pipeline = options.pipeline ?? DEFAULT_PIPELINE;
  if (!Number.isInteger(pipeline) || pipeline < 1) throw new RangeError(`pipeline must be a whole number of at least 1, got ${pipeline}`);
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const onEvent = options.onEvent;
  const emit = (event: PeerEvent): void => {
    try {
      onEvent?.(event);
    } catch {
      // A listener's bug must not break the peer.
    }
  };

  const store = await openPieceStore(metainfo, options.dir, options.onCheck ? { onCheck: options.onCheck } : {});
  let resolveComplete!: () => void;
  const complete = new Promise<void>((resolve) => (resolveComplete = resolve));
  if (store.have.complete) resolveComplete();
  let tracker: TrackerClient | undefined;
  const random = new SeededRandom(options.seed ?? randomBytes(4).readUInt32BE(0));
  const swarm = new Swarm({
    store,
    infoHash: metainfo.infoHash,
    peerId,
    picker: options.picker ?? simplePicker,
    choker: options.choker ?? simpleChoker,
    random: () => random.float(),
    pipeline,
    requestTimeoutMs,
    uploadLimiter: options.uploadLimiter,
    downloadLimiter: options.downloadLimiter,
    emit,
    listening: onEvent !== undefined,
    onComplete: () => {
      tracker?.completed();
      resolveComplete();
    },
  });

  let closing = false;
  /** Addresses being dialled, so one address is not dialled twice at once. */
  const dialling = new Set<string>();
  const full = (): boolean => swarm.connections.size + dialling.size >= maxConnections;

  let server: TcpServer;
  try {
    server = await listenTcp(
      async (conn) => {
        if (closing || full()) return conn.destroy();
        await swarm.add(conn, 'in').conn.closed;
      },
      { host: options.host ?? '127.0.0.1', port: options.port ?? 0, graceMs: 0, onError: () => {} },
    );
  } catch (error) {
    await store.close();
    throw error;
  }
  const ownAddress = formatHostPort(server.host, server.port);

  /** Dials a peer; resolves once the handshakes went through, rejects with PeerConnectError. */
  async function dial(address: PeerAddress): Promise<void> {
    const key = formatHostPort(address.host, address.port);
    if (closing) throw new PeerConnectError(key, 'shutting-down', 'the peer is closing');
    if (key === ownAddress) throw new PeerConnectError(key, 'ourselves', 'that is our own address');
    if (swarm.connections.has(key) || dialling.has(key)) throw new PeerConnectError(key, 'duplicate', `already connected to ${key}`);
    if (full()) throw new PeerConnectError(key, 'refused', `already ${maxConnections} connections`);
    dialling.add(key);
    let conn;
    try {
      conn = await connectTcp({ host: address.host, port: address.port, timeoutMs: CONNECT_TIMEOUT_MS });
    } catch (error) {
      emit({ type: 'connect-failed', peer: key, message: (error as Error).message });
      throw new PeerConnectError(key, 'refused', `could not connect to ${key}: ${(error as Error).message}`);
    } finally {
      dialling.delete(key);
    }
    if (closing) {
      conn.destroy();
      throw new PeerConnectError(key, 'shutting-down', 'the peer is closing');
    }
    const pc = swarm.add(conn, 'out');
    try {
      await pc.ready;
    } catch {
      const { reason, detail } = pc.closedReason!;
      throw new PeerConnectError(key, reason, `${key}: ${detail}`);
    }
  }
  /** Dials and forgets: failures are events, not errors. */
  const dialQuietly = (address: PeerAddress): void => void dial(address).catch(() => {});

  const housekeeping = setInterval(() => swarm.housekeeping(), Math.min(1000, Math.max(20, requestTimeoutMs / 4)));
  const rechoking = setInterval(() => swarm.rechoke(), options.rechokeIntervalMs ?? DEFAULT_RECHOKE_INTERVAL_MS);
  housekeeping.unref();
  rechoking.unref();

  if (options.announce !== false && metainfo.announce !== undefined) {
    tracker = startTrackerClient({
      announceUrl: metainfo.announce,
      infoHash: metainfo.infoHash,
      peerId,
      port: server.port,
      stats: () => ({ uploaded: swarm.uploaded, downloaded: swarm.downloaded, left: store.left }),
      onPeers: (peers) => {
        emit({ type: 'tracker-peers', count: peers.length });
        peers.forEach(dialQuietly);
      },
      onError: (error) => emit({ type: 'tracker-error', message: error.message }),
      ...options.tracker,
    });
  }
  for (const address of options.peers ?? []) dialQuietly(address);

  let closed: Promise<void> | undefined;
  return {
    host: server.host,
    port: server.port,
    peerId,
    metainfo,
    get complete() {
      return store.have.complete;
    },
    connect: dial,
    whenComplete: () => complete,
    snapshot: () => takeSnapshot(swarm, server.host, server.port),
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(housekeeping);
        clearInterval(rechoking);
        const stopped = tracker ? Promise.race([tracker.stop(), new Promise((r) => setTimeout(r, CLOSE_TRACKER_MS).unref())]) : undefined;
        swarm.closeAll('shutting-down', 'we are closing');
        await Promise.allSettled([server.close(), stopped]);
        await store.close().catch(() => {});
      })();
      return closed;
    },
  };
}
