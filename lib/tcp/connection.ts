/**
 * One TCP connection, read by pulling: `await conn.readLine()` instead of
 * `socket.on('data', …)`. Bytes that arrive wait in a queue until a read asks
 * for them, so a protocol is written top to bottom like the dialogue it is.
 */
import type { Socket } from 'node:net';
import { ConnectionClosedError, FramingError, WirelabError } from '../errors.ts';
import { ByteQueue, type LineEnding } from '../framing/byte-queue.ts';
import { DEFAULT_MAX_FRAME_BYTES, encodeLengthPrefixed, LENGTH_PREFIX_BYTES } from '../framing/length-prefixed.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../framing/line-decoder.ts';
import type { Direction, Transcript } from '../transcript/transcript.ts';
import { formatHostPort, unmapIPv4 } from '../address.ts';
import { DEFAULT_READ_HIGH_WATER_MARK, type ConnectionOptions, type ReadOptions } from './options.ts';
import { ReadDeadline } from './read-deadline.ts';
import { ReadGate } from './read-gate.ts';
import { waitFor, type WaitOptions } from '../wait.ts';
import { WritePacer } from './write-pacer.ts';

/** What the peer's side of the stream has done so far. */
type Incoming =
  | 'open' // more bytes may come
  | 'ended' // the peer half-closed (FIN): what is queued is all there will be
  | 'failed'; // reset, error or destroyed before the peer's FIN: the stream was cut

/** A read waiting for bytes: what it takes from the queue, and how to end it. */
interface WaitingFor {
  /** Takes what the read needs, or returns `undefined` to wait for more (see `Connection.read`). */
  readonly attempt: (more: boolean) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A TCP connection with line, exact-size and backpressured reads and writes. */
export class Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Resolves once the socket is fully closed (never rejects). */
  readonly closed: Promise<void>;
  /** The underlying socket, for what this class does not cover (keep-alive, …). */
  readonly socket: Socket;

  private readonly queue = new ByteQueue();
  private incoming: Incoming = 'open';
  private failure: Error | undefined;
  /** The read waiting for more bytes, re-tried as they arrive; at most one read waits. */
  private waiting: WaitingFor | undefined;
  /** How the waiting read gives up (time limit, signal). */
  private readonly deadline = new ReadDeadline(() => this.peer);
  private reading = false;
  /** True while we paused the socket because the queue reached the high-water mark. */
  private paused = false;

  private readonly lineEnding: LineEnding;
  private readonly maxLineBytes: number;
  private readonly readTimeoutMs: number | undefined;
  private readonly highWaterMark: number;
  private readonly transcript: Transcript | undefined;
  private readonly ourRole: Direction;
  private readonly theirRole: Direction;
  /** Holds incoming bytes until the read limiter lets them through (only with `readLimiter`). */
  private readonly readGate: ReadGate | undefined;
  /** Sends writes through the write limiter (only with `writeLimiter`). */
  private readonly pacer: WritePacer | undefined;

