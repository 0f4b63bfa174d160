/**
 * A UDP proxy that behaves like a bad network: it sits between a client and
 * a server and drops, duplicates, reorders and delays datagrams, seeded so a
 * test sees the same faults on every run.
 *
 *   client ──▶ proxy.port ──(faults toServer)──▶ target
 *   client ◀── proxy.port ◀──(faults toClient)── target
 *
 * Each client address gets its own upstream socket, so the target sees one
 * distinct peer per client and its replies find their way back.
 *
 * @example
 * const proxy = await startUdpFaultProxy({ target: { host: '127.0.0.1', port: server.port },
 *   seed: 42, toServer: { dropIndices: [1, 4] }, delayMs: [0, 20] });
 * // point the client at proxy.host:proxy.port instead of the server
 * await proxy.close();
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Transcript } from '../transcript/transcript.ts';
import type { Seed } from './random.ts';
import { UdpFaultPlan, type UdpFaultDecision, type UdpFaults } from './udp-faults.ts';

/** Which way a datagram travels through the proxy. */
export type ProxyDirection = 'toServer' | 'toClient';

/** Options of {@link startUdpFaultProxy}. Faults given at the top level apply to both directions. */
export interface UdpFaultProxyOptions extends UdpFaults {
  /** The real server. */
  target: { host: string; port: number };
  /** Same seed, same faults. @default 0 */
  seed?: Seed;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on. @default 0 (the OS picks one) */
  port?: number;
  /** Faults for client → server datagrams only (each field overrides the top level). */
  toServer?: UdpFaults;
  /** Faults for server → client datagrams only (each field overrides the top level). */
  toClient?: UdpFaults;
  /** How long a held-back datagram waits for a next one to overtake it before it is sent anyway. @default 200 */
  holdMs?: number;
  /** Records each datagram as it reached the proxy (`client` / `server`), tagged with what the proxy did to it. */
  transcript?: Transcript;
}

/** Counts of what the proxy did. */
export interface UdpFaultStats {
  /** Datagrams delivered (a duplicate's second copy not counted). */
  forwarded: number;
  dropped: number;
  /** Datagrams delivered twice. */
  duplicated: number;
  /** Datagrams held back and overtaken by a later one. */
  reordered: number;
  /** Datagrams delivered after a delay greater than 0. */
  delayed: number;
}

/** A running UDP fault proxy. */
export interface UdpFaultProxy {
  /** Where clients send to instead of the target. */
  readonly host: string;
  readonly port: number;
  readonly target: { host: string; port: number };
  /** Both directions together. */
  readonly stats: Readonly<UdpFaultStats>;
  /** Per direction. */
  readonly statsByDirection: Readonly<Record<ProxyDirection, Readonly<UdpFaultStats>>>;
  /** Stops forwarding, cancels pending deliveries and closes every socket. */
  close(): Promise<void>;
}

/** A datagram waiting for the next one to overtake it. */
interface Held {
  data: Buffer;
  decision: UdpFaultDecision;
  timer: NodeJS.Timeout;
}

/** One client address and its upstream socket to the target. */
interface Flow {
  address: string;
  port: number;
  upstream: dgram.Socket;
  held: Partial<Record<ProxyDirection, Held>>;
}

const emptyStats = (): UdpFaultStats => ({ forwarded: 0, dropped: 0, duplicated: 0, reordered: 0, delayed: 0 });

