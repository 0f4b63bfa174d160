/**
 * The swarm as one peer sees it: every connection, the block book, trust,
 * and the two strategies. It decides what each connection asks for (the
 * picker fills each unchoked peer's pipeline), what happens to each block
 * (written, then the piece verified, then `have` to everyone), and whom we
 * upload to (the choker, every rechoke). peer.ts opens the sockets; the
 * connections (peer-connection.ts) call back in here.
 */
import type { Connection } from 'wirelab';
import { BlockBook } from './block-book.ts';
import { clientName } from './client-name.ts';
import { PeerConnection, type ConnectionHost } from './peer-connection.ts';
import type { DisconnectReason, PeerEvent, RateLimiter } from './peer-types.ts';
import { RateMeter } from './rate-meter.ts';
import type { SessionContext } from './session.ts';
import { TrustLedger } from './trust.ts';
import { BLOCK_LENGTH, INITIAL_CHOKER_STATE, type Choker, type ChokerState, type PiecePicker, type PieceStore } from './types.ts';
import type { BlockRequest } from './wire-messages.ts';

/** A peer that has not completed its handshake in this long is dropped. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** We send a keep-alive after this long without writing anything (BEP 3: about every two minutes). */
export const KEEP_ALIVE_MS = 60_000;
/** A peer silent for this long (not even a keep-alive) is dropped. */
export const IDLE_TIMEOUT_MS = 180_000;

/** What the swarm is built from (peer.ts fills it from PeerOptions). */
export interface SwarmOptions {
  readonly store: PieceStore;
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly picker: PiecePicker;
  readonly choker: Choker;
  readonly random: () => number;
  readonly pipeline: number;
  readonly requestTimeoutMs: number;
  readonly uploadLimiter: RateLimiter | undefined;
  readonly downloadLimiter: RateLimiter | undefined;
  readonly emit: (event: PeerEvent) => void;
  /** Whether anyone listens to events (the per-block `requested` event costs a scan). */
  readonly listening: boolean;
  /** Every piece is verified now. */
  readonly onComplete: () => void;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Every connection of one peer, and what they share. */
export class Swarm implements ConnectionHost {
  /** Every open connection, by key, handshake done or not. */
  readonly connections = new Map<string, PeerConnection>();
  /** The files. */
  readonly store: PieceStore;
  /** Every block's state across the connections. */
  readonly book: BlockBook;
  /** What every session may look at. */
  readonly context: SessionContext;
  /** Who sent bad data (by peer_id). */
  readonly trust = new TrustLedger();
  /** Block bytes sent and received, all connections together. */
  readonly upMeter = new RateMeter(performance.now());
  readonly downMeter = new RateMeter(performance.now());
  uploaded = 0;
  downloaded = 0;
  /** Bytes received and thrown away (duplicates, blocks never asked for, pieces that failed). */
  wasted = 0;
  private complete: boolean;
  // TODO: more private fields as you need them: connections by peer_id (duplicates, bans), the
  // TODO: choker's state (INITIAL_CHOKER_STATE to start), per connection how many of its pieces we lack.

  constructor(private readonly options: SwarmOptions) {
    const { store } = options;
    this.store = store;
    this.book = new BlockBook({ pieceCount: store.metainfo.pieces.length, pieceLength: (i) => store.pieceLength(i), have: store.have });
    this.context = {
      infoHash: options.infoHash,
      peerId: options.peerId,
      pieceCount: store.metainfo.pieces.length,
      pieceLength: (i) => store.pieceLength(i),
      have: store.have,
    };
    this.complete = store.have.complete;
  }

  get uploadLimiter(): RateLimiter | undefined {
    return this.options.uploadLimiter;
  }

  get downloadLimiter(): RateLimiter | undefined {
    return this.options.downloadLimiter;
  }

  /** Connections whose handshake went through. */
  get established(): PeerConnection[] {
    return [...this.connections.values()].filter((c) => c.connectedAt > 0 && !c.isClosed);
  }

  /** Starts running a new TCP connection; the returned connection's `ready` says when it is usable. */
  add(conn: Connection, direction: 'in' | 'out'): PeerConnection {
    const pc = new PeerConnection(conn, direction, this);
    this.connections.set(pc.key, pc);
    void pc.run();
    return pc;
  }

  /** Closes every connection; nothing is started afterwards (no rechoke, no verification result acted on). */
  closeAll(reason: DisconnectReason, detail: string): void {
    // TODO: remember that we are closing (rechoke and verification must then do nothing).
    for (const pc of [...this.connections.values()]) pc.close(reason, detail);
  }

  // ------------------------------------------------------------- ConnectionHost

  bitfield(): Uint8Array | undefined {
    // TODO: our bitfield's bytes once we have a piece.
    throw new Error('TODO(10-peer): Swarm.bitfield');
  }

