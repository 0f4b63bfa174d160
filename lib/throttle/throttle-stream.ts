/**
 * A stream that lets bytes through at a limiter's pace, for plain Node
 * streams (a file being sent, a raw `net.Socket`). Put it in a pipeline:
 * the stream's own backpressure then slows whatever feeds it, down to the
 * socket that TCP slows in turn.
 *
 * @example
 * // upload a file at 1 MB/s
 * await pipeline(createReadStream(file), throttleStream(new TokenBucket({ bytesPerSecond: 1e6 })), socket);
 * // read a socket at 1 MB/s: the socket is not read faster, so TCP slows the sender
 * await pipeline(socket, throttleStream(bucket), createWriteStream(copy));
 */
import { Transform } from 'node:stream';
import { DEFAULT_SLICE_BYTES, type RateLimiter } from './rate-limiter.ts';

/** Options of {@link throttleStream}. */
export interface ThrottleStreamOptions {
  /** Ends the stream with `signal.reason` (as an error) if it aborts while bytes wait. */
  signal?: AbortSignal;
  /** The largest piece asked of the limiter at a time. @default 16384 */
  sliceBytes?: number;
}

/** A pass-through stream whose bytes come out no faster than `limiter` allows, in slices. */
export function throttleStream(limiter: RateLimiter, options: ThrottleStreamOptions = {}): Transform {
  const sliceBytes = options.sliceBytes ?? DEFAULT_SLICE_BYTES;
  const { signal } = options;
  const stream: Transform = new Transform({
    async transform(chunk: Buffer, _encoding, callback) {
      try {
        for (let at = 0; at < chunk.length; at += sliceBytes) {
          const slice = chunk.subarray(at, at + sliceBytes);
          await limiter.consume(slice.length, signal);
          stream.push(slice);
        }
        callback();
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)));
      }
    },
  });
  return stream;
}
