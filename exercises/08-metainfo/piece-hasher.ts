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

  constructor(readonly pieceLength: number) {
    if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`piece length must be a positive integer, got ${pieceLength}`);
  }

  /** Feeds the next bytes; never copies them, only hands views to the hash. */
  update(chunk: Uint8Array): void {
    // TODO: while bytes remain in `chunk`: take as many as the current piece still needs,
    // TODO: hash that slice (chunk.subarray, no copy); when the piece is full, keep its digest
    // TODO: and start a new createHash('sha1'). Count `this.bytes`.
    void createHash;
    throw new Error(`TODO(08-metainfo): hash ${chunk.length} more bytes`);
  }

  /** Ends the input: hashes the last, shorter piece if any, and returns all digests concatenated (20 bytes each). */
  digest(): Uint8Array {
    // TODO: finish a partly filled last piece, then concatenate every digest (SHA1_LENGTH bytes each).
    const unused: Hash | undefined = undefined;
    void unused;
    throw new Error(`TODO(08-metainfo): digest ${this.bytes} bytes into ${SHA1_LENGTH}-byte hashes`);
  }
}
