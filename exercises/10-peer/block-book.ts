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
import type { PieceSet, StartedPiece } from './types.ts';
import { BLOCK_LENGTH } from './types.ts';

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

  constructor(options: BlockBookOptions) {
    // TODO: keep the options; one availability counter per piece; a Map of started pieces, each with
    // TODO: per block its BlockState and the Set of peers it is requested from (that is StartedPiece),
    // TODO: plus what you need yourself: blocks received, writes still running, who sent how many blocks.
    this.availability = new Int32Array(options.pieceCount);
  }

  /** Pieces started and not verified yet (what the picker finishes first). */
  get started(): ReadonlyMap<number, StartedPiece> {
    throw new Error('TODO(10-peer): BlockBook.started');
  }

  /** Blocks in piece `index` (the last piece may have fewer). */
  blocksIn(index: number): number {
    // TODO: the piece's length in BLOCK_LENGTH blocks, rounded up.
    throw new Error(`TODO(10-peer): BlockBook.blocksIn(${index}) (${BLOCK_LENGTH})`);
  }

  /** Bytes of block `block` of piece `index` (the very last block may be short). */
  blockLength(index: number, block: number): number {
    throw new Error(`TODO(10-peer): BlockBook.blockLength(${index}, ${block})`);
  }

  /** A peer told us it has these pieces (its bitfield, or a have). */
  addAvailability(pieces: readonly number[]): void {
    throw new Error(`TODO(10-peer): BlockBook.addAvailability of ${pieces.length} pieces`);
  }

  /** A peer with these pieces went away. */
  removeAvailability(has: PieceSet): void {
    throw new Error(`TODO(10-peer): BlockBook.removeAvailability (${has.size} pieces)`);
  }

  /** The lowest availability among pieces we still need that someone has (0 if none). */
  rarest(): number {
    throw new Error('TODO(10-peer): BlockBook.rarest');
  }

  /** We sent `peer` a request for this block. */
  requested(peer: string, index: number, block: number): void {
    // TODO: start the piece if it was not; add `peer` to the block's requestedFrom; missing → requested.
    throw new Error(`TODO(10-peer): BlockBook.requested(${peer}, ${index}, ${block})`);
  }

  /**
   * Our request to `peer` for this block is gone (they choked us, we
   * cancelled, they left). With nobody else asked, the block is missing again.
   */
  released(peer: string, index: number, block: number): void {
    // TODO: and a piece with nothing asked and nothing received is not started any more.
    throw new Error(`TODO(10-peer): BlockBook.released(${peer}, ${index}, ${block})`);
  }

  /** Releases every request to `peer` (it left). */
  releasePeer(peer: string): void {
    throw new Error(`TODO(10-peer): BlockBook.releasePeer(${peer})`);
  }

  /**
   * `peer` is too slow: every block asked only from it may now be asked from
   * others too (it stays asked from `peer`, whose copy is still welcome).
   * Returns how many blocks were opened up.
   */
  expire(peer: string): number {
    // TODO: its 'requested' blocks become 'missing' but keep `peer` in requestedFrom.
    throw new Error(`TODO(10-peer): BlockBook.expire(${peer})`);
  }

  /** Block `block` of piece `index` arrived from `peer`. */
  arrived(peer: string, index: number, block: number): Arrival {
    // TODO: not fresh when the piece is not started (or verified) or the block already arrived;
    // TODO: else mark it received, count a write in progress and the peer's contribution, and
    // TODO: return the other peers it is still requested from (to cancel there).
    throw new Error(`TODO(10-peer): BlockBook.arrived(${peer}, ${index}, ${block})`);
  }

  /**
   * The write of a fresh block finished. Returns true when the whole piece is
   * now on disk: verify it.
   */
  written(index: number): boolean {
    throw new Error(`TODO(10-peer): BlockBook.written(${index})`);
  }

  /** The write of a fresh block failed: it is missing again. */
  writeFailed(peer: string, index: number, block: number): void {
    throw new Error(`TODO(10-peer): BlockBook.writeFailed(${peer}, ${index}, ${block})`);
  }

  /**
   * The piece was checked (good or bad): forget it, and return who sent its
   * blocks, most blocks first. A bad piece simply starts over, from scratch.
   */
  finish(index: number): string[] {
    throw new Error(`TODO(10-peer): BlockBook.finish(${index})`);
  }
}
