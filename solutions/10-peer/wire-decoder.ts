/**
 * Turns the bytes of one connection, in chunks split anywhere, into messages:
 * the handshake first, then length-prefixed messages. Pure and socket-free:
 * push whatever a read gave, get back every message it completed.
 *
 * A peer decides how much we buffer by what it writes in a length prefix, so
 * every length is checked against what that message id can need BEFORE any
 * of its body is kept: a 4 GiB length, a bitfield longer than the torrent's
 * or a piece longer than one block is refused with 5 bytes read. Bodies of ids
 * we do not speak are skipped as they stream past, never buffered.
 */
import { bitfieldBytes } from './bitfield.ts';
import { checkHandshakePrefix, parseHandshake } from './handshake.ts';
import {
  HANDSHAKE_LENGTH,
  HAVE_MESSAGE_LENGTH,
  LENGTH_PREFIX_BYTES,
  MAX_PIECE_MESSAGE_LENGTH,
  MAX_UNKNOWN_MESSAGE_LENGTH,
  MessageId,
  PIECE_HEADER_LENGTH,
  PORT_MESSAGE_LENGTH,
  REQUEST_MESSAGE_LENGTH,
  STATE_MESSAGE_LENGTH,
} from './wire-constants.ts';
import { WireError } from './wire-error.ts';
import type { PeerMessage, WireMessage } from './wire-messages.ts';

/** Options of {@link WireDecoder}. */
export interface WireDecoderOptions {
  /** Pieces in the torrent: a bitfield may be at most 1 + ceil(pieceCount / 8) bytes long. */
  pieceCount: number;
  /** Expect the 68-byte handshake before the messages. @default true */
  handshake?: boolean;
}

/** Message names for error texts, by id. */
const NAMES: Record<number, string> = {
  [MessageId.CHOKE]: 'choke',
  [MessageId.UNCHOKE]: 'unchoke',
  [MessageId.INTERESTED]: 'interested',
  [MessageId.NOT_INTERESTED]: 'not interested',
  [MessageId.HAVE]: 'have',
  [MessageId.BITFIELD]: 'bitfield',
  [MessageId.REQUEST]: 'request',
  [MessageId.PIECE]: 'piece',
  [MessageId.CANCEL]: 'cancel',
  [MessageId.PORT]: 'port',
};

/** The name of a message id, for people: `piece`, `unknown id 20`. */
export function messageName(id: number): string {
  return NAMES[id] ?? `unknown id ${id}`;
}

/**
 * The smallest and largest length (id byte included) a message with this id
 * may have in a torrent of `pieceCount` pieces. Ids we do not know may be
 * anything up to {@link MAX_UNKNOWN_MESSAGE_LENGTH}.
 */
export function messageLengthRange(id: number, pieceCount: number): { min: number; max: number } {
  switch (id) {
    case MessageId.CHOKE:
    case MessageId.UNCHOKE:
    case MessageId.INTERESTED:
    case MessageId.NOT_INTERESTED:
      return { min: STATE_MESSAGE_LENGTH, max: STATE_MESSAGE_LENGTH };
    case MessageId.HAVE:
      return { min: HAVE_MESSAGE_LENGTH, max: HAVE_MESSAGE_LENGTH };
    case MessageId.BITFIELD:
      // A shorter one is still read: the session refuses it with a clearer reason (wrong length).
      return { min: 1, max: 1 + bitfieldBytes(pieceCount) };
    case MessageId.REQUEST:
    case MessageId.CANCEL:
      return { min: REQUEST_MESSAGE_LENGTH, max: REQUEST_MESSAGE_LENGTH };
    case MessageId.PIECE:
      return { min: PIECE_HEADER_LENGTH, max: MAX_PIECE_MESSAGE_LENGTH };
    case MessageId.PORT:
      return { min: PORT_MESSAGE_LENGTH, max: PORT_MESSAGE_LENGTH };
    default:
      return { min: 1, max: MAX_UNKNOWN_MESSAGE_LENGTH };
  }
}

/** Where the decoder stands in the stream. */
type Stage =
  | { readonly name: 'handshake' }
  | { readonly name: 'header' }
  /** A known message of `length` bytes (id included) whose body we wait for. */
  | { readonly name: 'body'; readonly id: number; readonly length: number }
  /** An unknown message: `left` more body bytes to throw away. */
  | { readonly name: 'skip'; readonly id: number; readonly size: number; left: number }
  | { readonly name: 'failed'; readonly error: WireError };

