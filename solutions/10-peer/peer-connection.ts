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

  private readonly decoder: WireDecoder;
  private readonly abort = new AbortController();
  private uploading = false;
  /** Block writes to the store still running. */
  private readonly writes = new Set<Promise<void>>();
  private resolveReady!: () => void;
  private rejectReady!: (error: { reason: DisconnectReason; detail: string }) => void;

  constructor(
    readonly conn: Connection,
    readonly direction: 'in' | 'out',
    private readonly host: ConnectionHost,
  ) {
    this.key = formatHostPort(conn.remoteAddress, conn.remotePort);
    this.state = initialSession(host.context.pieceCount);
    this.decoder = new WireDecoder({ pieceCount: host.context.pieceCount });
    this.down = new RateMeter(this.openedAt);
    this.up = new RateMeter(this.openedAt);
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // nobody may be waiting: not an unhandled rejection
    conn.socket.setNoDelay(true); // requests are small and must go out at once: no Nagle
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
    const { context } = this.host;
    this.write(encodeHandshake(context.infoHash, context.peerId));
    const bitfield = this.host.bitfield();
    if (bitfield !== undefined) this.write(encodeBitfield(bitfield));
    try {
      for (;;) {
        const chunk = await this.conn.readAvailable({ signal: this.abort.signal });
        if (chunk === null) return this.close('closed', 'the peer closed the connection');
        this.lastReceivedAt = performance.now();
        // Wait for the limiter before reading more: unread bytes make TCP slow the sender.
        await this.host.downloadLimiter?.consume(chunk.length, this.abort.signal);
        let messages: WireMessage[];
        try {
          messages = this.decoder.push(chunk);
        } catch (error) {
          if (error instanceof WireError) return this.close('wire-error', error.message);
          throw error;
        }
        for (const message of messages) {
          if (this.isClosed) return;
          if (message.type === 'piece') {
            // Counted whether we asked for it or not: it is what they send us (the choker's measure).
            this.down.add(message.block.length, performance.now());
            this.host.countDownload(this, message.block.length);
          }
          const stored = this.apply(receive(this.state, message, context));
          if (stored !== undefined) await this.storing(stored);
        }
        if (this.isClosed) return;
      }
    } catch (error) {
      // Reset or cut mid-message by the other side: it left, like a clean close.
      this.close(error instanceof ConnectionClosedError ? 'closed' : 'socket-error', (error as Error).message);
    }
  }

  /** Carries out a session outcome; resolves once a received block is stored. */
  private apply(outcome: Outcome): Promise<void> | undefined {
    this.state = outcome.next;
    // Several messages at once (a batch of requests) leave in one write, not one system call each.
    const batch = outcome.actions.length > 1;
    if (batch) this.conn.socket.cork();
    try {
      return this.carryOut(outcome.actions);
    } finally {
      if (batch) this.conn.socket.uncork();
    }
  }

  /** The actions of one outcome, in order. */
  private carryOut(actions: Outcome['actions']): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    for (const action of actions) {
      if (this.isClosed) return pending;
      switch (action.kind) {
        case 'send':
          this.write(encodeMessage(action.message));
          break;
        case 'drop':
          this.close(action.reason, action.detail);
          break;
        case 'handshake': {
          this.peerId = action.peerId;
          this.connectedAt = Date.now(); // before the host hears of it: its 'connected' event may read a snapshot
          const refusal = this.host.handshake(this);
          if (refusal) this.close(refusal.reason, refusal.detail);
          else this.resolveReady();
          break;
        }
        case 'peer-has':
          this.host.peerHas(this, action.pieces, action.source);
          break;
        case 'block':
          this.lastBlockAt = this.waitingSince = performance.now();
          this.snubbed = false;
          pending = this.host.block(this, action.index, action.begin, action.data);
          break;
        case 'requests-lost':
          this.host.requestsLost(this, action.blocks);
          break;
        case 'unchoked':
          this.host.unchoked(this);
          break;
        case 'upload-queued':
          void this.pumpUploads();
          break;
        case 'interest-changed':
          this.host.interestChanged(this);
          break;
      }
    }
    return pending;
  }

  /**
   * Keeps a block's write going while the next messages are read, but at
   * most {@link MAX_PENDING_WRITES} at once: memory stays bounded whatever
   * the peer sends.
   */
  private async storing(write: Promise<void>): Promise<void> {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
    if (this.writes.size >= MAX_PENDING_WRITES) await Promise.race(this.writes);
  }

  /** We choke (true) or unchoke (false) them. */
  setChoking(choking: boolean): void {
    void this.apply(setChoking(this.state, choking));
  }

  /** We tell them whether we are interested. */
  setInterested(interested: boolean): void {
    void this.apply(setInterested(this.state, interested));
  }

  /** Sends requests for these blocks (none while they choke us). */
  request(blocks: readonly BlockRequest[]): void {
    if (this.state.requested.size === 0) this.waitingSince = performance.now();
    void this.apply(requestBlocks(this.state, blocks));
  }

  /** Takes back a request. */
  cancel(index: number, begin: number): void {
    void this.apply(cancelRequest(this.state, index, begin));
  }

  /** Tells them about a piece we verified. */
  have(index: number): void {
    void this.apply(announceHave(this.state, index));
  }

  /** Sends a keep-alive (after a long silence of ours). */
  keepAlive(): void {
    this.write(encodeKeepAlive());
  }

  /** Closes the connection (once); the host hears about it. */
  close(reason: DisconnectReason, detail: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = { reason, detail };
    this.abort.abort();
    this.conn.destroy();
    this.rejectReady(this.closedReason);
    this.host.closed(this, reason, detail);
  }

  /**
   * Uploads queued requests in order, each once the upload limiter allows it.
   * Without a limiter, up to {@link READ_AHEAD} blocks are read from disk
   * while earlier ones are being sent, so the disk's latency is not paid per block.
   */
  private async pumpUploads(): Promise<void> {
    if (this.uploading) return;
    this.uploading = true;
    const reads: { block: BlockRequest; data: Promise<Buffer> }[] = [];
    const ahead = this.host.uploadLimiter === undefined ? READ_AHEAD : 1;
    try {
      for (;;) {
        while (reads.length < ahead && !this.isClosed) {
          const next = this.state.uploads[0];
          if (next === undefined) break;
          await this.host.uploadLimiter?.consume(next.length, this.abort.signal);
          // While we waited they may have cancelled it, or we choked them: then send nothing.
          const taken = takeUpload(this.state, next);
          if (!taken.sent) continue;
          this.state = taken.next;
          const data = this.host.readBlock(next.index, next.begin, next.length);
          data.catch(() => {}); // handled when its turn comes
          reads.push({ block: next, data });
        }
        const first = reads.shift();
        if (first === undefined || this.isClosed) return;
        const { index, begin } = first.block;
        const data = await first.data;
        await this.writeAndWait(encodePiece(index, begin, data));
        this.up.add(data.length, performance.now());
        this.host.countUpload(this, data.length);
      }
    } catch (error) {
      this.close('socket-error', (error as Error).message);
    } finally {
      this.uploading = false;
    }
  }

  /** Writes without waiting (small messages); a failed write closes the connection. */
  private write(bytes: Buffer): void {
    void this.writeAndWait(bytes).catch(() => {});
  }

  /** Writes and resolves once the socket took it (backpressure for blocks). */
  private async writeAndWait(bytes: Buffer): Promise<void> {
    if (this.isClosed) return;
    this.lastSentAt = performance.now();
    try {
      await this.conn.write(bytes);
    } catch (error) {
      this.close('socket-error', (error as Error).message);
    }
  }
}
