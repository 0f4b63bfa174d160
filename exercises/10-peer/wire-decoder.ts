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
  // TODO: choke/unchoke/interested/not interested: exactly STATE_MESSAGE_LENGTH; have: HAVE_MESSAGE_LENGTH;
  // TODO: request and cancel: REQUEST_MESSAGE_LENGTH; port: PORT_MESSAGE_LENGTH; piece: from its header
  // TODO: alone to a whole block (MAX_PIECE_MESSAGE_LENGTH); bitfield: up to 1 + bitfieldBytes(pieceCount);
  // TODO: anything else: 1 to MAX_UNKNOWN_MESSAGE_LENGTH.
  throw new Error(`TODO(10-peer): messageLengthRange(${id}, ${pieceCount})`);
}

/** A stream decoder for one direction of one connection. */
export class WireDecoder {
  /** Remember the options; start by expecting the handshake (unless `handshake: false`). */
  constructor(options: WireDecoderOptions) {
    // TODO: keep what you need: the piece count, where you are in the stream (a union of stages:
    // TODO: handshake, header, body, skipping an unknown body, failed) and the bytes not used yet.
    void options;
  }

  /** Bytes received but not yet part of a returned message (never more than one message's worth). */
  get bufferedBytes(): number {
    // TODO: how many bytes you are holding.
    throw new Error('TODO(10-peer): WireDecoder.bufferedBytes');
  }

  /**
   * Adds a chunk; returns the messages it completed, in order. Throws
   * {@link WireError} on bytes that break the protocol (messages completed
   * earlier in the same chunk are lost with it: the connection is dropped
   * anyway); every later push throws the same error.
   */
  push(chunk: Uint8Array): WireMessage[] {
    // TODO: keep the chunk, then take out as many whole messages as you can:
    // TODO: - first the 68-byte handshake (check its first bytes as they arrive: checkHandshakePrefix);
    // TODO: - then a 4-byte length (0: keep-alive) and the id; check the length against
    // TODO:   messageLengthRange BEFORE waiting for the body (WireError 'too-long' / 'bad-length');
    // TODO: - a known id: wait for the whole body and build the message (numbers are big-endian);
    // TODO: - an unknown id: throw its body away as it arrives (never keep it) and yield { type: 'unknown' }.
    // TODO: After a WireError, remember it and throw it again on every later push.
    throw new Error(`TODO(10-peer): WireDecoder.push of ${chunk.length} bytes`);
  }
}