  /** Wraps a connected socket; `connectTcp` and `listenTcp` do this for you. */
  constructor(socket: Socket, options: ConnectionOptions = {}) {
    this.socket = socket;
    this.remoteAddress = unmapIPv4(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = unmapIPv4(socket.localAddress ?? '');
    this.localPort = socket.localPort ?? 0;
    this.lineEnding = options.lineEnding ?? 'any';
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.readTimeoutMs = options.readTimeoutMs;
    this.highWaterMark = options.readHighWaterMark ?? DEFAULT_READ_HIGH_WATER_MARK;
    this.transcript = options.transcript;
    this.ourRole = options.role ?? 'client';
    this.theirRole = this.ourRole === 'client' ? 'server' : 'client';

    // Small request/reply exchanges must not wait for Nagle's algorithm.
    socket.setNoDelay(true);
    const onData = (chunk: Buffer): void => {
      this.transcript?.record(this.theirRole, chunk);
      this.queue.push(chunk);
      if (this.waiting !== undefined) this.retryWaitingRead();
      else if (this.queue.length >= this.highWaterMark) this.pauseSocket();
    };
    const onEnd = (): void => this.stopIncoming('ended');
    let onClose!: () => void;
    this.closed = new Promise((resolve) => {
      onClose = () => {
        this.stopIncoming('failed');
        this.deadline.dispose();
        resolve();
      };
    });
    // With a read limiter, every socket event goes through the gate, which keeps their order.
    const gate = options.readLimiter && new ReadGate(socket, options.readLimiter, { data: onData, end: onEnd, close: onClose, wantsMore: () => !this.paused });
    this.readGate = gate;
    if (options.writeLimiter) this.pacer = new WritePacer(options.writeLimiter, (slice, waitOptions) => this.writeNow(slice, waitOptions));
    socket.on('data', gate?.onData ?? onData);
    socket.on('end', gate?.onEnd ?? onEnd);
    socket.once('close', gate?.onClose ?? onClose);
    socket.on('error', (error) => {
      this.failure ??= error;
      gate?.stop();
      this.stopIncoming('failed');
    });
  }

  /** `host:port` of the peer, for messages. */
  get peer(): string {
    return formatHostPort(this.remoteAddress, this.remotePort);
  }

  /**
   * Reads the next line as UTF-8 text, without its line end. Resolves `null`
   * at the end of the stream. Throws `ConnectionClosedError` if the stream
   * ends in the middle of a line (the unfinished bytes are dropped) or the
   * connection was reset, `FramingError` for an overlong line (which is then
   * skipped: the next read gets the following line), `TimeoutError`.
   */
  readLine(options: ReadOptions = {}): Promise<string | null> {
    const lineEnding = options.lineEnding ?? this.lineEnding;
    const maxLineBytes = options.maxLineBytes ?? this.maxLineBytes;
    if (!this.reading) {
      // Fast path, no closure and no async frame: the line is already queued (pipelined input).
      let line: string | undefined;
      try {
        line = this.tryReadLine(options);
      } catch (error) {
        return Promise.reject(error);
      }
      if (line !== undefined) return Promise.resolve(line);
    }
    return this.read('a line', options, (more) => {
      const line = this.queue.takeLineText(lineEnding, maxLineBytes);
      return line !== undefined || more ? line : this.endOfLines();
    });
  }

  /** Like {@link readLine} but returns the line's bytes untouched (for message bodies). */
  readLineBytes(options: ReadOptions = {}): Promise<Buffer | null> {
    const lineEnding = options.lineEnding ?? this.lineEnding;
    const maxLineBytes = options.maxLineBytes ?? this.maxLineBytes;
    if (!this.reading) {
      // Fast path, no closure and no async frame: the line is already queued (pipelined input).
      let line: Buffer | undefined;
      try {
        line = this.tryReadLineBytes(options);
      } catch (error) {
        return Promise.reject(error);
      }
      if (line !== undefined) return Promise.resolve(line);
    }
    return this.read('a line', options, (more) => {
      const line = this.queue.takeLine(lineEnding, maxLineBytes);
      return line !== undefined || more ? line : this.endOfLines();
    });
  }

  /**
   * Takes the next line if it has already arrived, without waiting: the line
   * (as {@link readLine} would give it), or `undefined` when no complete line
   * is queued yet, the stream has ended included (then `await readLine()`
   * waits, or says how the stream ended). A server answering pipelined
   * commands handles the whole batch that arrived in one go this way, with no
   * trip through the promise queue per line. Throws `FramingError` for an
   * overlong line, like readLine; throws if another read is waiting.
   */
  tryReadLine(options: ReadOptions = {}): string | undefined {
    if (this.reading) throw new WirelabError('cannot take a line: another read is still waiting on this connection (reads take turns)');
    const line = this.queue.takeLineText(options.lineEnding ?? this.lineEnding, options.maxLineBytes ?? this.maxLineBytes);
    if (line !== undefined) this.resumeIfRoom();
    return line;
  }

  /** Like {@link tryReadLine} but returns the line's bytes untouched (for message bodies). */
  tryReadLineBytes(options: ReadOptions = {}): Buffer | undefined {
    if (this.reading) throw new WirelabError('cannot take a line: another read is still waiting on this connection (reads take turns)');
    const line = this.queue.takeLine(options.lineEnding ?? this.lineEnding, options.maxLineBytes ?? this.maxLineBytes);
    if (line !== undefined) this.resumeIfRoom();
    return line;
  }

  /** No line end will come any more: `null` after a clean end, else why the line was cut. */
  private endOfLines(): null {
    if (this.incoming === 'failed') throw this.closedError('reading a line');
    const unfinished = this.queue.isSkippingLine ? 0 : this.queue.length;
    if (unfinished === 0) return null;
    this.queue.discard(this.queue.length);
    throw new ConnectionClosedError(`reading a line (the peer closed after ${unfinished} bytes without a line end)`);
  }

  /** Reads exactly `n` bytes; `ConnectionClosedError` if the stream ends first. */
  readExactly(n: number, options: WaitOptions = {}): Promise<Buffer> {
    if (!Number.isInteger(n) || n < 0) return Promise.reject(new RangeError(`readExactly(${n}): need a whole number of bytes`));
    return this.read(`${n} bytes`, options, (more) => {
      const bytes = this.queue.takeExactly(n);
      if (bytes !== undefined || more) return bytes;
      throw this.closedError(`reading ${n} bytes (${this.queue.length} arrived)`);
    });
  }

  /**
   * Reads one length-prefixed frame (see `encodeLengthPrefixed`) and returns
   * its payload (empty for a keep-alive); `null` at a clean end between frames.
   * A length over `maxFrameBytes` (default 1 MiB) throws `FramingError`
   * `frame-too-large`; an end mid-frame throws `ConnectionClosedError`.
   */
  readFrame(options: WaitOptions & { maxFrameBytes?: number } = {}): Promise<Buffer | null> {
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    return this.read('a length-prefixed frame', options, (more) => {
      const queued = this.queue.length;
      if (queued >= LENGTH_PREFIX_BYTES) {
        const length = this.queue.peek(LENGTH_PREFIX_BYTES).readUInt32BE(0);
        if (length > maxFrameBytes) {
          throw new FramingError(`frame of ${length} bytes is larger than the limit of ${maxFrameBytes}`, 'frame-too-large', maxFrameBytes);
        }
        if (queued >= LENGTH_PREFIX_BYTES + length) {
          this.queue.discard(LENGTH_PREFIX_BYTES);
          return this.queue.take(length);
        }
      }
      if (more) return undefined;
      if (queued === 0 && this.incoming === 'ended') return null;
      throw this.closedError(`reading a frame (${queued} bytes of it arrived)`);
    });
  }

  /** Writes `payload` as one length-prefixed frame. */
  writeFrame(payload: Uint8Array | string, options: WaitOptions = {}): Promise<void> {
    return this.write(encodeLengthPrefixed(payload), options);
  }

  /** Reads whatever has arrived (at least one byte); `null` at the end of the stream. */
  readAvailable(options: WaitOptions = {}): Promise<Buffer | null> {
    return this.read('data', options, (more) => {
      if (this.queue.length > 0) return this.queue.take(this.queue.length);
      if (more) return undefined;
      if (this.incoming === 'failed') throw this.closedError('reading');
      return null;
    });
  }

  /** Every line until the end of the stream, as text (same rules as {@link readLine}). */
  lines(options: ReadOptions = {}): AsyncIterableIterator<string> {
    const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
    let done = false;
    // A plain iterator rather than an async generator: a line already queued
    // costs one resolved promise, which keeps `for await` as fast as readline.
    const iterator: AsyncIterableIterator<string> = {
      next: (): Promise<IteratorResult<string>> => {
        if (done) return Promise.resolve(finished);
        if (!this.reading) {
          let line: string | undefined;
          try {
            line = this.tryReadLine(options);
          } catch (error) {
            return Promise.reject(error);
          }
          if (line !== undefined) return Promise.resolve({ done: false, value: line });
        }
        return this.readLine(options).then((line) => {
          if (line !== null) return { done: false, value: line };
          done = true;
          return finished;
        });
      },
      return: (): Promise<IteratorResult<string>> => {
        done = true;
        return Promise.resolve(finished);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Writes bytes (text as UTF-8). Resolves at once while the socket's send
   * buffer is below its high-water mark, otherwise once it has drained: a
   * writer that awaits every write never runs ahead of a slow reader.
   */
  write(data: Uint8Array | string, options: WaitOptions = {}): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return Promise.reject(new ConnectionClosedError('writing (the connection is already closed for writing)'));
    this.transcript?.record(this.ourRole, data);
    if (this.pacer !== undefined) return this.pacer.write(data, options);
    return this.writeNow(data, options);
  }

  /** Hands `data` to the socket now; resolves at once, or once the send buffer drained. */
  private writeNow(data: Uint8Array | string, options: WaitOptions): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return Promise.reject(new ConnectionClosedError('writing (the connection closed while a paced write was sending)'));
    // Text goes to the socket as it is: Node encodes it as UTF-8 straight into the send, with no Buffer in between.
    if (socket.write(data)) return Promise.resolve();
    return waitFor<void>(`${this.peer} to read what we wrote`, options, (resolve, reject) => {
      const onDrain = (): void => resolve();
      const onClose = (): void => reject(this.closedError('writing'));
      socket.once('drain', onDrain);
      socket.once('close', onClose);
      return () => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
      };
    });
  }

  /** Writes `line` followed by CR LF. */
  writeLine(line: string, options: WaitOptions = {}): Promise<void> {
    return this.write(`${line}\r\n`, options);
  }

  /** Half-closes: sends FIN after what was written; resolves once it is flushed. Reading still works. */
  end(options: WaitOptions = {}): Promise<void> {
    // Paced writes still on their way go out first.
    if (this.pacer !== undefined) return this.pacer.idle.then(() => this.endNow(options));
    return this.endNow(options);
  }

  private endNow(options: WaitOptions): Promise<void> {
    const socket = this.socket;
    if (socket.writableFinished) return Promise.resolve();
    if (socket.destroyed) return Promise.reject(new ConnectionClosedError('ending (the connection was destroyed)'));
    return waitFor<void>(`${this.peer} to accept the end of our stream`, options, (resolve, reject) => {
      const onFinish = (): void => resolve();
      const onClose = (): void => (socket.writableFinished ? resolve() : reject(this.closedError('ending')));
      socket.once('finish', onFinish);
      socket.once('close', onClose);
      if (!socket.writableEnded) socket.end();
      return () => {
        socket.off('finish', onFinish);
        socket.off('close', onClose);
      };
    });
  }

  /** Closes at once in both directions, dropping unsent data (the peer may see a reset). */
  destroy(): void {
    this.readGate?.stop();
    this.socket.destroy();
  }

  /**
   * Runs one read: `attempt(more)` takes what it needs from the queue, or
   * returns `undefined` to wait for more bytes. When `more` is false no bytes
   * will ever arrive again and `attempt` must return a value or throw.
   */
  private read<T>(what: string, options: WaitOptions, attempt: (more: boolean) => T | undefined): Promise<T> {
    // A plain function returning its promise, not an async one: one promise per
    // read and no extra hop through the promise queue when the bytes arrive.
    if (this.reading) return Promise.reject(new WirelabError(`cannot read ${what}: another read is still waiting on this connection (reads take turns)`));
    let now: T | undefined;
    try {
      now = attempt(this.incoming === 'open');
    } catch (error) {
      return Promise.reject(error);
    }
    if (now !== undefined) {
      this.resumeIfRoom();
      return Promise.resolve(now);
    }
    const { timeoutMs = this.readTimeoutMs, signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.reading = true;
    return new Promise<T>((resolve, reject) => {
      // Fields and methods rather than closures per wait: a server waits once per request.
      this.waiting = { attempt, resolve: resolve as (value: unknown) => void, reject };
      this.deadline.start({ what, timeoutMs, signal, fail: this.failWaitingRead });
      this.resumeSocket(); // the read needs more bytes than are queued
    });
  }

  /** Bytes arrived or the stream ended: the waiting read tries again, and ends if it got what it needs. */
  private retryWaitingRead(): void {
    const waiting = this.waiting!;
    let value: unknown;
    try {
      value = waiting.attempt(this.incoming === 'open');
    } catch (error) {
      this.stopWaiting();
      waiting.reject(error);
      return;
    }
    if (value === undefined) return;
    this.stopWaiting();
    waiting.resolve(value);
  }

  /** Ends the waiting read with `error` (its time limit or signal). */
  private readonly failWaitingRead = (error: unknown): void => {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    this.stopWaiting();
    waiting.reject(error);
  };

  private stopWaiting(): void {
    this.waiting = undefined; // at once: a later wake-up must not take bytes for a read that is over
    this.deadline.stop();
    this.reading = false;
    this.resumeIfRoom();
  }

  private resumeIfRoom(): void {
    if (this.paused && this.incoming === 'open' && this.queue.length < this.highWaterMark) this.resumeSocket();
  }

  /** Stops reading from the kernel: the queue is full and nobody reads it (TCP flow control then slows the peer). */
  private pauseSocket(): void {
    this.paused = true;
    this.socket.pause();
  }

  private resumeSocket(): void {
    this.paused = false;
    this.socket.resume();
  }

  private stopIncoming(how: Exclude<Incoming, 'open'>): void {
    if (this.incoming === 'open') this.incoming = how;
    if (this.waiting !== undefined) this.retryWaitingRead();
  }

  private closedError(during: string): ConnectionClosedError {
    const error = new ConnectionClosedError(`${during} from ${this.peer}`);
    if (this.failure !== undefined) error.cause = this.failure;
    return error;
  }
}

