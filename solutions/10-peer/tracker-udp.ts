/**
 * Announcing to a UDP tracker (BEP 15): two round trips, each resent on a
 * growing schedule because UDP may lose either datagram.
 *
 *   client                                   tracker
 *     connect(protocol id, tx=A)       ──▶
 *                                      ◀──   connect(tx=A, connection id C)
 *     announce(C, tx=B, info_hash, …)  ──▶                       (C reused for up to a minute)
 *                                      ◀──   announce(tx=B, interval, peers)
 *
 * The connect step exists because UDP source addresses are easy to forge: the
 * tracker only does real work (and only sends a big answer) for a client that
 * proved, by echoing C, that it receives at the address it claims.
 *
 * Resends: no answer within 15·2^n seconds → send again, n = 0, 1, … 8
 * (15 s, 30 s, 60 s, … 3840 s). A tracker that is merely slow or overloaded
 * then gets fewer datagrams, not more. The 15 s is an option so tests run in
 * milliseconds, and the whole announce stops at its time limit anyway.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import { bindUdp, TimeoutError, type Datagram, type UdpSocket } from 'wirelab';
import { UdpAction } from '../09-tracker/constants.ts';
import { TrackerFailureError } from './tracker-errors.ts';
import { encodeAnnounceRequest, encodeConnectRequest, parseUdpAnswer, UDP_ANSWER_HEADER_BYTES, type UdpAnswer } from './tracker-udp-messages.ts';
import type { AnnounceParams, AnnounceResponse } from './types.ts';

/** BEP 15: a client may use a connection id until one minute after it received it. */
export const CONNECTION_ID_REUSE_MS = 60_000;
/** BEP 15: wait 15·2^n seconds for an answer before resending; this is the 15 s. */
export const UDP_RETRY_BASE_MS = 15_000;
/** BEP 15: n grows up to 8 (3840 s), so at most 8 resends. */
export const UDP_MAX_RETRIES = 8;

/** Timing of one UDP announce. */
export interface UdpAnnounceOptions {
  /** The whole announce (connect, announce, every resend) may take this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** The 15 s of 15·2^n. @default 15000 */
  retryBaseMs?: number;
  /** Resends at most. @default 8 */
  maxRetries?: number;
}

/**
 * One UDP tracker, announced to again and again from one socket, with its
 * connection id kept for a minute (so a re-announce is one round trip, not
 * two). Answers from any other address, with another transaction id, or of
 * another action are ignored.
 */
export class UdpTrackerSession {
  private socket: Promise<UdpSocket> | undefined;
  private target: { host: string; port: number } | undefined;
  private connection: { id: Buffer; receivedAt: number } | undefined;
  /** BEP 15's `key`: the same for every announce of this session. */
  private readonly key = randomBytes(4).readUInt32BE(0);

  constructor(
    /** `udp://host:port` (a path after the port is allowed and ignored). */
    readonly url: string,
    /** The clock the connection id's age is measured on (tests move it). */
    private readonly now: () => number = Date.now,
  ) {
    this.address(); // refuse a malformed URL at once
  }

  /**
   * Connects (unless a connection id from the last minute is at hand), then
   * announces. Rejects with TimeoutError when the resends or the time ran
   * out, TrackerFailureError for an error answer, a ProtocolError for an
   * answer too short to read, or the signal's reason.
   */
  async announce(params: AnnounceParams, options: UdpAnnounceOptions): Promise<AnnounceResponse> {
    const socket = await this.open();
    const resends = new ResendSchedule(this.url, options);
    for (;;) {
      const connectionId = await this.connectionId(socket, resends, options.signal);
      const transactionId = newTransactionId();
      const request = encodeAnnounceRequest(params, { connectionId, transactionId, key: this.key });
      // Resend the same bytes (same transaction id): a late answer to an earlier copy still counts.
      while (this.connection !== undefined && this.fresh(this.connection)) {
        const answer = await this.exchange(socket, request, transactionId, UdpAction.ANNOUNCE, resends, options.signal);
        if (answer === undefined) continue;
        if (answer.action === 'error') throw this.failed(answer.message);
        if (answer.action === 'announce') return answer.response;
      }
      // The connection id grew too old while we were resending: connect again.
    }
  }

