/**
 * The download's bookkeeping across every connection: which blocks of which
 * pieces are asked for, from whom, and which have arrived; how many peers
 * have each piece; who contributed to each piece (to blame them if its hash
 * is wrong). Pure bookkeeping, no sockets, no disk: the picker reads it
 * (`started`, `availability`), the peer updates it as messages come and go.
 *
 * A block is `missing` (nobody is asked, or the peers asked were too slow and
 * it may be asked elsewhere), `requested`, or `received` (written, or being
 * written). A timed-out block stays in the slow peer's `requestedFrom`, so
 * the picker does not ask that peer twice, but turns `missing` so it can be
 * asked from someone else: the first copy to arrive wins.
 */
import type { BlockState, PieceSet, StartedPiece } from './types.ts';
import { BLOCK_LENGTH } from './types.ts';

/** A started piece as the book keeps it (the picker sees it read-only). */
interface PieceRecord extends StartedPiece {
  readonly blocks: BlockState[];
  readonly requestedFrom: Set<string>[];
  /** Blocks received whose write to disk has not finished yet. */
  pendingWrites: number;
  /** Blocks received so far. */
  receivedCount: number;
  /** Peer key → blocks of this piece it sent us. */
  readonly contributors: Map<string, number>;
}

/** What became of a block that arrived. */
export interface Arrival {
  /** True: the first copy, write it. False: we had it already (or the piece is done): drop it. */
  readonly fresh: boolean;
  /** Other peers the same block is still asked from: send them a `cancel`. */
  readonly cancelAt: readonly string[];
}

/** Options of {@link BlockBook}. */
export interface BlockBookOptions {
  readonly pieceCount: number;
  /** Bytes in piece `index`. */
  pieceLength(index: number): number;
  /** The pieces verified: never requested again. */
  readonly have: PieceSet;
}

/** Every block's state, across all connections. */
export class BlockBook {
  /** For each piece, how many connected peers have it. */
  readonly availability: Int32Array;
  private readonly pieces = new Map<number, PieceRecord>();
  private readonly options: BlockBookOptions;

  constructor(options: BlockBookOptions) {
    this.options = options;
    this.availability = new Int32Array(options.pieceCount);
  }

  /** Pieces started and not verified yet (what the picker finishes first). */
  get started(): ReadonlyMap<number, StartedPiece> {
    return this.pieces;
  }

  /** Blocks in piece `index` (the last piece may have fewer). */
  blocksIn(index: number): number {
    return Math.ceil(this.options.pieceLength(index) / BLOCK_LENGTH);
  }

  /** Bytes of block `block` of piece `index` (the very last block may be short). */
  blockLength(index: number, block: number): number {
    return Math.min(BLOCK_LENGTH, this.options.pieceLength(index) - block * BLOCK_LENGTH);
  }

  /** A peer told us it has these pieces (its bitfield, or a have). */
  addAvailability(pieces: readonly number[]): void {
    for (const index of pieces) this.availability[index]!++;
  }

  /** A peer with these pieces went away. */
  removeAvailability(has: PieceSet): void {
    for (let i = 0; i < this.availability.length; i++) if (has.has(i)) this.availability[i]!--;
  }

  /** The lowest availability among pieces we still need that someone has (0 if none). */
  rarest(): number {
    let rarest = 0;
    for (let i = 0; i < this.availability.length; i++) {
      const n = this.availability[i]!;
      if (n > 0 && !this.options.have.has(i) && (rarest === 0 || n < rarest)) rarest = n;
    }
    return rarest;
  }

  /** We sent `peer` a request for this block. */
  requested(peer: string, index: number, block: number): void {
    const record = this.record(index);
    record.requestedFrom[block]!.add(peer);
    if (record.blocks[block] === 'missing') record.blocks[block] = 'requested';
  }

