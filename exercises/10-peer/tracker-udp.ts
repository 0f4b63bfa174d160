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
import type { AnnounceParams, AnnounceResponse } from './types.ts';
// Useful here: randomBytes (node:crypto) for transaction ids and the key; lookup (node:dns/promises);
// isIPv6 (node:net); bindUdp, TimeoutError (wirelab); UdpAction (../09-tracker/constants.ts);
// TrackerFailureError (./tracker-errors.ts); the encoders and parseUdpAnswer (./tracker-udp-messages.ts).

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
  constructor(
    /** `udp://host:port` (a path after the port is allowed and ignored). */
    readonly url: string,
    /** The clock the connection id's age is measured on (tests move it). */
    private readonly now: () => number = Date.now,
  ) {
    // TODO: refuse a URL that is not udp://host:port at once (a TypeError).
  }

  /**
   * Connects (unless a connection id from the last minute is at hand), then
   * announces. Rejects with TimeoutError when the resends or the time ran
   * out, TrackerFailureError for an error answer, a ProtocolError for an
   * answer too short to read, or the signal's reason.
   */
  async announce(params: AnnounceParams, options: UdpAnnounceOptions): Promise<AnnounceResponse> {
    // TODO: bind one socket the first time (bindUdp on '0.0.0.0', or '::' for an IPv6 tracker) and keep it:
    // TODO: the tracker ties the connection id to our address.
    // TODO: no connection id younger than CONNECTION_ID_REUSE_MS (on this.now())? Connect first: a random
    // TODO: transaction id, encodeConnectRequest, wait for the answer.
    // TODO: then encodeAnnounceRequest with that id, a new transaction id and this session's random `key`.
    // TODO: Waiting: socket.request(bytes, tracker, { timeoutMs, match, signal }) sends once and waits for a datagram
    // TODO: from the tracker that `match` accepts: our transaction id, the expected action or an error (3).
    // TODO: No answer in time → send again; wait n lasts (options.retryBaseMs ?? UDP_RETRY_BASE_MS)·2^n, at most
    // TODO: (options.maxRetries ?? UDP_MAX_RETRIES) resends and never past options.timeoutMs in all → TimeoutError.
    // TODO: An error answer → forget the connection id, throw TrackerFailureError(url, message).
    throw new Error(`TODO(10-peer): announce ${params.event} to ${this.url} (clock at ${this.now()}, limit ${options.timeoutMs} ms)`);
  }

  /** Closes the socket; an announce still running rejects. */
  async close(): Promise<void> {
    // TODO: close the socket if one was bound.
    throw new Error(`TODO(10-peer): close the session with ${this.url}`);
  }
}