  /** Closes the socket; an announce still running rejects. */
  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await (await socket.catch(() => undefined))?.close();
  }

  /** The connection id in use, asking for a new one when there is none or it is a minute old. */
  private async connectionId(socket: UdpSocket, resends: ResendSchedule, signal: AbortSignal | undefined): Promise<Buffer> {
    if (this.connection !== undefined && this.fresh(this.connection)) return this.connection.id;
    const transactionId = newTransactionId();
    const request = encodeConnectRequest(transactionId);
    for (;;) {
      const answer = await this.exchange(socket, request, transactionId, UdpAction.CONNECT, resends, signal);
      if (answer?.action === 'error') throw this.failed(answer.message);
      if (answer?.action === 'connect') {
        this.connection = { id: answer.connectionId, receivedAt: this.now() };
        return answer.connectionId;
      }
    }
  }

  /**
   * Sends `request` once and waits for its answer (that action, or an error,
   * with our transaction id, from the tracker's address) until the schedule's
   * next deadline. Undefined when none came: the caller sends again.
   */
  private async exchange(
    socket: UdpSocket,
    request: Buffer,
    transactionId: number,
    action: number,
    resends: ResendSchedule,
    signal: AbortSignal | undefined,
  ): Promise<UdpAnswer | undefined> {
    const target = this.target!;
    const timeoutMs = resends.nextWait();
    const ours = (d: Datagram): boolean =>
      d.data.length >= UDP_ANSWER_HEADER_BYTES &&
      d.data.readUInt32BE(4) === transactionId &&
      (d.data.readInt32BE(0) === action || d.data.readInt32BE(0) === UdpAction.ERROR);
    try {
      const reply = await socket.request(request, target, { timeoutMs, match: ours, signal });
      // Over IPv6 the announce answer carries 18-byte peers instead of 6.
      return parseUdpAnswer(reply.data, isIPv6(target.host));
    } catch (error) {
      if (error instanceof TimeoutError) return undefined;
      throw error;
    }
  }

  /** An error answer: forget the connection id (it may be why), and say what the tracker said. */
  private failed(message: string): TrackerFailureError {
    this.connection = undefined;
    return new TrackerFailureError(this.url, message);
  }

  private fresh(connection: { receivedAt: number }): boolean {
    return this.now() - connection.receivedAt < CONNECTION_ID_REUSE_MS;
  }

  /** Binds our socket once, on the tracker's address family (tried again next time if that failed). */
  private open(): Promise<UdpSocket> {
    this.socket ??= (async () => {
      const { host, port } = this.address();
      const numeric = (await lookup(host)).address;
      this.target = { host: numeric, port };
      return bindUdp({ host: isIPv6(numeric) ? '::' : '0.0.0.0', port: 0 });
    })();
    const opening = this.socket;
    opening.catch(() => {
      if (this.socket === opening) this.socket = undefined;
    });
    return opening;
  }

  private address(): { host: string; port: number } {
    const parsed = URL.canParse(this.url) ? new URL(this.url) : undefined;
    if (parsed?.protocol !== 'udp:' || parsed.hostname === '' || parsed.port === '') {
      throw new TypeError(`${JSON.stringify(this.url)} is not a UDP tracker URL (udp://host:port)`);
    }
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port) };
  }
}

/**
 * BEP 15's resend schedule for one announce, under its time limit: attempt n
 * waits base·2^n, and there are at most maxRetries resends.
 */
class ResendSchedule {
  private sent = 0;
  private readonly startedAt: number;
  private readonly base: number;
  private readonly maxRetries: number;

  constructor(
    private readonly url: string,
    private readonly options: UdpAnnounceOptions,
  ) {
    this.startedAt = Date.now();
    this.base = options.retryBaseMs ?? UDP_RETRY_BASE_MS;
    this.maxRetries = options.maxRetries ?? UDP_MAX_RETRIES;
  }

  /** How long to wait for the answer to the datagram about to be sent; throws TimeoutError when out of tries or time. */
  nextWait(): number {
    const left = this.startedAt + this.options.timeoutMs - Date.now();
    if (this.sent > this.maxRetries || left <= 0) {
      throw new TimeoutError(`an answer from the tracker ${this.url} (sent ${this.sent} datagram${this.sent === 1 ? '' : 's'})`, Date.now() - this.startedAt);
    }
    const wait = Math.min(this.base * 2 ** Math.min(this.sent, UDP_MAX_RETRIES), left);
    this.sent++;
    return wait;
  }
}

/** A random 32-bit transaction id: an answer must echo it, so a stray or forged datagram is not taken for ours. */
function newTransactionId(): number {
  return randomBytes(4).readUInt32BE(0);
}
