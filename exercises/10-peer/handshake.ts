/**
 * The handshake (BEP 3): the first 68 bytes each side sends. It says "I speak
 * BitTorrent, about this torrent (info_hash), and I am this peer (peer_id)".
 */
import { HANDSHAKE_LENGTH, HANDSHAKE_OFFSET, ID_LENGTH, PROTOCOL_NAME, PROTOCOL_NAME_LENGTH, RESERVED_LENGTH } from './wire-constants.ts';
import { WireError } from './wire-error.ts';

/** What a handshake carries. */
export interface Handshake {
  /** 8 bytes of extension bits (BEP 10 sets 0x10 in byte 5, the DHT 0x01 in byte 7, …). */
  reserved: Buffer;
  /** 20 bytes: which torrent. */
  infoHash: Buffer;
  /** 20 bytes: who is talking. */
  peerId: Buffer;
}

/** The 20 bytes every handshake starts with: 19, then `BitTorrent protocol`. */
export const HANDSHAKE_PREFIX: Uint8Array = Buffer.concat([Buffer.from([PROTOCOL_NAME_LENGTH]), Buffer.from(PROTOCOL_NAME, 'latin1')]);

/**
 * Encodes our handshake, 68 bytes:
 *
 *   offset 0   1 B   pstrlen = 19
 *   offset 1   19 B  pstr = "BitTorrent protocol"
 *   offset 20  8 B   reserved (all zero: no extensions)
 *   offset 28  20 B  info_hash
 *   offset 48  20 B  peer_id
 *
 * Throws a RangeError when an id is not 20 bytes (a bug of ours, not the peer's).
 */
export function encodeHandshake(infoHash: Uint8Array, peerId: Uint8Array, reserved: Uint8Array = new Uint8Array(RESERVED_LENGTH)): Buffer {
  // TODO: check the lengths (ID_LENGTH, RESERVED_LENGTH), then write HANDSHAKE_PREFIX, the reserved
  // TODO: bytes, the info_hash and the peer_id at the offsets above (HANDSHAKE_OFFSET) into HANDSHAKE_LENGTH bytes.
  throw new Error(`TODO(10-peer): encodeHandshake (${infoHash.length}, ${peerId.length}, ${reserved.length} bytes)`);
}

/**
 * How many of the first bytes of `bytes` agree with the start of a handshake;
 * throws {@link WireError} `not-bittorrent` at the first byte that does not.
 * Lets a decoder refuse garbage (an encrypted handshake) at its first byte
 * instead of waiting for 68.
 */
export function checkHandshakePrefix(bytes: Uint8Array): void {
  // TODO: compare the bytes that arrived so far (at most the 20 of HANDSHAKE_PREFIX) with it;
  // TODO: at the first difference throw new WireError('not-bittorrent', …) saying which byte.
  throw new Error(`TODO(10-peer): checkHandshakePrefix of ${bytes.length} bytes`);
}

/**
 * Reads a 68-byte handshake. Throws {@link WireError} `not-bittorrent` when it
 * does not start with 19 and `BitTorrent protocol`, `bad-length` when it is
 * not 68 bytes. The fields are copies (safe to keep).
 */
export function parseHandshake(bytes: Uint8Array): Handshake {
  // TODO: refuse what is not a handshake (checkHandshakePrefix) or not HANDSHAKE_LENGTH bytes,
  // TODO: then copy out the reserved bytes, the info_hash and the peer_id (Buffer.from(bytes.subarray(…)) copies).
  throw new Error(`TODO(10-peer): parseHandshake of ${bytes.length} bytes`);
}
