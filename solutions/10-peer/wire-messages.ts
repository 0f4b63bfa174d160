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

/** A message with its length prefix and id written, `payload` bytes left to fill from offset 5. */
function message(id: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + length);
  out.writeUInt32BE(length, 0);
  out[LENGTH_PREFIX_BYTES] = id;
  return out;
}

/** `<len=0000>`: keep-alive, nothing else (sent when we have been quiet for a while). */
export function encodeKeepAlive(): Buffer {
  return Buffer.alloc(LENGTH_PREFIX_BYTES);
}

/** `<len=0001><id=0>`: choke: I will not answer your requests. */
export function encodeChoke(): Buffer {
  return message(MessageId.CHOKE, STATE_MESSAGE_LENGTH);
}

/** `<len=0001><id=1>`: unchoke: ask away. */
export function encodeUnchoke(): Buffer {
  return message(MessageId.UNCHOKE, STATE_MESSAGE_LENGTH);
}

/** `<len=0001><id=2>`: interested: you have pieces I want. */
export function encodeInterested(): Buffer {
  return message(MessageId.INTERESTED, STATE_MESSAGE_LENGTH);
}

/** `<len=0001><id=3>`: not interested. */
export function encodeNotInterested(): Buffer {
  return message(MessageId.NOT_INTERESTED, STATE_MESSAGE_LENGTH);
}

/**
 * have, 9 bytes:
 *
 *   offset 0  <len=0005>   offset 4  <id=4>   offset 5  <piece index>
 */
export function encodeHave(index: number): Buffer {
  const out = message(MessageId.HAVE, HAVE_MESSAGE_LENGTH);
  out.writeUInt32BE(index, 5);
  return out;
}

/**
 * bitfield, 5 + X bytes (X = ceil(pieces / 8), high bit of byte 0 = piece 0):
 *
 *   offset 0  <len=0001+X>   offset 4  <id=5>   offset 5  <bitfield>
 */
export function encodeBitfield(bytes: Uint8Array): Buffer {
  const out = message(MessageId.BITFIELD, 1 + bytes.length);
  out.set(bytes, 5);
  return out;
}

/** request and cancel share one layout. */
function blockMessage(id: number, { index, begin, length }: BlockRequest): Buffer {
  const out = message(id, REQUEST_MESSAGE_LENGTH);
  out.writeUInt32BE(index, 5);
  out.writeUInt32BE(begin, 9);
  out.writeUInt32BE(length, 13);
  return out;
}

/**
 * request, 17 bytes:
 *
 *   offset 0  <len=0013>   offset 4  <id=6>   offset 5  <index>   offset 9  <begin>   offset 13  <length>
 */
export function encodeRequest(block: BlockRequest): Buffer {
  return blockMessage(MessageId.REQUEST, block);
}

/**
 * piece, 13 + X bytes (X = the block's length, 16 KiB but for the very last block):
 *
 *   offset 0  <len=0009+X>   offset 4  <id=7>   offset 5  <index>   offset 9  <begin>   offset 13  <block>
 */
export function encodePiece(index: number, begin: number, block: Uint8Array): Buffer {
  const out = message(MessageId.PIECE, PIECE_HEADER_LENGTH + block.length);
  out.writeUInt32BE(index, 5);
  out.writeUInt32BE(begin, 9);
  out.set(block, 13);
  return out;
}

/**
 * cancel, 17 bytes (the request it takes back, field for field):
 *
 *   offset 0  <len=0013>   offset 4  <id=8>   offset 5  <index>   offset 9  <begin>   offset 13  <length>
 */
export function encodeCancel(block: BlockRequest): Buffer {
  return blockMessage(MessageId.CANCEL, block);
}

/**
 * port (BEP 5), 7 bytes:
 *
 *   offset 0  <len=0003>   offset 4  <id=9>   offset 5  <listen-port: 2 bytes>
 */
export function encodePort(port: number): Buffer {
  const out = message(MessageId.PORT, PORT_MESSAGE_LENGTH);
  out.writeUInt16BE(port, 5);
  return out;
}

/** Encodes any message but `unknown` (we never send what we do not speak). */
export function encodeMessage(m: Exclude<PeerMessage, { type: 'unknown' }>): Buffer {
  switch (m.type) {
    case 'keep-alive':
      return encodeKeepAlive();
    case 'choke':
      return encodeChoke();
    case 'unchoke':
      return encodeUnchoke();
    case 'interested':
      return encodeInterested();
    case 'not-interested':
      return encodeNotInterested();
    case 'have':
      return encodeHave(m.index);
    case 'bitfield':
      return encodeBitfield(m.bytes);
    case 'request':
      return encodeRequest(m);
    case 'piece':
      return encodePiece(m.index, m.begin, m.block);
    case 'cancel':
      return encodeCancel(m);
    case 'port':
      return encodePort(m.port);
  }
}