  /**
   * Our request to `peer` for this block is gone (they choked us, we
   * cancelled, they left). With nobody else asked, the block is missing again.
   */
  released(peer: string, index: number, block: number): void {
    const record = this.pieces.get(index);
    if (record === undefined) return;
    const from = record.requestedFrom[block]!;
    from.delete(peer);
    if (record.blocks[block] === 'requested' && from.size === 0) record.blocks[block] = 'missing';
    this.forgetIfUntouched(record);
  }

  /** Releases every request to `peer` (it left). */
  releasePeer(peer: string): void {
    for (const record of [...this.pieces.values()]) {
      record.requestedFrom.forEach((from, block) => {
        if (from.has(peer)) this.released(peer, record.index, block);
      });
    }
  }

  /**
   * `peer` is too slow: every block asked only from it may now be asked from
   * others too (it stays asked from `peer`, whose copy is still welcome).
   * Returns how many blocks were opened up.
   */
  expire(peer: string): number {
    let opened = 0;
    for (const record of this.pieces.values()) {
      record.requestedFrom.forEach((from, block) => {
        if (from.has(peer) && record.blocks[block] === 'requested') {
          record.blocks[block] = 'missing';
          opened++;
        }
      });
    }
    return opened;
  }

  /** Block `block` of piece `index` arrived from `peer`. */
  arrived(peer: string, index: number, block: number): Arrival {
    const record = this.pieces.get(index);
    if (record === undefined || record.blocks[block] === 'received' || this.options.have.has(index)) {
      if (record !== undefined) record.requestedFrom[block]!.delete(peer);
      return { fresh: false, cancelAt: [] };
    }
    const from = record.requestedFrom[block]!;
    from.delete(peer);
    const cancelAt = [...from];
    from.clear();
    record.blocks[block] = 'received';
    record.receivedCount++;
    record.pendingWrites++;
    record.contributors.set(peer, (record.contributors.get(peer) ?? 0) + 1);
    return { fresh: true, cancelAt };
  }

  /**
   * The write of a fresh block finished. Returns true when the whole piece is
   * now on disk: verify it.
   */
  written(index: number): boolean {
    const record = this.pieces.get(index);
    if (record === undefined) return false;
    record.pendingWrites--;
    return record.pendingWrites === 0 && record.receivedCount === record.blocks.length;
  }

  /** The write of a fresh block failed: it is missing again. */
  writeFailed(peer: string, index: number, block: number): void {
    const record = this.pieces.get(index);
    if (record === undefined) return;
    record.pendingWrites--;
    record.receivedCount--;
    record.blocks[block] = 'missing';
    const count = (record.contributors.get(peer) ?? 1) - 1;
    if (count > 0) record.contributors.set(peer, count);
    else record.contributors.delete(peer);
  }

  /**
   * The piece was checked (good or bad): forget it, and return who sent its
   * blocks, most blocks first. A bad piece simply starts over, from scratch.
   */
  finish(index: number): string[] {
    const record = this.pieces.get(index);
    this.pieces.delete(index);
    if (record === undefined) return [];
    return [...record.contributors].sort((a, b) => b[1] - a[1]).map(([peer]) => peer);
  }

  /** The record of piece `index`, started now if it was not. */
  private record(index: number): PieceRecord {
    let record = this.pieces.get(index);
    if (record === undefined) {
      const n = this.blocksIn(index);
      record = {
        index,
        blocks: new Array<BlockState>(n).fill('missing'),
        requestedFrom: Array.from({ length: n }, () => new Set<string>()),
        pendingWrites: 0,
        receivedCount: 0,
        contributors: new Map(),
      };
      this.pieces.set(index, record);
    }
    return record;
  }

  /** A piece with nothing asked and nothing received is not started any more. */
  private forgetIfUntouched(record: PieceRecord): void {
    if (record.receivedCount === 0 && record.requestedFrom.every((from) => from.size === 0)) this.pieces.delete(record.index);
  }
}
