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
import { settingsPerDirection } from './per-direction.ts';
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

/** The options that set faults, at the top level or per direction. */
const FAULT_FIELDS: readonly (keyof UdpFaults)[] = ['drop', 'duplicate', 'reorder', 'delayMs', 'dropIndices', 'duplicateIndices', 'reorderIndices'];

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
  const seed = options.seed ?? 0;
  const faults = settingsPerDirection<UdpFaults>(options, FAULT_FIELDS);
  // The plans check the options: a bad one throws before any socket is open.
  const plans: Record<ProxyDirection, UdpFaultPlan> = {
    toServer: new UdpFaultPlan(seed, 'toServer', faults.toServer),
    toClient: new UdpFaultPlan(seed, 'toClient', faults.toClient),
  };
  const listener = await bindSocket(options.host ?? '127.0.0.1', options.port ?? 0);
  const forwarder = new FaultyForwarder(listener, plans, options);
  const address = listener.address();
  return {
    host: address.address,
    port: address.port,
    target: options.target,
    get stats() {
      return forwarder.totalStats();
    },
    statsByDirection: forwarder.statsByDirection,
    close: () => forwarder.close(),
  };
}

/** What the transcript says the proxy did to a datagram (`dropped`, `held back, delayed 23 ms`), or '' for nothing. */
function faultLabel(decision: UdpFaultDecision, holding: boolean): string {
  if (decision.drop) return 'dropped';
  return [
    decision.duplicate && 'duplicated',
    decision.reorder && !holding && 'held back',
    decision.delayMs > 0 && `delayed ${decision.delayMs} ms`,
  ].filter(Boolean).join(', ');
}

/**
 * The proxy at work: one flow (and upstream socket) per client address, each
 * datagram put through its direction's plan, and every delivery that waits
 * (delayed, or held back to be overtaken) on a timer that close() cancels.
 */
class FaultyForwarder {
  readonly statsByDirection: Record<ProxyDirection, UdpFaultStats> = { toServer: emptyStats(), toClient: emptyStats() };
  private readonly flows = new Map<string, Flow>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly target: { host: string; port: number };
  /** The upstream binds to the loopback address of the target's family when the target is an IP. */
  private readonly upstreamHost: string | undefined;
  private readonly holdMs: number;
  private readonly transcript: Transcript | undefined;

  constructor(
    private readonly listener: dgram.Socket,
    private readonly plans: Record<ProxyDirection, UdpFaultPlan>,
    options: UdpFaultProxyOptions,
  ) {
    this.target = options.target;
    this.upstreamHost = net.isIPv6(this.target.host) ? '::1' : net.isIPv4(this.target.host) ? '127.0.0.1' : undefined;
    this.holdMs = options.holdMs ?? 200;
    this.transcript = options.transcript;
    listener.on('error', () => {}); // a send to a client that went away must not crash the test run
    listener.on('message', (data, rinfo) => {
      if (!this.closed) this.handle('toServer', this.flowOf(rinfo), data);
    });
  }

  /** Both directions added up. */
  totalStats(): UdpFaultStats {
    const sum = emptyStats();
    for (const stats of Object.values(this.statsByDirection)) {
      for (const key of Object.keys(sum) as (keyof UdpFaultStats)[]) sum[key] += stats[key];
    }
    return sum;
  }

  /** Stops forwarding, cancels pending deliveries and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([closeSocket(this.listener), ...[...this.flows.values()].map((f) => closeSocket(f.upstream))]);
    this.flows.clear();
  }

  /** The flow of a client address, made (with its upstream socket) on its first datagram. */
  private flowOf(rinfo: dgram.RemoteInfo): Flow {
    const key = `${rinfo.address}|${rinfo.port}`;
    const known = this.flows.get(key);
    if (known) return known;
    const { upstreamHost, target } = this;
    const upstream = dgram.createSocket(upstreamHost === '::1' || (!upstreamHost && rinfo.family === 'IPv6') ? 'udp6' : 'udp4');
    upstream.on('error', () => {});
    // Sends issued before the bind completes are queued by node:dgram, in order.
    upstream.bind(0, upstreamHost);
    const flow: Flow = { address: rinfo.address, port: rinfo.port, upstream, held: {} };
    upstream.on('message', (reply, from) => {
      if (from.port !== target.port || (upstreamHost && from.address !== target.host)) return; // not our server
      this.handle('toClient', flow, reply);
    });
    this.flows.set(key, flow);
    return flow;
  }

  /** One datagram arrived: record it, then drop it, hold it back, or deliver it (and the one it overtakes). */
  private handle(dir: ProxyDirection, flow: Flow, data: Buffer): void {
    if (this.closed) return;
    const decision = this.plans[dir].next();
    if (this.transcript) {
      const fault = faultLabel(decision, flow.held[dir] !== undefined);
      this.transcript.record(dir === 'toServer' ? 'client' : 'server', data, fault ? { datagram: true, fault } : { datagram: true });
    }
    if (decision.drop) {
      this.statsByDirection[dir].dropped++;
      return;
    }
    const held = flow.held[dir];
    if (held) {
      // This datagram overtakes the one held back, which follows right after it.
      clearTimeout(held.timer);
      this.timers.delete(held.timer);
      flow.held[dir] = undefined;
      this.statsByDirection[dir].reordered++;
      this.deliver(dir, flow, data, decision);
      this.deliver(dir, flow, held.data, held.decision);
    } else if (decision.reorder) {
      const timer = this.later(this.holdMs, () => {
        flow.held[dir] = undefined;
        this.deliver(dir, flow, data, decision);
      });
      flow.held[dir] = { data, decision, timer };
    } else {
      this.deliver(dir, flow, data, decision);
    }
  }

  /** Sends now, or after the decision's delay. */
  private deliver(dir: ProxyDirection, flow: Flow, data: Buffer, decision: UdpFaultDecision): void {
    if (decision.delayMs > 0) {
      this.statsByDirection[dir].delayed++;
      this.later(decision.delayMs, () => this.send(dir, flow, data, decision));
    } else {
      this.send(dir, flow, data, decision);
    }
  }

  /** Puts the datagram on the wire, twice when the decision duplicates it. */
  private send(dir: ProxyDirection, flow: Flow, data: Buffer, decision: UdpFaultDecision): void {
    if (this.closed) return;
    const stats = this.statsByDirection[dir];
    stats.forwarded++;
    if (decision.duplicate) stats.duplicated++;
    for (let copy = 0; copy < (decision.duplicate ? 2 : 1); copy++) {
      if (dir === 'toServer') flow.upstream.send(data, this.target.port, this.target.host, () => {});
      else this.listener.send(data, flow.port, flow.address, () => {});
    }
  }

  /** A timer that close() cancels. */
  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }
}