/** A stream decoder for one direction of one connection. */
export class WireDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stage: Stage;
  private readonly pieceCount: number;
  /** No message of any id may be longer than this: a length beyond it is refused before its id arrives. */
  private readonly longest: number;

  /** Remember the options; start by expecting the handshake (unless `handshake: false`). */
  constructor(options: WireDecoderOptions) {
    this.pieceCount = options.pieceCount;
    this.stage = options.handshake === false ? { name: 'header' } : { name: 'handshake' };
    this.longest = Math.max(MAX_UNKNOWN_MESSAGE_LENGTH, MAX_PIECE_MESSAGE_LENGTH, 1 + bitfieldBytes(this.pieceCount));
  }

  /** Bytes received but not yet part of a returned message (never more than one message's worth). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds a chunk; returns the messages it completed, in order. Throws
   * {@link WireError} on bytes that break the protocol (messages completed
   * earlier in the same chunk are lost with it: the connection is dropped
   * anyway); every later push throws the same error.
   */
  push(chunk: Uint8Array): WireMessage[] {
    if (this.stage.name === 'failed') throw this.stage.error;
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.buffered += chunk.length;
    }
    const out: WireMessage[] = [];
    try {
      for (let message = this.next(); message !== undefined; message = this.next()) out.push(message);
    } catch (error) {
      if (error instanceof WireError) {
        this.stage = { name: 'failed', error };
        this.chunks = [];
        this.buffered = 0;
      }
      throw error;
    }
    return out;
  }

  /** The next whole message from the buffered bytes, or undefined when more are needed. */
  private next(): WireMessage | undefined {
    const stage = this.stage;
    switch (stage.name) {
      case 'handshake': {
        // Check as bytes arrive: garbage is refused at its first byte, not after 68.
        checkHandshakePrefix(this.peek(Math.min(this.buffered, HANDSHAKE_LENGTH)));
        if (this.buffered < HANDSHAKE_LENGTH) return undefined;
        this.stage = { name: 'header' };
        return { type: 'handshake', ...parseHandshake(this.take(HANDSHAKE_LENGTH)) };
      }
      case 'header':
        return this.header();
      case 'body': {
        if (this.buffered < stage.length) return undefined;
        this.stage = { name: 'header' };
        return this.body(stage.id, this.take(stage.length));
      }
      case 'skip': {
        const n = Math.min(stage.left, this.buffered);
        this.discard(n);
        stage.left -= n;
        if (stage.left > 0) return undefined;
        this.stage = { name: 'header' };
        return { type: 'unknown', id: stage.id, size: stage.size };
      }
      case 'failed':
        throw stage.error;
    }
  }

  /** Reads a length prefix (and id) and checks the length before any body is kept. */
  private header(): WireMessage | undefined {
    if (this.buffered < LENGTH_PREFIX_BYTES) return undefined;
    const length = this.peek(LENGTH_PREFIX_BYTES).readUInt32BE(0);
    if (length === 0) {
      this.discard(LENGTH_PREFIX_BYTES);
      return { type: 'keep-alive' };
    }
    if (length > this.longest) {
      throw new WireError('too-long', `a message of ${length} bytes is longer than any message can be (${this.longest})`, undefined, length);
    }
    if (this.buffered < LENGTH_PREFIX_BYTES + 1) return undefined;
    const id = this.peek(LENGTH_PREFIX_BYTES + 1)[LENGTH_PREFIX_BYTES]!;
    const { min, max } = messageLengthRange(id, this.pieceCount);
    if (length > max) {
      throw new WireError('too-long', `a ${messageName(id)} message is at most ${max} bytes, this one says ${length}`, id, length);
    }
    if (length < min) {
      throw new WireError('bad-length', `a ${messageName(id)} message is at least ${min} bytes, this one says ${length}`, id, length);
    }
    this.discard(LENGTH_PREFIX_BYTES + 1);
    this.stage = id in NAMES ? { name: 'body', id, length: length - 1 } : { name: 'skip', id, size: length - 1, left: length - 1 };
    return this.next();
  }

  /** Builds a known message from its payload (the bytes after the id). */
  private body(id: number, payload: Buffer): PeerMessage {
    switch (id) {
      case MessageId.CHOKE:
        return { type: 'choke' };
      case MessageId.UNCHOKE:
        return { type: 'unchoke' };
      case MessageId.INTERESTED:
        return { type: 'interested' };
      case MessageId.NOT_INTERESTED:
        return { type: 'not-interested' };
      case MessageId.HAVE:
        return { type: 'have', index: payload.readUInt32BE(0) };
      case MessageId.BITFIELD:
        return { type: 'bitfield', bytes: payload };
      case MessageId.REQUEST:
      case MessageId.CANCEL:
        return { type: id === MessageId.REQUEST ? 'request' : 'cancel', index: payload.readUInt32BE(0), begin: payload.readUInt32BE(4), length: payload.readUInt32BE(8) };
      case MessageId.PIECE:
        return { type: 'piece', index: payload.readUInt32BE(0), begin: payload.readUInt32BE(4), block: payload.subarray(8) };
      default: // MessageId.PORT: the only other id that reaches here
        return { type: 'port', port: payload.readUInt16BE(0) };
    }
  }

  /** The first `n` buffered bytes, without consuming them (copied only if they span chunks). */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const chunk of this.chunks) {
      if (at === n) break;
      at += chunk.copy(out, at, 0, Math.min(chunk.length, n - at));
    }
    return out;
  }

  /** Removes and returns the first `n` buffered bytes (a view when they sit in one chunk). */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first === undefined) return Buffer.alloc(0); // n is 0: a message that is only its id
    if (first.length >= n) {
      const out = first.subarray(0, n);
      this.drop(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, count);
      at += count;
      this.drop(count);
    }
    return out;
  }

  /** Throws away the first `n` buffered bytes. */
  private discard(n: number): void {
    let left = n;
    while (left > 0) {
      const count = Math.min(this.chunks[0]!.length, left);
      this.drop(count);
      left -= count;
    }
  }

  /** Removes `n` bytes from the first chunk (at most its length). */
  private drop(n: number): void {
    const first = this.chunks[0]!;
    if (n === first.length) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
  }
}
