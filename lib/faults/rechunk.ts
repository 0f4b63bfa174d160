/**
 * Cuts a byte stream into pieces of seeded sizes, without sockets: the TCP
 * chunk proxy writes each piece separately so the receiver's reads end at
 * awkward places (mid-line, mid-length-prefix), as they can on a real network.
 *
 * The cut points depend only on the seed and the byte offset in the stream,
 * never on how the bytes happened to arrive, so the same seed splits the same
 * stream the same way.
 */
import { SeededRandom, type Seed } from './random.ts';

/** How one direction of a TCP stream is re-chunked. */
export interface ChunkFaults {
  /** Largest piece in bytes; pieces are 1..maxChunk (1 = every byte on its own). Unset: no splitting. */
  maxChunk?: number;
  /** Smallest piece in bytes (the end of the available data can still cut a piece shorter). @default 1 */
  minChunk?: number;
  /** Buffer incoming bytes this long, then send them as one write (before splitting). Unset: no coalescing. */
  coalesceMs?: number;
  /**
   * Pause between the pieces of one write, so the receiver reads them apart.
   * 0 waits one event-loop turn, enough when the receiver runs in this process.
   * @default 0
   */
  gapMs?: number;
}

/** Splits a stream at seeded offsets. */
export class Rechunker {
  private readonly random: SeededRandom;
  private readonly min: number;
  private readonly max: number;
  /** Bytes left in the piece being cut. */
  private remaining: number;

  constructor(seed: Seed, label: string, faults: Pick<ChunkFaults, 'maxChunk' | 'minChunk'>) {
    this.random = SeededRandom.derive(seed, label);
    this.max = faults.maxChunk ?? Infinity;
    this.min = Math.min(faults.minChunk ?? 1, this.max);
    if (!(this.min >= 1 && this.max >= 1)) throw new RangeError(`chunk sizes must be at least 1 byte, got min ${this.min}, max ${this.max}`);
    this.remaining = this.draw();
  }

  private draw(): number {
    return Number.isFinite(this.max) ? this.random.int(this.min, this.max) : Infinity;
  }

  /** Cuts the next bytes of the stream into pieces; the last piece ends where `bytes` ends. */
  cut(bytes: Buffer): Buffer[] {
    const pieces: Buffer[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(this.remaining, bytes.length - offset);
      pieces.push(bytes.subarray(offset, offset + n));
      offset += n;
      this.remaining -= n;
      if (this.remaining === 0) this.remaining = this.draw();
    }
    return pieces;
  }
}
