/**
 * The tracker client: one announce over HTTP or UDP ({@link announce}), and
 * the loop a running peer keeps going ({@link startTrackerClient}):
 *
 *   start ──▶ announce `started` ──ok──▶ wait the tracker's interval ──▶ announce (`none`) ──▶ …
 *                   │                          ▲        completed() ──▶ announce `completed` (once)
 *                   └──failed: onError, ───────┘        announceNow() ──▶ announce now
 *                      wait retryAfterMs                stop() ──▶ announce `stopped` (bounded), done
 *
 * An event is sent again until the tracker took it: a `started` lost while
 * the tracker was down goes out with the next try. A tracker that is down
 * costs only time: every failure is reported to `onError` and tried again.
 */
import { httpAnnounce } from './tracker-http.ts';
import type { UdpTrackerSession } from './tracker-udp.ts';
import type { AnnounceParams, AnnounceResponse, TrackerClient, TrackerClientOptions } from './types.ts';

/** Time one announce may take, resends included, unless told otherwise. */
export const DEFAULT_ANNOUNCE_TIMEOUT_MS = 15_000;
/** Wait after a failed announce, unless told otherwise. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;

/** Options of one {@link announce}. */
export interface AnnounceOptions {
  /** The whole announce, resends included. @default 15000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** UDP: wait udpRetryBaseMs·2^n for an answer before resend n+1 (BEP 15 says 15 s). @default 15000 */
  udpRetryBaseMs?: number;
  /** UDP: resends at most (BEP 15: 8). @default 8 */
  udpMaxRetries?: number;
  /** UDP: a session to announce through (its socket and connection id are reused); a fresh one otherwise. */
  udpSession?: UdpTrackerSession;
}

/** Knobs of {@link startTrackerClient} beyond TrackerClientOptions, for tests and experiments. */
export interface TrackerClientTuning {
  /** Milliseconds in one second of the tracker's `interval` (tests shrink it). @default 1000 */
  intervalUnitMs?: number;
  /** See {@link AnnounceOptions.udpRetryBaseMs}. @default 15000 */
  udpRetryBaseMs?: number;
  /** See {@link AnnounceOptions.udpMaxRetries}. @default 8 */
  udpMaxRetries?: number;
}

/**
 * One announce, over HTTP(S) or UDP by the URL's scheme. Resolves with the
 * interval and the peers; rejects with TrackerFailureError (the tracker
 * refused), TimeoutError (no answer in time), TrackerUnreachableError (HTTP:
 * no connection), a ProtocolError (an answer that cannot be read), or the
 * signal's reason.
 */
export async function announce(url: string, params: AnnounceParams, options: AnnounceOptions = {}): Promise<AnnounceResponse> {
  // TODO: http:// and https:// → httpAnnounce; udp:// → options.udpSession, or a new UdpTrackerSession(url) that you
  // TODO: close afterwards; any other scheme → a TypeError. timeoutMs defaults to DEFAULT_ANNOUNCE_TIMEOUT_MS.
  void httpAnnounce;
  throw new Error(`TODO(10-peer): announce ${params.event} to ${url} (limit ${options.timeoutMs ?? DEFAULT_ANNOUNCE_TIMEOUT_MS} ms)`);
}

/**
 * Starts the announce loop: `started` at once, then again at the tracker's
 * interval (never sooner than `minIntervalMs`), with the peers of every
 * answer passed to `onPeers`. A URL no announce could ever use (another
 * scheme, a udp:// URL without a port) is a TypeError at once.
 */
export function startTrackerClient(options: TrackerClientOptions & TrackerClientTuning): TrackerClient {
  // TODO: an explicit state machine serves well here: 'announcing' (an AbortController and the promise of that
  // TODO: announce), 'waiting' (the timer), 'stopping', 'stopped'.
  // TODO: - announce at once, with the event still owed: `started` until the tracker took one, then `completed` once
  // TODO:   if completed() was called, else `none`. Read options.stats() for every announce.
  // TODO: - answered: onPeers(peers); next announce after max(interval·intervalUnitMs, one unit, minIntervalMs),
  // TODO:   or at once when completed() came meanwhile. Failed: onError(error); next try after retryAfterMs.
  // TODO: - a udp:// tracker: one UdpTrackerSession for the client's life (its connection id is reused), closed by stop().
  // TODO: - announceNow(): an announce in progress → its promise; waiting → announce now (not sooner than minIntervalMs
  // TODO:   after the last one) and resolve when it ended.
  // TODO: - stop(): cancel the timer, abort an announce in progress, announce `stopped` within timeoutMs, close;
  // TODO:   resolves in every case (a failure goes to onError), and twice stop() is one stop.
  throw new Error(`TODO(10-peer): start announcing to ${options.announceUrl} (retry after ${options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS} ms)`);
}
