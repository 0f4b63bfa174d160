/**
 * The messages after the handshake (BEP 3), and their encoders. Every message
 * is a 4-byte big-endian length, then that many bytes: a 1-byte id and its
 * payload. All integers are 4 bytes, big-endian. Above each encoder is its
 * format in the spec's notation, `<len=0013>` being the length prefix's value.
 */
import {
  HAVE_MESSAGE_LENGTH,
  LENGTH_PREFIX_BYTES,
  MessageId,
  PIECE_HEADER_LENGTH,
  PORT_MESSAGE_LENGTH,
  REQUEST_MESSAGE_LENGTH,
  STATE_MESSAGE_LENGTH,
} from './wire-constants.ts';
import type { Handshake } from './handshake.ts';

/** One block of one piece: `length` bytes from byte `begin` of piece `index`. */
export interface BlockRequest {
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

/** A message after the handshake, as the decoder gives it and the encoders take it. */
export type PeerMessage =
  | { readonly type: 'keep-alive' }
  | { readonly type: 'choke' }
  | { readonly type: 'unchoke' }
  | { readonly type: 'interested' }
  | { readonly type: 'not-interested' }
  | { readonly type: 'have'; readonly index: number }
  /** The raw bitfield bytes; the session checks them against the torrent (Bitfield.fromBytes). */
  | { readonly type: 'bitfield'; readonly bytes: Uint8Array }
  | ({ readonly type: 'request' } & BlockRequest)
  /** A block; `block` may share memory with the chunk it arrived in. */
  | { readonly type: 'piece'; readonly index: number; readonly begin: number; readonly block: Uint8Array }
  | ({ readonly type: 'cancel' } & BlockRequest)
  /** BEP 5: the peer's DHT port. Read and ignored. */
  | { readonly type: 'port'; readonly port: number }
  /** An id we do not speak (an extension): `size` payload bytes after the id were skipped. */
  | { readonly type: 'unknown'; readonly id: number; readonly size: number };

/** The handshake, as the decoder gives it first. */
export type HandshakeMessage = { readonly type: 'handshake' } & Handshake;

/** Everything a decoder yields: the handshake first, then messages. */
export type WireMessage = HandshakeMessage | PeerMessage;

/** `<len=0000>`: keep-alive, nothing else (sent when we have been quiet for a while). */
export function encodeKeepAlive(): Buffer {
  // TODO: four zero bytes (a length of 0, no id).
  throw new Error('TODO(10-peer): encodeKeepAlive');
}

/** `<len=0001><id=0>`: choke: I will not answer your requests. */
export function encodeChoke(): Buffer {
  // TODO: length 1 (STATE_MESSAGE_LENGTH), then the id MessageId.CHOKE.
  throw new Error('TODO(10-peer): encodeChoke');
}

/** `<len=0001><id=1>`: unchoke: ask away. */
export function encodeUnchoke(): Buffer {
  // TODO: length 1, then MessageId.UNCHOKE.
  throw new Error('TODO(10-peer): encodeUnchoke');
}

/** `<len=0001><id=2>`: interested: you have pieces I want. */
export function encodeInterested(): Buffer {
  // TODO: length 1, then MessageId.INTERESTED.
  throw new Error('TODO(10-peer): encodeInterested');
}

/** `<len=0001><id=3>`: not interested. */
export function encodeNotInterested(): Buffer {
  // TODO: length 1, then MessageId.NOT_INTERESTED.
  throw new Error('TODO(10-peer): encodeNotInterested');
}

/**
 * have, 9 bytes:
 *
 *   offset 0  <len=0005>   offset 4  <id=4>   offset 5  <piece index>
 */
export function encodeHave(index: number): Buffer {
  // TODO: the 9 bytes above; numbers are 4-byte big-endian (writeUInt32BE).
  throw new Error(`TODO(10-peer): encodeHave(${index})`);
}

/**
 * bitfield, 5 + X bytes (X = ceil(pieces / 8), high bit of byte 0 = piece 0):
 *
 *   offset 0  <len=0001+X>   offset 4  <id=5>   offset 5  <bitfield>
 */
export function encodeBitfield(bytes: Uint8Array): Buffer {
  // TODO: the length counts the id byte too: 1 + bytes.length.
  throw new Error(`TODO(10-peer): encodeBitfield of ${bytes.length} bytes`);
}

/**
 * request, 17 bytes:
 *
 *   offset 0  <len=0013>   offset 4  <id=6>   offset 5  <index>   offset 9  <begin>   offset 13  <length>
 */
export function encodeRequest(block: BlockRequest): Buffer {
  // TODO: the 17 bytes above.
  throw new Error(`TODO(10-peer): encodeRequest(${block.index}, ${block.begin}, ${block.length})`);
}

/**
 * piece, 13 + X bytes (X = the block's length, 16 KiB but for the very last block):
 *
 *   offset 0  <len=0009+X>   offset 4  <id=7>   offset 5  <index>   offset 9  <begin>   offset 13  <block>
 */
export function encodePiece(index: number, begin: number, block: Uint8Array): Buffer {
  // TODO: the 13-byte header above, then the block itself.
  throw new Error(`TODO(10-peer): encodePiece(${index}, ${begin}, ${block.length} bytes)`);
}

/**
 * cancel, 17 bytes (the request it takes back, field for field):
 *
 *   offset 0  <len=0013>   offset 4  <id=8>   offset 5  <index>   offset 9  <begin>   offset 13  <length>
 */
export function encodeCancel(block: BlockRequest): Buffer {
  // TODO: the same layout as a request, with id MessageId.CANCEL.
  throw new Error(`TODO(10-peer): encodeCancel(${block.index}, ${block.begin}, ${block.length})`);
}

/**
 * port (BEP 5), 7 bytes:
 *
 *   offset 0  <len=0003>   offset 4  <id=9>   offset 5  <listen-port: 2 bytes>
 */
export function encodePort(port: number): Buffer {
  // TODO: the 7 bytes above; the port is 2 bytes, big-endian.
  throw new Error(`TODO(10-peer): encodePort(${port})`);
}

/** Encodes any message but `unknown` (we never send what we do not speak). */
export function encodeMessage(m: Exclude<PeerMessage, { type: 'unknown' }>): Buffer {
  // TODO: call the encoder of `m.type` (a switch over the types; TypeScript checks you covered them all).
  throw new Error(`TODO(10-peer): encodeMessage(${m.type})`);
}
