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
  // TODO: build the TrackerState (Swarms, ConnectionIds, intervalSeconds, now) from the options and their defaults.
  // TODO: bind UDP on options.port (0 = any), then HTTP (createHttpTracker) on the SAME port number;
  // TODO: with port 0, if TCP says EADDRINUSE, close the UDP socket and try again (PORT_ATTEMPTS times).
  // TODO: attachUdpTracker; a timer (unref'd) that calls swarms.expire(now()) regularly; close() stops all three.
  throw new Error('TODO(09-tracker): startTracker');
}
