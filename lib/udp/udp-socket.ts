/**
 * A UDP socket you can `await`: send a datagram, wait for one (with a time
 * limit), or send a request and wait for the reply from that peer, resending
 * when it does not come. UDP may lose, duplicate or reorder datagrams; these
 * helpers do not hide that, they only make the waiting bounded.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { ConnectionClosedError, TimeoutError } from '../errors.ts';
import type { Direction, Transcript } from '../transcript/transcript.ts';
import { formatHostPort, unmapIPv4 } from '../address.ts';
import { waitFor, type WaitOptions } from '../wait.ts';
import { DEFAULT_QUEUE_LIMIT, Inbox, type Datagram } from './inbox.ts';

export type { Datagram } from './inbox.ts';

/** Where a datagram goes or comes from. */
export interface Peer {
  host: string;
  port: number;
}

/** Options of {@link bindUdp}. */
export interface BindOptions {
  /**
   * Address to bind; an IPv6 address (`'::1'`, `'::'`) makes an IPv6 socket.
   * @default '127.0.0.1'
   */
  host?: string;
  /** @default 0 (the OS picks a free port; read it from `sock.port`) */
  port?: number;
  /** Records every datagram sent and received. */
  transcript?: Transcript;
  /**
   * Which side we are in the transcript: what we send is recorded as `role`.
   * @default 'client'
   */
  role?: Direction;
  /**
   * Datagrams kept while nobody receives them; beyond that the oldest is
   * dropped and counted in `sock.dropped`, as a full kernel buffer would.
   * @default 1024
   */
  queueLimit?: number;
}

/** Options of {@link UdpSocket.receive}. */
export interface ReceiveOptions extends WaitOptions {
  /** Only take a datagram from this peer; others stay queued. */
  from?: Peer;
}

/** Options of {@link UdpSocket.request}. */
export interface RequestOptions extends WaitOptions {
  /**
   * Time limit of each attempt (not of the whole request).
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * Resends after the first attempt times out; `retries: 2` sends at most 3 times.
   * @default 0
   */
  retries?: number;
  /** Accept only replies this returns true for (say, a matching transaction id); others stay queued. */
  match?: (reply: Datagram) => boolean;
}

/** A bound UDP socket. Iterate it (`for await`) to receive until it closes. */
export class UdpSocket implements AsyncIterable<Datagram> {
  /** The bound address. */
  readonly address: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';

  private readonly inbox: Inbox;
  private isClosed = false;
  /** Aborted by close(), to end every wait at once. */
  private readonly closedSignal = new AbortController();

  /** Wraps a bound dgram socket; `bindUdp` does this for you. */
  constructor(
    private readonly socket: dgram.Socket,
    private readonly options: BindOptions = {},
  ) {
    const bound = socket.address();
    this.address = bound.address;
    this.port = bound.port;
    this.family = bound.family === 'IPv6' ? 'IPv6' : 'IPv4';
    this.inbox = new Inbox(options.queueLimit ?? DEFAULT_QUEUE_LIMIT);
    const theirRole: Direction = (options.role ?? 'client') === 'client' ? 'server' : 'client';
    socket.on('message', (data, remote) => {
      options.transcript?.record(theirRole, data, { datagram: true });
      const host = unmapIPv4(remote.address);
      this.inbox.offer({ data, host, port: remote.port, family: net.isIPv6(host) ? 'IPv6' : 'IPv4' });
    });
    // Unconnected UDP sockets report little; a send failure is reported by send().
    socket.on('error', () => {});
  }