  handshake(pc: PeerConnection): { reason: DisconnectReason; detail: string } | undefined {
    // TODO: refuse a banned peer_id ('banned') and a second connection to the same peer_id ('duplicate':
    // TODO: when both ends dialled at once, keep the connection dialled by the lower peer_id, so both
    // TODO: ends keep the same one); else remember it and emit 'connected' (clientName tells the program).
    throw new Error(`TODO(10-peer): Swarm.handshake of ${pc.key}`);
  }

  peerHas(pc: PeerConnection, pieces: readonly number[], source: 'bitfield' | 'have'): void {
    // TODO: availability; emit 'bitfield' for a bitfield; two seeds drop each other ('both-seeds');
    // TODO: interested when it has a piece we lack; fill its pipeline.
    throw new Error(`TODO(10-peer): Swarm.peerHas (${pieces.length} pieces from ${pc.key}'s ${source})`);
  }

  async block(pc: PeerConnection, index: number, begin: number, data: Uint8Array): Promise<void> {
    // TODO: book.arrived: a duplicate is wasted; else cancel it at the other peers asked, write it
    // TODO: (store.writeBlock), and when book.written says the piece is all on disk, verify it
    // TODO: (store.verifyPiece, without waiting for it here): good → 'piece-verified', trust, a have to
    // TODO: everyone, interest updated, 'complete' once all are; bad → 'piece-failed', blame (trust
    // TODO: may ban: close those), fetch it again. Then fill this peer's pipeline again.
    throw new Error(`TODO(10-peer): Swarm.block ${index} ${begin} (${data.length} bytes from ${pc.key})`);
  }

  requestsLost(pc: PeerConnection, blocks: readonly BlockRequest[]): void {
    // TODO: release them in the book, then fill the pipelines (others may take them).
    throw new Error(`TODO(10-peer): Swarm.requestsLost (${blocks.length} at ${pc.key})`);
  }

  unchoked(pc: PeerConnection): void {
    throw new Error(`TODO(10-peer): Swarm.unchoked ${pc.key}`);
  }

  interestChanged(): void {
    // TODO: rechoke soon (scheduleRechoke).
    throw new Error('TODO(10-peer): Swarm.interestChanged');
  }

  readBlock(index: number, begin: number, length: number): Promise<Buffer> {
    return this.store.readBlock(index, begin, length);
  }

  countDownload(_pc: PeerConnection, bytes: number): void {
    this.downloaded += bytes;
    this.downMeter.add(bytes, performance.now());
  }

  countUpload(_pc: PeerConnection, bytes: number): void {
    this.uploaded += bytes;
    this.upMeter.add(bytes, performance.now());
  }

  closed(pc: PeerConnection, reason: DisconnectReason, detail: string): void {
    // TODO: forget it (connections, by peer_id), take its pieces out of the availability, release its
    // TODO: requests in the book, emit 'disconnected', fill the others' pipelines, rechoke if we were uploading to it.
    throw new Error(`TODO(10-peer): Swarm.closed ${pc.key}: ${reason} (${detail})`);
  }

  // ------------------------------------------------------------- the strategies

  /** Fills `pc`'s request pipeline through the picker (in batches, not one block at a time). */
  fill(pc: PeerConnection): void {
    // TODO: only while it unchokes us, we are interested and not complete; slots = pipeline (1 when
    // TODO: snubbed) minus its requests in flight; call the picker with a PickInput; check every pick
    // TODO: (a picker may be wrong); book.requested; pc.request(blocks); a 'requested' event per block.
    throw new Error(`TODO(10-peer): Swarm.fill ${pc.key}`);
  }

  /** Fills every connection's pipeline (blocks became free). */
  fillAll(): void {
    for (const pc of this.connections.values()) this.fill(pc);
  }

  /** Runs the choker now: who we upload to. */
  rechoke(): void {
    // TODO: a ChokerPeer per established connection (rates from its meters), call the choker, keep
    // TODO: its state, choke/unchoke each connection accordingly, emit 'rechoke'.
    throw new Error('TODO(10-peer): Swarm.rechoke');
  }

  /** Runs the choker once, soon: several interest changes in a row make one rechoke. */
  scheduleRechoke(): void {
    throw new Error('TODO(10-peer): Swarm.scheduleRechoke');
  }

  /** Time-outs, keep-alives and snubbing; peer.ts calls it on a timer. */
  housekeeping(): void {
    // TODO: no handshake in HANDSHAKE_TIMEOUT_MS or silent for IDLE_TIMEOUT_MS → close ('timeout');
    // TODO: requests in flight and no block for requestTimeoutMs → snubbed, book.expire, fill the others;
    // TODO: quiet for KEEP_ALIVE_MS → a keep-alive.
    throw new Error('TODO(10-peer): Swarm.housekeeping');
  }
}
