/**
 * One tracker, two front ends: HTTP on TCP port P and BEP 15 on UDP port P,
 * sharing the same swarms. BitTorrent clients pick by the announce URL:
 * `http://HOST:P/announce` or `udp://HOST:P`.
 */
import dgram from 'node:dgram';
import type http from 'node:http';
import { ConnectionIds } from './connection-ids.ts';
import { DEFAULT_INTERVAL_SECONDS, DEFAULT_MAX_PEERS } from './constants.ts';
import { createHttpTracker } from './http-server.ts';
import { Swarms } from './swarms.ts';
import type { Tracker, TrackerOptions, TrackerState } from './types.ts';
import { attachUdpTracker } from './udp-server.ts';

/** How often a random port is tried again when the TCP side of it is taken. */
const PORT_ATTEMPTS = 20;

/**
 * Starts a tracker and resolves once both listeners are ready.
 *
 * @example
 * const tracker = await startTracker({ port: 0 });
 * console.log(`http://127.0.0.1:${tracker.httpPort}/announce  udp://127.0.0.1:${tracker.udpPort}`);
 * await tracker.close();
 */
export async function startTracker(options: TrackerOptions = {}): Promise<Tracker> {
  const host = options.host ?? '127.0.0.1';
  const intervalSeconds = options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  const peerTtlMs = options.peerTtlMs ?? 2 * intervalSeconds * 1000;
  const now = options.now ?? Date.now;
  const state: TrackerState = {
    swarms: new Swarms({ peerTtlMs, maxPeers: options.maxPeers ?? DEFAULT_MAX_PEERS }),
    connectionIds: new ConnectionIds(now),
    intervalSeconds,
    now,
  };

  const { udp, tcp } = await bindSamePort(host, options.port ?? 0, state);
  attachUdpTracker(udp, state);
  // Peers that stopped announcing are swept out regularly, so memory follows the live swarm.
  const sweeper = setInterval(() => state.swarms.expire(now()), Math.max(10, Math.min(peerTtlMs / 2, 30_000)));
  sweeper.unref();

  return {
    host,
    httpPort: udp.address().port,
    udpPort: udp.address().port,
    stats: () => ({ swarms: state.swarms.swarmCount, peers: state.swarms.peerCount }),
    close: async () => {
      clearInterval(sweeper);
      tcp.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        new Promise<void>((resolve) => udp.close(() => resolve())),
      ]);
    },
  };
}

/**
 * Binds UDP first (port 0 lets the system choose), then TCP on the very same
 * number. With port 0 the TCP side may already be taken by someone else:
 * then both are let go and another number is tried.
 */
async function bindSamePort(host: string, port: number, state: TrackerState): Promise<{ udp: dgram.Socket; tcp: http.Server }> {
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', (error) => {
        udp.close();
        reject(error);
      });
      udp.bind(port, host, () => {
        udp.removeAllListeners('error');
        resolve();
      });
    });
    const tcp = createHttpTracker(state);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(udp.address().port, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      return { udp, tcp };
    } catch (error) {
      udp.close();
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!taken || port !== 0 || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}
