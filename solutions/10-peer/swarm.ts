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
  private readonly byPeerId = new Map<string, PeerConnection>();
  /** Connection key → peer_id (hex), kept after they leave: blame for a bad piece comes later. */
  private readonly peerIdOf = new Map<string, string>();
  /** Per connection: pieces it has that we lack (interest is this > 0). */
  private readonly wanted = new WeakMap<PeerConnection, number>();
  private chokerState: ChokerState = INITIAL_CHOKER_STATE;
  private rechokeQueued = false;
  private complete: boolean;
  private closing = false;

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
    this.closing = true;
    for (const pc of [...this.connections.values()]) pc.close(reason, detail);
  }

  // ------------------------------------------------------------- ConnectionHost

  bitfield(): Uint8Array | undefined {
    return this.options.store.have.count > 0 ? this.options.store.have.toBytes() : undefined;
  }

  handshake(pc: PeerConnection): { reason: DisconnectReason; detail: string } | undefined {
    const id = hex(pc.peerId!);
    if (this.trust.isBanned(id)) return { reason: 'banned', detail: 'this peer sent bad data before' };
    const other = this.byPeerId.get(id);
    if (other !== undefined && !other.isClosed) {
      // Two connections to one peer (often both dialled at once): both ends must
      // keep the same one, so keep the one dialled by the lower peer_id.
      const keepNew = other.direction !== pc.direction && (pc.direction === 'out') === Buffer.compare(this.options.peerId, pc.peerId!) < 0;
      if (!keepNew) return { reason: 'duplicate', detail: `already connected to this peer_id through ${other.key}` };
      other.close('duplicate', `replaced by ${pc.key}`);
    }
    this.byPeerId.set(id, pc);
    this.peerIdOf.set(pc.key, id);
    this.wanted.set(pc, 0);
    this.options.emit({ type: 'connected', peer: pc.key, direction: pc.direction, peerId: id, client: clientName(pc.peerId!) });
    return undefined;
  }

  peerHas(pc: PeerConnection, pieces: readonly number[], source: 'bitfield' | 'have'): void {
    this.book.addAvailability(pieces);
    const have = this.options.store.have;
    let wanted = this.wanted.get(pc) ?? 0;
    for (const index of pieces) if (!have.has(index)) wanted++;
    this.wanted.set(pc, wanted);
    const seed = pc.state.peerHas.complete;
    if (source === 'bitfield') this.options.emit({ type: 'bitfield', peer: pc.key, pieces: pc.state.peerHas.count, seed });
    if (seed && this.complete) return pc.close('both-seeds', 'we both have every piece');
    this.updateInterest(pc);
    this.fill(pc);
  }

  async block(pc: PeerConnection, index: number, begin: number, data: Uint8Array): Promise<void> {
    const block = begin / BLOCK_LENGTH;
    const arrival = this.book.arrived(pc.key, index, block);
    if (!arrival.fresh) {
      this.wasted += data.length;
      return this.fill(pc);
    }
    // The first copy wins: take the request back from everyone else asked for it.
    for (const other of arrival.cancelAt) this.connections.get(other)?.cancel(index, begin);
    const write = this.options.store.writeBlock(index, begin, data);
    this.fill(pc); // its request slot is free now, not once the disk is done
    try {
      await write;
    } catch {
      this.book.writeFailed(pc.key, index, block);
      return this.fillAll();
    }
    if (this.book.written(index)) void this.verify(index);
  }

  requestsLost(pc: PeerConnection, blocks: readonly BlockRequest[]): void {
    for (const b of blocks) this.book.released(pc.key, b.index, b.begin / BLOCK_LENGTH);
    this.fillAll();
  }

  unchoked(pc: PeerConnection): void {
    this.fill(pc);
  }

  interestChanged(): void {
    this.scheduleRechoke();
  }

  readBlock(index: number, begin: number, length: number): Promise<Buffer> {
    return this.options.store.readBlock(index, begin, length);
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
    this.connections.delete(pc.key);
    if (pc.peerId !== undefined && this.byPeerId.get(hex(pc.peerId)) === pc) this.byPeerId.delete(hex(pc.peerId));
    if (this.wanted.has(pc)) this.book.removeAvailability(pc.state.peerHas);
    this.book.releasePeer(pc.key);
    this.options.emit({ type: 'disconnected', peer: pc.key, reason, detail });
    // Its blocks are free for others now; its upload slot too.
    this.fillAll();
    if (!pc.state.amChoking) this.scheduleRechoke();
  }

  // ------------------------------------------------------------- the strategies

  /** Fills `pc`'s request pipeline through the picker (in batches, not one block at a time). */
  fill(pc: PeerConnection): void {
    if (pc.isClosed || this.complete || pc.state.peerChoking || !pc.state.amInterested) return;
    const depth = pc.snubbed ? 1 : this.options.pipeline;
    const slots = depth - pc.state.requested.size;
    if (slots < Math.max(1, Math.floor(depth / 4))) return;
    const { store } = this.options;
    const picks = this.options.picker({
      pieceCount: this.context.pieceCount,
      blocksIn: (i) => this.book.blocksIn(i),
      have: store.have,
      availability: this.book.availability,
      started: this.book.started,
      peer: { key: pc.key, has: pc.state.peerHas },
      slots,
      random: this.options.random,
    });
    const blocks: BlockRequest[] = [];
    const rarest = this.options.listening ? this.book.rarest() : 0;
    for (const { piece, block } of picks.slice(0, slots)) {
      // Picks are checked, not trusted: a picker bug must not make us ask for nonsense.
      if (!pc.state.peerHas.has(piece) || store.have.has(piece) || block < 0 || block >= this.book.blocksIn(piece) || !Number.isInteger(block)) continue;
      if (pc.state.requested.has(`${piece}:${block * BLOCK_LENGTH}`)) continue;
      this.book.requested(pc.key, piece, block);
      blocks.push({ index: piece, begin: block * BLOCK_LENGTH, length: this.book.blockLength(piece, block) });
      if (this.options.listening) {
        this.options.emit({ type: 'requested', peer: pc.key, piece, block, availability: this.book.availability[piece]!, rarest });
      }
    }
    if (blocks.length > 0) pc.request(blocks);
  }

  /** Fills every connection's pipeline (blocks became free). */
  fillAll(): void {
    for (const pc of this.connections.values()) this.fill(pc);
  }

  /** Runs the choker now: who we upload to. */
  rechoke(): void {
    if (this.closing) return;
    const now = performance.now();
    const peers = this.established.map((c) => ({
      key: c.key,
      interested: c.state.peerInterested,
      downloadRate: c.down.rate(now),
      uploadRate: c.up.rate(now),
      connectedAt: c.openedAt,
      lastBlockAt: c.lastBlockAt,
    }));
    const decision = this.options.choker({ now, peers, seeding: this.complete, state: this.chokerState, random: this.options.random });
    this.chokerState = decision.state;
    for (const c of this.established) {
      c.optimistic = c.key === decision.optimistic;
      c.setChoking(!decision.unchoked.has(c.key));
    }
    this.options.emit({ type: 'rechoke', unchoked: [...decision.unchoked], optimistic: decision.optimistic });
  }

  /** Runs the choker once, soon: several interest changes in a row make one rechoke. */
  scheduleRechoke(): void {
    if (this.rechokeQueued) return;
    this.rechokeQueued = true;
    setImmediate(() => {
      this.rechokeQueued = false;
      this.rechoke();
    });
  }

  /** Time-outs, keep-alives and snubbing; peer.ts calls it on a timer. */
  housekeeping(): void {
    const now = performance.now();
    for (const c of [...this.connections.values()]) {
      if (c.connectedAt === 0 && now - c.openedAt > HANDSHAKE_TIMEOUT_MS) {
        c.close('timeout', `no handshake within ${HANDSHAKE_TIMEOUT_MS} ms`);
      } else if (now - c.lastReceivedAt > IDLE_TIMEOUT_MS) {
        c.close('timeout', `nothing received for ${IDLE_TIMEOUT_MS} ms`);
      } else {
        if (!c.snubbed && c.state.requested.size > 0 && now - c.waitingSince > this.options.requestTimeoutMs) {
          // Too slow: its blocks may now be asked from others too (its copy stays welcome).
          c.snubbed = true;
          if (this.book.expire(c.key) > 0) this.fillAll();
        }
        if (now - c.lastSentAt > KEEP_ALIVE_MS) c.keepAlive();
      }
    }
  }

  // ------------------------------------------------------------- pieces

  /** Checks a piece whose blocks are all on disk; `have` to everyone, or fetch it again. */
  private async verify(index: number): Promise<void> {
    const { store } = this.options;
    let good: boolean;
    try {
      good = await store.verifyPiece(index);
    } catch {
      good = false;
    }
    if (this.closing) return; // the store may be closed already: the result means nothing now
    const from = this.book.finish(index);
    const ids = from.map((key) => this.peerIdOf.get(key) ?? key);
    if (good) {
      this.trust.pieceVerified(ids);
      this.options.emit({ type: 'piece-verified', piece: index, peer: from[0] ?? '', from });
      // Every connection, handshake done or not: one still waiting for its
      // handshake got our bitfield before this piece, and must hear of it too.
      for (const c of this.connections.values()) {
        if (c.isClosed) continue;
        c.have(index);
        if (c.state.peerHas.has(index)) {
          this.wanted.set(c, (this.wanted.get(c) ?? 1) - 1);
          this.updateInterest(c);
        }
      }
      if (store.have.complete && !this.complete) this.completed();
      return;
    }
    this.wasted += store.pieceLength(index);
    this.options.emit({ type: 'piece-failed', piece: index, from });
    for (const id of this.trust.pieceFailed(ids)) this.byPeerId.get(id)?.close('banned', 'sent bad data too often');
    this.fillAll();
  }

  /** We want something from `pc` exactly when it has a piece we lack. */
  private updateInterest(pc: PeerConnection): void {
    const interested = !this.complete && (this.wanted.get(pc) ?? 0) > 0;
    pc.setInterested(interested);
  }

  private completed(): void {
    this.complete = true;
    this.options.emit({ type: 'complete' });
    for (const c of this.established) {
      if (c.state.peerHas.complete) c.close('both-seeds', 'we both have every piece');
      else this.updateInterest(c);
    }
    this.options.onComplete();
    this.scheduleRechoke(); // a seed ranks peers differently
  }
}
