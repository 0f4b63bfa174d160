/**
 * Length-prefixed framing, as BitTorrent's peer wire protocol uses it: every
 * message says how long it is before its bytes arrive, so the reader knows
 * where it ends without scanning for a delimiter.
 */
import { FramingError } from '../errors.ts';
import { ByteQueue } from './byte-queue.ts';

/** Bytes of the length field in front of every frame. */
export const LENGTH_PREFIX_BYTES = 4;

/** Largest payload accepted unless told otherwise (a 16 KiB block plus headers fits easily). */
export const DEFAULT_MAX_FRAME_BYTES = 1 << 20;

/**
 * Encodes one frame.
 *
 * Wire format:
 * ```
 * offset 0, 4 bytes: payload length N, unsigned big-endian (0 = keep-alive, no payload)
 * offset 4, N bytes: payload
 * ```
 * @example encodeLengthPrefixed(Buffer.from([2])) // <00 00 00 01 02>  (peer wire "interested")
 */
export function encodeLengthPrefixed(payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const frame = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, LENGTH_PREFIX_BYTES);
  return frame;
}

/** Options of {@link LengthPrefixedDecoder}. */
export interface LengthPrefixedOptions {
  /**
   * Largest payload in bytes; a bigger length field throws `FramingError`
   * kind `frame-too-large` (the stream cannot be resynchronised after that).
   * @default 1048576
   */
  maxFrameBytes?: number;
}

/**
 * Turns chunks into frame payloads (the length field removed). A keep-alive
 * (length 0) comes out as an empty Buffer so the caller can see it.
 *
 * @example
 * const decoder = new LengthPrefixedDecoder();
 * decoder.push(Buffer.from([0, 0, 0]));     // []
 * decoder.push(Buffer.from([1, 2, 0, 0]));  // [<02>]
 */
export class LengthPrefixedDecoder {
  private readonly queue = new ByteQueue();
  private readonly maxFrameBytes: number;
  private failure: FramingError | undefined;

  constructor(options: LengthPrefixedOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Adds a chunk and returns every frame it completed. Throws (now and from then on) on an oversized frame. */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failure !== undefined) throw this.failure;
    this.queue.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const frames: Buffer[] = [];
    while (this.queue.length >= LENGTH_PREFIX_BYTES) {
      const length = this.queue.peek(LENGTH_PREFIX_BYTES).readUInt32BE(0);
      if (length > this.maxFrameBytes) {
        // Frames before the bad one were complete and are still returned.
        this.failure = new FramingError(
          `frame of ${length} bytes is larger than the limit of ${this.maxFrameBytes}`,
          'frame-too-large',
          this.maxFrameBytes,
        );
        if (frames.length === 0) throw this.failure;
        return frames;
      }
      if (this.queue.length < LENGTH_PREFIX_BYTES + length) break;
      this.queue.discard(LENGTH_PREFIX_BYTES);
      frames.push(length === 0 ? Buffer.alloc(0) : this.queue.take(length));
    }
    return frames;
  }

  /** Bytes of an unfinished frame held until the rest arrives. */
  get pendingBytes(): number {
    return this.queue.length;
  }
}
