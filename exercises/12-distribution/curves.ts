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
  // TODO: check each N (field 'peerCounts[i]'); then one CurvePoint per N, built with the two functions above.
  throw new Error('TODO(12-distribution): distributionCurves');
}
