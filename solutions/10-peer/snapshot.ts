/**
 * The peer at one moment as plain data (JSON-ready), for progress bars,
 * piece maps and live web views. Given complete: the same file in
 * exercises/ and solutions/ (it reads the fields your Swarm and
 * PeerConnection keep up to date).
 */
import { clientName } from './client-name.ts';
import type { PeerConnection } from './peer-connection.ts';
import type { ConnectionSnapshot, PeerSnapshot } from './peer-types.ts';
import type { Swarm } from './swarm.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** One connection as plain data; `now` is performance.now(). */
function connectionSnapshot(c: PeerConnection, now: number): ConnectionSnapshot {
  const { state } = c;
  return {
    key: c.key,
    direction: c.direction,
    peerId: hex(c.peerId!),
    client: clientName(c.peerId!),
    has: state.peerHas.toString(),
    pieces: state.peerHas.count,
    seed: state.peerHas.complete,
    amChoking: state.amChoking,
    amInterested: state.amInterested,
    peerChoking: state.peerChoking,
    peerInterested: state.peerInterested,
    optimistic: c.optimistic,
    snubbed: c.snubbed,
    downloadRate: c.down.rate(now),
    uploadRate: c.up.rate(now),
    downloaded: c.down.total,
    uploaded: c.up.total,
    requestsOut: state.requested.size,
    requestsIn: state.uploads.length,
    connectedAt: c.connectedAt,
  };
}

/** The whole peer as plain data. */
export function takeSnapshot(swarm: Swarm, host: string, port: number): PeerSnapshot {
  const now = performance.now();
  const { have } = swarm.store;
  return {
    infoHash: hex(swarm.context.infoHash),
    peerId: hex(swarm.context.peerId),
    host,
    port,
    pieceCount: have.size,
    have: have.toString(),
    verified: have.count,
    complete: have.complete,
    left: swarm.store.left,
    uploaded: swarm.uploaded,
    downloaded: swarm.downloaded,
    wasted: swarm.wasted,
    uploadRate: swarm.upMeter.rate(now),
    downloadRate: swarm.downMeter.rate(now),
    connections: swarm.established.map((c) => connectionSnapshot(c, now)),
  };
}