  /** Datagrams dropped because the receive queue was full. */
  get dropped(): number {
    return this.inbox.dropped;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends one datagram (text as UTF-8); resolves once the kernel has taken it. */
  send(data: Uint8Array | string, to: Peer): Promise<void> {
    if (this.isClosed) return Promise.reject(new ConnectionClosedError('sending a datagram (the socket is closed)'));
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.options.transcript?.record(this.options.role ?? 'client', bytes, { datagram: true });
    return new Promise((resolve, reject) => {
      this.socket.send(bytes, to.port, to.host, (error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * Waits for the next datagram (the oldest queued one first), or the next one
   * from `from` when given. Rejects with `TimeoutError`, the signal's reason,
   * or `ConnectionClosedError` once the socket is closed and nothing is queued.
   */
  async receive(options: ReceiveOptions = {}): Promise<Datagram> {
    const accepts = options.from === undefined ? () => true : await this.peerFilter(options.from);
    const queued = this.inbox.take(accepts);
    if (queued !== undefined) return queued;
    const what = options.from === undefined ? `a datagram on port ${this.port}` : `a datagram from ${formatHostPort(options.from.host, options.from.port)}`;
    return this.waitForDatagram(what, accepts, options);
  }

  /**
   * Sends `data` to `to` and waits for a reply from that peer (and accepted by
   * `match`). Datagrams from anyone else stay queued for `receive()`. After
   * `timeoutMs` without a reply it sends again, up to `retries` times, then
   * throws `TimeoutError`.
   */
  async request(data: Uint8Array | string, to: Peer, options: RequestOptions = {}): Promise<Datagram> {
    const timeoutMs = options.timeoutMs ?? 1000;
    const attempts = (options.retries ?? 0) + 1;
    const fromPeer = await this.peerFilter(to);
    const match = options.match;
    const accepts = match === undefined ? fromPeer : (d: Datagram) => fromPeer(d) && match(d);
    const what = `a reply from ${formatHostPort(to.host, to.port)}`;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.send(data, to);
      const queued = this.inbox.take(accepts);
      if (queued !== undefined) return queued;
      try {
        return await this.waitForDatagram(what, accepts, { timeoutMs, signal: options.signal });
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
      }
    }
    throw new TimeoutError(`${what} (sent ${attempts} time${attempts === 1 ? '' : 's'})`, timeoutMs);
  }

  /** Yields datagrams as they arrive; ends when the socket is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Datagram, void, undefined> {
    for (;;) {
      try {
        yield await this.receive();
      } catch (error) {
        if (this.isClosed && error instanceof ConnectionClosedError) return;
        throw error;
      }
    }
  }

  /** Closes the socket; waiting receives reject with `ConnectionClosedError`. */
  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.isClosed = true;
    this.closedSignal.abort();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** Waits for the next datagram `accepts` wants; the socket closing ends the wait too. */
  private waitForDatagram(what: string, accepts: (d: Datagram) => boolean, options: WaitOptions): Promise<Datagram> {
    if (this.isClosed) return Promise.reject(new ConnectionClosedError('waiting for a datagram (the socket is closed)'));
    return waitFor<Datagram>(what, options, (resolve, reject) => {
      const stopWaiting = this.inbox.wait(accepts, resolve);
      const onClose = (): void => reject(new ConnectionClosedError('waiting for a datagram (the socket was closed)'));
      this.closedSignal.signal.addEventListener('abort', onClose);
      return () => {
        stopWaiting();
        this.closedSignal.signal.removeEventListener('abort', onClose);
      };
    });
  }

  /** A test for "came from this peer", comparing addresses as the OS reports them. */
  private async peerFilter(peer: Peer): Promise<(d: Datagram) => boolean> {
    let host = unmapIPv4(peer.host);
    if (net.isIP(host) === 0) host = (await lookup(host, { family: this.family === 'IPv6' ? 6 : 4 })).address;
    return (d) => d.port === peer.port && d.host === host;
  }
}

/**
 * Binds a UDP socket. Rejects with the system error (`code` `EADDRINUSE`, …)
 * if it cannot bind.
 *
 * @example
 * // poke it with: echo hi | nc -u -w1 127.0.0.1 <port>
 * const sock = await bindUdp({ role: 'server' });
 * for await (const d of sock) await sock.send(d.data, d);
 */
export async function bindUdp(options: BindOptions = {}): Promise<UdpSocket> {
  const host = options.host ?? '127.0.0.1';
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ address: host, port: options.port ?? 0 }, () => {
      socket.removeAllListeners('error');
      resolve();
    });
  });
  return new UdpSocket(socket, options);
}

