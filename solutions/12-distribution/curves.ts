/**
 * Step 5: both bounds against N, for a swarm whose peers all upload at the
 * same rate: the two curves of the lecture's figure (client-server a
 * straight line, P2P flattening out), and what the experiment compares its
 * measurements with.
 */
import { checkCount } from './check-input.ts';
import { clientServerBound } from './client-server.ts';
import { p2pBound } from './p2p.ts';
import type { CurvePoint, SwarmSettings } from './types.ts';

/** For each N of `peerCounts` (in that order): the client-server bound with N clients and the P2P bound with N peers. */
export function distributionCurves(settings: SwarmSettings, peerCounts: readonly number[]): CurvePoint[] {
  return peerCounts.map((peers, i) => ({
    peers: checkCount(peers, `peerCounts[${i}]`),
    clientServer: clientServerBound({
      fileBytes: settings.fileBytes,
      clients: peers,
      serverUploadBytesPerSecond: settings.serverUploadBytesPerSecond,
      minDownloadBytesPerSecond: settings.minDownloadBytesPerSecond,
    }),
    p2p: p2pBound({
      fileBytes: settings.fileBytes,
      serverUploadBytesPerSecond: settings.serverUploadBytesPerSecond,
      peerUploadBytesPerSecond: Array.from({ length: peers }, () => settings.peerUploadBytesPerSecond),
      minDownloadBytesPerSecond: settings.minDownloadBytesPerSecond,
    }),
  }));
}
