/**
 * The tests' own UDP peers for exercises 01 and 02: a socket that records
 * every datagram it gets and lets the test decide, datagram by datagram,
 * whether and how to answer. Used as the judge of a student's client (so the
 * client is graded against a server we trust) and as a silent sink.
 */
import { bindUdp, type Datagram, type Transcript, type UdpSocket } from '../../lib/index.ts';

/** Decides what to do with the `index`-th datagram (0-based); may send with `socket`. */
export type Respond = (datagram: Datagram, index: number, socket: UdpSocket) => void | Promise<void>;

/** A running responder. */
export interface UdpResponder {
  readonly host: string;
  readonly port: number;
  /** Every datagram received, in order. */
  readonly received: Datagram[];
  /** Stops answering, cancels answers still scheduled with {@link UdpResponder.later}, closes the socket. */
  close(): Promise<void>;
  /** Runs `fn` after `ms` unless the responder was closed first. */
  later(ms: number, fn: () => void): void;
}

/** Options of {@link startUdpResponder}. */
export interface UdpResponderOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** What to do with each datagram. @default echo it back at once */
  respond?: Respond;
  /** Records what the responder receives (as `client`) and sends (as `server`). */
  transcript?: Transcript;
}

/** Echoes a datagram back to its sender. */
export const echoBack: Respond = (d, _index, socket) => socket.send(d.data, { host: d.host, port: d.port });

/** Never answers: a server that is up but silent (or every reply lost). */
export const silent: Respond = () => {};

/** Starts a responder on port 0. */
export async function startUdpResponder(options: UdpResponderOptions = {}): Promise<UdpResponder> {
  const socket = await bindUdp({ host: options.host ?? '127.0.0.1', port: 0, role: 'server', transcript: options.transcript });
  const respond = options.respond ?? echoBack;
  const received: Datagram[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const loop = (async () => {
    for await (const datagram of socket) {
      const index = received.length;
      received.push(datagram);
      try {
        await respond(datagram, index, socket);
      } catch {
        // The client may be gone already; the judge keeps judging.
      }
    }
  })();
  return {
    host: socket.address,
    port: socket.port,
    received,
    later(ms, fn) {
      if (closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!closed) fn();
      }, ms);
      timers.add(timer);
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await socket.close();
      await loop;
    },
  };
}

/** Whether this machine can bind ::1 (IPv6 loopback); some CI containers cannot. */
export async function hasIPv6Loopback(): Promise<boolean> {
  try {
    const probe = await bindUdp({ host: '::1', port: 0 });
    await probe.close();
    return true;
  } catch {
    return false;
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
