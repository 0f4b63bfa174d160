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
import { UdpTrackerSession } from './tracker-udp.ts';
import type { AnnounceParams, AnnounceResponse, PeerAddress, TrackerClient, TrackerClientOptions, TrackerEvent } from './types.ts';

/** Time one announce may take, resends included, unless told otherwise. */
export const DEFAULT_ANNOUNCE_TIMEOUT_MS = 15_000;
/** Wait after a failed announce, unless told otherwise. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;
/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  const timeoutMs = options.timeoutMs ?? DEFAULT_ANNOUNCE_TIMEOUT_MS;
  if (transportOf(url) === 'http') return httpAnnounce(url, params, { timeoutMs, signal: options.signal });
  const session = options.udpSession ?? new UdpTrackerSession(url);
  try {
    return await session.announce(params, { timeoutMs, signal: options.signal, retryBaseMs: options.udpRetryBaseMs, maxRetries: options.udpMaxRetries });
  } finally {
    if (options.udpSession === undefined) await session.close();
  }
}

/** `http` for http:// and https://, `udp` for udp://; a TypeError for anything else. */
function transportOf(url: string): 'http' | 'udp' {
  const scheme = url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase();
  if (scheme === 'http' || scheme === 'https') return 'http';
  if (scheme === 'udp') return 'udp';
  throw new TypeError(`cannot announce to ${JSON.stringify(url)}: only http://, https:// and udp:// trackers exist`);
}

/**
 * Starts the announce loop: `started` at once, then again at the tracker's
 * interval (never sooner than `minIntervalMs`), with the peers of every
 * answer passed to `onPeers`. A URL no announce could ever use (another
 * scheme, a udp:// URL without a port) is a TypeError at once.
 */
export function startTrackerClient(options: TrackerClientOptions & TrackerClientTuning): TrackerClient {
  return new AnnounceLoop(options);
}

/** Where the loop stands; exactly one of these at a time. */
type LoopState =
  | { name: 'announcing'; abort: AbortController; done: Promise<void> }
  /** `next` settles once the announce this timer starts has ended (what announceNow waits for). */
  | { name: 'waiting'; timer: NodeJS.Timeout; next: Deferred }
  | { name: 'stopping' }
  | { name: 'stopped' };

class AnnounceLoop implements TrackerClient {
  private state: LoopState;
  private startedTaken = false;
  private completedWanted = false;
  private completedTaken = false;
  private lastAnnounceAt = Number.NEGATIVE_INFINITY;
  private stopped: Promise<void> | undefined;
  private readonly udp: UdpTrackerSession | undefined;

  constructor(private readonly options: TrackerClientOptions & TrackerClientTuning) {
    this.udp = transportOf(options.announceUrl) === 'udp' ? new UdpTrackerSession(options.announceUrl) : undefined;
    this.state = this.begin();
  }

  completed(): void {
    if (this.completedWanted) return;
    this.completedWanted = true;
    // Waiting: go now. Announcing: the loop sees the pending event when that announce ends.
    if (this.state.name === 'waiting') this.restartTimer(this.state, 0);
  }

  announceNow(): Promise<void> {
    const state = this.state;
    if (state.name === 'announcing') return state.done;
    if (state.name !== 'waiting') return Promise.resolve();
    this.restartTimer(state, Math.max(0, this.lastAnnounceAt + (this.options.minIntervalMs ?? 0) - Date.now()));
    return state.next.promise;
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    const previous = this.state;
    this.state = { name: 'stopping' };
    if (previous.name === 'waiting') {
      clearTimeout(previous.timer);
      previous.next.resolve();
    } else if (previous.name === 'announcing') {
      previous.abort.abort();
      await previous.done;
    }
    try {
      await announce(this.options.announceUrl, this.params('stopped'), this.announceOptions());
    } catch (error) {
      this.report(error);
    }
    await this.udp?.close().catch(() => {});
    this.state = { name: 'stopped' };
  }

  /** Starts an announce now; when it ends, waits for the next one (unless stop() took over). */
  private begin(): Extract<LoopState, { name: 'announcing' }> {
    const abort = new AbortController();
    const done = this.announceOnce(abort.signal).then((outcome) => {
      if (this.state.name === 'announcing' && this.state.abort === abort) this.wait(outcome.delayMs, deferred());
      // Tell the peer last: the loop is waiting by now, so announceNow() called from onPeers starts a new announce.
      if (outcome.peers) this.deliver(outcome.peers);
      if (outcome.error !== undefined) this.report(outcome.error);
    });
    return { name: 'announcing', abort, done };
  }

  /** One announce of the pending event: its peers or its error, and the delay before the next one. Never rejects. */
  private async announceOnce(signal: AbortSignal): Promise<{ delayMs: number; peers?: PeerAddress[]; error?: unknown }> {
    const event = this.pendingEvent();
    this.lastAnnounceAt = Date.now();
    try {
      const response = await announce(this.options.announceUrl, this.params(event), { ...this.announceOptions(), signal });
      if (event === 'started') this.startedTaken = true;
      if (event === 'completed') this.completedTaken = true;
      if (this.pendingEvent() !== 'none') return { delayMs: 0, peers: response.peers }; // completed() was called meanwhile
      const unit = this.options.intervalUnitMs ?? 1000;
      // An interval under one second would have us hammer the tracker: one second at least.
      return { delayMs: Math.max(response.intervalSeconds * unit, unit, this.options.minIntervalMs ?? 0), peers: response.peers };
    } catch (error) {
      if (signal.aborted) return { delayMs: 0 }; // stop() took over; nothing to report
      return { delayMs: this.options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS, error };
    }
  }

  private wait(delayMs: number, next: Deferred): void {
    // A tracker asking for an interval of months must not make the timer overflow into "now".
    const timer = setTimeout(() => {
      const announcing = this.begin();
      this.state = announcing;
      void announcing.done.then(next.resolve);
    }, Math.min(delayMs, MAX_TIMER_MS));
    this.state = { name: 'waiting', timer, next };
  }

  private restartTimer(state: Extract<LoopState, { name: 'waiting' }>, delayMs: number): void {
    clearTimeout(state.timer);
    this.wait(delayMs, state.next);
  }

  /** `started` until the tracker took it, then `completed` once if asked for, else `none`. */
  private pendingEvent(): TrackerEvent {
    if (!this.startedTaken) return 'started';
    if (this.completedWanted && !this.completedTaken) return 'completed';
    return 'none';
  }

  /** The announce's fields, with the transfer counts read now. */
  private params(event: TrackerEvent): AnnounceParams {
    const { infoHash, peerId, port } = this.options;
    const { uploaded, downloaded, left } = this.options.stats();
    return { infoHash, peerId, port, uploaded, downloaded, left, event };
  }

  private announceOptions(): AnnounceOptions {
    return {
      timeoutMs: this.options.timeoutMs ?? DEFAULT_ANNOUNCE_TIMEOUT_MS,
      udpSession: this.udp,
      udpRetryBaseMs: this.options.udpRetryBaseMs,
      udpMaxRetries: this.options.udpMaxRetries,
    };
  }

  private deliver(peers: PeerAddress[]): void {
    try {
      this.options.onPeers(peers);
    } catch (error) {
      this.report(error);
    }
  }

  /** Tells onError; a throwing onError must not stop the loop. */
  private report(error: unknown): void {
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // the loop goes on
    }
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
