/**
 * Cuts a stream of bytes into pieces and hashes each one with SHA-1, however
 * the bytes arrive: a piece may be split across many reads and, in a
 * multi-file torrent, across the end of one file and the start of the next
 * (BEP 3 hashes the files as if they were one long byte string).
 */
import { createHash, type Hash } from 'node:crypto';
import { SHA1_LENGTH } from './metainfo-types.ts';

/** Hashes consecutive pieces of `pieceLength` bytes; the last piece may be shorter. */
export class PieceHasher {
  /** Bytes fed so far. */
  bytes = 0;
  private current: Hash | undefined;
  /** Bytes already in the current piece. */
  private filled = 0;
  private readonly digests: Uint8Array[] = [];

  constructor(readonly pieceLength: number) {
    if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`piece length must be a positive integer, got ${pieceLength}`);
  }

  /** Feeds the next bytes; never copies them, only hands views to the hash. */
  update(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.pieceLength - this.filled, chunk.length - offset);
      this.current ??= createHash('sha1');
      this.current.update(chunk.subarray(offset, offset + take));
      offset += take;
      this.filled += take;
      if (this.filled === this.pieceLength) this.finishPiece();
    }
    this.bytes += chunk.length;
  }

  /** Ends the input: hashes the last, shorter piece if any, and returns all digests concatenated (20 bytes each). */
  digest(): Uint8Array {
    if (this.filled > 0) this.finishPiece();
    return Buffer.concat(this.digests, this.digests.length * SHA1_LENGTH);
  }

  private finishPiece(): void {
    this.digests.push((this.current as Hash).digest());
    this.current = undefined;
    this.filled = 0;
  }
}