/** Binds a UDP socket and resolves once it is listening. */
function bindSocket(host: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Closes a socket, tolerating one that is already closed. */
function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** Starts a fault-injecting UDP proxy in front of `target`; resolves once it listens. */
export async function startUdpFaultProxy(options: UdpFaultProxyOptions): Promise<UdpFaultProxy> {
  const { target, toServer = {}, toClient = {}, transcript, seed = 0, holdMs = 200 } = options;
  const common: UdpFaults = {
    drop: options.drop, duplicate: options.duplicate, reorder: options.reorder, delayMs: options.delayMs,
    dropIndices: options.dropIndices, duplicateIndices: options.duplicateIndices, reorderIndices: options.reorderIndices,
  };
  const defined = (faults: UdpFaults) => Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined)) as UdpFaults;
  const plans: Record<ProxyDirection, UdpFaultPlan> = {
    toServer: new UdpFaultPlan(seed, 'toServer', { ...defined(common), ...defined(toServer) }),
    toClient: new UdpFaultPlan(seed, 'toClient', { ...defined(common), ...defined(toClient) }),
  };
  const statsByDirection: Record<ProxyDirection, UdpFaultStats> = { toServer: emptyStats(), toClient: emptyStats() };
  const listener = await bindSocket(options.host ?? '127.0.0.1', options.port ?? 0);
  listener.on('error', () => {}); // a send to a client that went away must not crash the test run
  const flows = new Map<string, Flow>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  // The upstream binds to the loopback address of the target's family when the target is an IP.
  const upstreamHost = net.isIPv6(target.host) ? '::1' : net.isIPv4(target.host) ? '127.0.0.1' : undefined;

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };

  const send = (dir: ProxyDirection, flow: Flow, data: Buffer, decision: UdpFaultDecision): void => {
    if (closed) return;
    const stats = statsByDirection[dir];
    const copies = decision.duplicate ? 2 : 1;
    stats.forwarded++;
    if (decision.duplicate) stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (dir === 'toServer') flow.upstream.send(data, target.port, target.host, () => {});
      else listener.send(data, flow.port, flow.address, () => {});
    }
  };

  const deliver = (dir: ProxyDirection, flow: Flow, data: Buffer, decision: UdpFaultDecision): void => {
    if (decision.delayMs > 0) {
      statsByDirection[dir].delayed++;
      later(decision.delayMs, () => send(dir, flow, data, decision));
    } else {
      send(dir, flow, data, decision);
    }
  };

  const handle = (dir: ProxyDirection, flow: Flow, data: Buffer): void => {
    if (closed) return;
    const decision = plans[dir].next();
    if (transcript) {
      const fault = [
        decision.drop && 'dropped',
        !decision.drop && decision.duplicate && 'duplicated',
        !decision.drop && decision.reorder && !flow.held[dir] && 'held back',
        !decision.drop && decision.delayMs > 0 && `delayed ${decision.delayMs} ms`,
      ].filter(Boolean).join(', ');
      transcript.record(dir === 'toServer' ? 'client' : 'server', data, fault ? { datagram: true, fault } : { datagram: true });
    }
    if (decision.drop) {
      statsByDirection[dir].dropped++;
      return;
    }
    const held = flow.held[dir];
    if (held) {
      // This datagram overtakes the one held back, which follows right after it.
      clearTimeout(held.timer);
      timers.delete(held.timer);
      flow.held[dir] = undefined;
      statsByDirection[dir].reordered++;
      deliver(dir, flow, data, decision);
      deliver(dir, flow, held.data, held.decision);
    } else if (decision.reorder) {
      const timer = later(holdMs, () => {
        flow.held[dir] = undefined;
        deliver(dir, flow, data, decision);
      });
      flow.held[dir] = { data, decision, timer };
    } else {
      deliver(dir, flow, data, decision);
    }
  };

  listener.on('message', (data, rinfo) => {
    if (closed) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const upstream = dgram.createSocket(upstreamHost === '::1' || (!upstreamHost && rinfo.family === 'IPv6') ? 'udp6' : 'udp4');
      upstream.on('error', () => {});
      // Sends issued before the bind completes are queued by node:dgram, in order.
      upstream.bind(0, upstreamHost);
      const created: Flow = { address: rinfo.address, port: rinfo.port, upstream, held: {} };
      upstream.on('message', (reply, from) => {
        if (from.port !== target.port || (upstreamHost && from.address !== target.host)) return; // not our server
        handle('toClient', created, reply);
      });
      flows.set(key, created);
      flow = created;
    }
    handle('toServer', flow, data);
  });

  const address = listener.address();
  const total = (): UdpFaultStats => {
    const sum = emptyStats();
    for (const stats of Object.values(statsByDirection)) {
      for (const key of Object.keys(sum) as (keyof UdpFaultStats)[]) sum[key] += stats[key];
    }
    return sum;
  };

  return {
    host: address.address,
    port: address.port,
    target,
    get stats() {
      return total();
    },
    statsByDirection,
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([closeSocket(listener), ...[...flows.values()].map((f) => closeSocket(f.upstream))]);
      flows.clear();
    },
  };
}
