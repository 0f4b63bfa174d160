/**
 * One direction of the TCP chunk proxy: reads from one socket, re-chunks
 * (coalesce, then split at seeded offsets) and writes to the other, one piece
 * at a time, keeping the byte order and propagating the end of the stream.
 */
import type net from 'node:net';
import type { Direction, Transcript } from '../transcript/transcript.ts';
import type { ChunkFaults, Rechunker } from './rechunk.ts';

/** Bytes queued before the source is paused (backpressure), and resumed below the low mark. */
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

/** Write counts of one direction. */
export interface PumpStats {
  /** Bytes written to the receiving side. */
  bytes: number;
  /** Separate writes (pieces) it took. */
  writes: number;
}

/** Cancellable waits, so closing a proxy leaves no timer behind. */
export class Sleeper {
  private readonly pending = new Map<NodeJS.Timeout | NodeJS.Immediate, () => void>();

  /** Resolves after `ms` (0: after one event-loop turn), or at once when cancelled. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.pending.delete(handle);
        resolve();
      };
      const handle = ms > 0 ? setTimeout(done, ms) : setImmediate(done);
      this.pending.set(handle, resolve);
    });
  }

  /** Cancels every wait (they resolve, and the loops waiting on them see the pump is stopped). */
  cancelAll(): void {
    for (const [handle, resolve] of this.pending) {
      clearTimeout(handle as NodeJS.Timeout);
      clearImmediate(handle as NodeJS.Immediate);
      resolve();
    }
    this.pending.clear();
  }
}

/** What a {@link ChunkPump} moves, how, and whom it tells. */
export interface ChunkPumpOptions {
  /** The socket read from. */
  from: net.Socket;
  /** The socket written to. */
  to: net.Socket;
  /** Resolves when `to` is connected; rejects if it never will be. */
  ready: Promise<void>;
  /** This direction's settings (`coalesceMs`, `maxChunk`, `gapMs`). */
  faults: ChunkFaults;
  /** Cuts what is taken into the pieces written. */
  rechunker: Rechunker;
  /** The proxy's cancellable waits, shared by all its pumps. */
  sleeper: Sleeper;
  /** Counts this direction's writes (the proxy's stats object, updated in place). */
  stats: PumpStats;
  /** Called on a failed write: the pair is torn down. */
  onError: () => void;
  /** Where to record what `from` said, as which side. */
  record?: { transcript: Transcript; direction: Direction } | undefined;
}

/** Moves bytes from `from` to `to`, re-chunked. */
export class ChunkPump {
  private readonly from: net.Socket;
  private readonly to: net.Socket;
  private readonly ready: Promise<void>;
  private readonly faults: ChunkFaults;
  private readonly rechunker: Rechunker;
  private readonly sleeper: Sleeper;
  readonly stats: PumpStats;
  private readonly onError: () => void;
  private readonly record: ChunkPumpOptions['record'];
  private readonly queue: Buffer[] = [];
  private queued = 0;
  /** When the oldest queued byte arrived (for coalescing). */
  private firstArrival = 0;
  private ended = false;
  private running = false;
  private stopped = false;

  constructor(options: ChunkPumpOptions) {
    const { from } = options;
    this.from = from;
    this.to = options.to;
    this.ready = options.ready;
    this.faults = options.faults;
    this.rechunker = options.rechunker;
    this.sleeper = options.sleeper;
    this.stats = options.stats;
    this.onError = options.onError;
    this.record = options.record;
    from.on('data', (chunk: Buffer) => {
      this.record?.transcript.record(this.record.direction, chunk);
      if (this.queued === 0) this.firstArrival = performance.now();
      this.queue.push(chunk);
      this.queued += chunk.length;
      if (this.queued > HIGH_WATER) from.pause();
      void this.run();
    });
    from.on('end', () => {
      this.ended = true;
      void this.run();
    });
  }

  /** Stops writing; queued bytes are discarded. */
  stop(): void {
    this.stopped = true;
  }

  /** Takes the next buffer to write: everything queued when coalescing, else the oldest chunk. */
  private async take(): Promise<Buffer> {
    const { coalesceMs } = this.faults;
    if (coalesceMs !== undefined && coalesceMs > 0) {
      const wait = this.firstArrival + coalesceMs - performance.now();
      if (wait > 0 && !this.ended) await this.sleeper.sleep(wait);
      const all = Buffer.concat(this.queue.splice(0));
      this.queued = 0;
      return all;
    }
    const chunk = this.queue.shift()!;
    this.queued -= chunk.length;
    return chunk;
  }

  private write(piece: Buffer): Promise<boolean> {
    return new Promise((resolve) => this.to.write(piece, (error) => resolve(!error)));
  }

  /** The write loop; one runs at a time so pieces never interleave. */
  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.ready;
      while (!this.stopped && this.queue.length > 0) {
        const pieces = this.rechunker.cut(await this.take());
        if (this.queued < LOW_WATER && this.from.isPaused()) this.from.resume();
        for (let i = 0; i < pieces.length && !this.stopped; i++) {
          if (!(await this.write(pieces[i]!))) {
            this.stop();
            this.onError();
            return;
          }
          this.stats.bytes += pieces[i]!.length;
          this.stats.writes++;
          const split = this.faults.maxChunk !== undefined;
          if (split && (i < pieces.length - 1 || this.queue.length > 0)) await this.sleeper.sleep(this.faults.gapMs ?? 0);
        }
      }
      if (this.ended && !this.stopped && this.queue.length === 0) this.to.end(); // half-close travels on
    } catch {
      // `ready` rejected: the upstream never connected; the proxy tears the pair down.
      this.stopped = true;
    } finally {
      this.running = false;
    }
    // Data or the end may have arrived while the last write was in flight.
    if (!this.stopped && (this.queue.length > 0 || (this.ended && !this.to.writableEnded))) void this.run();
  }
}
