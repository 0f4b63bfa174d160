/**
 * One peer-wire connection's socket layer: reads bytes, decodes them, runs
 * the session (session.ts, pure) and carries out its actions; uploads queued
 * requests one by one. Everything that needs the rest of the swarm (the
 * store, the book, other connections) goes through its {@link ConnectionHost}.
 */
import { ConnectionClosedError, type Connection, formatHostPort } from 'wirelab';
import { RateMeter } from './rate-meter.ts';
import type { DisconnectReason, RateLimiter } from './peer-types.ts';
import {
  announceHave,
  cancelRequest,
  initialSession,
  receive,
  requestBlocks,
  setChoking,
  setInterested,
  takeUpload,
  type Outcome,
  type SessionContext,
  type SessionState,
} from './session.ts';
import { encodeHandshake } from './handshake.ts';
import { WireDecoder } from './wire-decoder.ts';
import { WireError } from './wire-error.ts';
import { encodeBitfield, encodeKeepAlive, encodeMessage, encodePiece, type BlockRequest, type WireMessage } from './wire-messages.ts';

/** Blocks read from disk ahead of sending, per connection (without an upload limiter). */
export const READ_AHEAD = 8;
/** Block writes to disk in progress per connection before we stop reading from it. */
export const MAX_PENDING_WRITES = 16;

/** What a connection needs from the swarm it belongs to. */
export interface ConnectionHost {
  readonly context: SessionContext;
  readonly uploadLimiter: RateLimiter | undefined;
  readonly downloadLimiter: RateLimiter | undefined;
  /** Our bitfield to send after the handshake, or undefined when we have no piece yet. */
  bitfield(): Uint8Array | undefined;
  /** Their handshake is good: a reason to refuse it (duplicate, banned), or undefined to go on. */
  handshake(conn: PeerConnection): { reason: DisconnectReason; detail: string } | undefined;
  peerHas(conn: PeerConnection, pieces: readonly number[], source: 'bitfield' | 'have'): void;
  /** A block we asked for arrived: store it (never rejects; a few run at once, see MAX_PENDING_WRITES). */
  block(conn: PeerConnection, index: number, begin: number, data: Uint8Array): Promise<void>;
  requestsLost(conn: PeerConnection, blocks: readonly BlockRequest[]): void;
  unchoked(conn: PeerConnection): void;
  interestChanged(conn: PeerConnection): void;
  readBlock(index: number, begin: number, length: number): Promise<Buffer>;
  /** Payload bytes of a `piece` message that arrived (asked for or not). */
  countDownload(conn: PeerConnection, bytes: number): void;
  /** Payload bytes of a block we sent. */
  countUpload(conn: PeerConnection, bytes: number): void;
  closed(conn: PeerConnection, reason: DisconnectReason, detail: string): void;
}

/** One connection to one peer. */
export class PeerConnection {
  /** `host:port` of the other end. */
  readonly key: string;
  /** The session (session.ts): replaced by every outcome. */
  state: SessionState;
  /** Their peer_id, once their handshake arrived. */
  peerId: Uint8Array | undefined;
  /** Block bytes from them and to them, for the choker's rates. */
  readonly down: RateMeter;
  readonly up: RateMeter;
  /** performance.now() of the connection's start, of the last byte received, the last write, the last block. */
  readonly openedAt = performance.now();
  lastReceivedAt = this.openedAt;
  lastSentAt = this.openedAt;
  lastBlockAt: number | undefined;
  /** Since when we wait for a block: the first request of an empty pipeline, or the last block. */
  waitingSince = this.openedAt;
  /** When the handshake went through (ms since 1970). */
  connectedAt = 0;
  /** Sent none of our requested blocks in time: its pipeline shrinks to one request. */
  snubbed = false;
  /** Holds the choker's optimistic slot. */
  optimistic = false;
  /** Resolves once both handshakes went through; rejects with the reason if the connection closed before. */
  readonly ready: Promise<void>;
  /** Why it closed, once it did. */
  closedReason: { reason: DisconnectReason; detail: string } | undefined;

  private resolveReady!: () => void;
  private rejectReady!: (error: { reason: DisconnectReason; detail: string }) => void;

  constructor(
    readonly conn: Connection,
    readonly direction: 'in' | 'out',
    private readonly host: ConnectionHost,
  ) {
    this.key = formatHostPort(conn.remoteAddress, conn.remotePort);
    this.state = initialSession(host.context.pieceCount);
    this.down = new RateMeter(this.openedAt);
    this.up = new RateMeter(this.openedAt);
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // nobody may be waiting: not an unhandled rejection
    conn.socket.setNoDelay(true); // requests are small and must go out at once: no Nagle
    // TODO: a WireDecoder for what they send (you will need more private fields as you go).
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  /**
   * Runs the connection until it ends: sends our handshake (and our
   * bitfield, if we have any piece), then reads and handles messages.
   */
  async run(): Promise<void> {
    // TODO: write encodeHandshake(...) and, if host.bitfield() gives one, the bitfield.
    // TODO: Then loop: conn.readAvailable() (null: they closed → close('closed', …)); await the
    // TODO: download limiter for those bytes BEFORE reading more; push them into the decoder (a
    // TODO: WireError → close('wire-error', …)); count piece payloads (down meter, host.countDownload);
    // TODO: run receive() for each message and carry out the outcome's actions:
    // TODO: send → write; drop → close; handshake → host.handshake (a refusal closes; else connectedAt
    // TODO: and resolve `ready`); peer-has, requests-lost, unchoked, interest-changed → the host;
    // TODO: block → host.block (let a few writes run at once, not unboundedly many);
    // TODO: upload-queued → upload the queue in order, awaiting the upload limiter before taking
    // TODO: each request out of the queue (takeUpload: a cancel may have come meanwhile).
    // TODO: Any other error closes the connection ('socket-error').
    throw new Error(`TODO(10-peer): PeerConnection.run for ${this.key} (${this.direction})`);
  }

  /** We choke (true) or unchoke (false) them. */
  setChoking(choking: boolean): void {
    // TODO: carry out setChoking(this.state, choking) like any outcome.
    throw new Error(`TODO(10-peer): PeerConnection.setChoking(${choking})`);
  }

  /** We tell them whether we are interested. */
  setInterested(interested: boolean): void {
    throw new Error(`TODO(10-peer): PeerConnection.setInterested(${interested})`);
  }

  /** Sends requests for these blocks (none while they choke us). */
  request(blocks: readonly BlockRequest[]): void {
    // TODO: when the pipeline was empty, we start waiting now (waitingSince).
    throw new Error(`TODO(10-peer): PeerConnection.request of ${blocks.length} blocks`);
  }

  /** Takes back a request. */
  cancel(index: number, begin: number): void {
    throw new Error(`TODO(10-peer): PeerConnection.cancel(${index}, ${begin})`);
  }

  /** Tells them about a piece we verified. */
  have(index: number): void {
    throw new Error(`TODO(10-peer): PeerConnection.have(${index})`);
  }

  /** Sends a keep-alive (after a long silence of ours). */
  keepAlive(): void {
    throw new Error('TODO(10-peer): PeerConnection.keepAlive');
  }

  /** Closes the connection (once); the host hears about it. */
  close(reason: DisconnectReason, detail: string): void {
    // TODO: only the first call counts: set closedReason, stop waits (an AbortController), destroy the
    // TODO: socket, reject `ready` with the reason, tell the host (host.closed).
    void this.resolveReady;
    void this.rejectReady;
    throw new Error(`TODO(10-peer): PeerConnection.close(${reason}: ${detail})`);
  }
}
