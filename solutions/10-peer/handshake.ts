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
  if (infoHash.length !== ID_LENGTH) throw new RangeError(`an info_hash is ${ID_LENGTH} bytes, got ${infoHash.length}`);
  if (peerId.length !== ID_LENGTH) throw new RangeError(`a peer_id is ${ID_LENGTH} bytes, got ${peerId.length}`);
  if (reserved.length !== RESERVED_LENGTH) throw new RangeError(`the reserved field is ${RESERVED_LENGTH} bytes, got ${reserved.length}`);
  const out = Buffer.alloc(HANDSHAKE_LENGTH);
  out.set(HANDSHAKE_PREFIX, 0);
  out.set(reserved, HANDSHAKE_OFFSET.RESERVED);
  out.set(infoHash, HANDSHAKE_OFFSET.INFO_HASH);
  out.set(peerId, HANDSHAKE_OFFSET.PEER_ID);
  return out;
}

/**
 * How many of the first bytes of `bytes` agree with the start of a handshake;
 * throws {@link WireError} `not-bittorrent` at the first byte that does not.
 * Lets a decoder refuse garbage (an encrypted handshake) at its first byte
 * instead of waiting for 68.
 */
export function checkHandshakePrefix(bytes: Uint8Array): void {
  const n = Math.min(bytes.length, HANDSHAKE_PREFIX.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== HANDSHAKE_PREFIX[i]) {
      throw new WireError('not-bittorrent', `not a BitTorrent handshake: byte ${i} is 0x${bytes[i]!.toString(16).padStart(2, '0')}, expected 0x${HANDSHAKE_PREFIX[i]!.toString(16).padStart(2, '0')} (19 then "BitTorrent protocol")`);
    }
  }
}

/**
 * Reads a 68-byte handshake. Throws {@link WireError} `not-bittorrent` when it
 * does not start with 19 and `BitTorrent protocol`, `bad-length` when it is
 * not 68 bytes. The fields are copies (safe to keep).
 */
export function parseHandshake(bytes: Uint8Array): Handshake {
  checkHandshakePrefix(bytes);
  if (bytes.length !== HANDSHAKE_LENGTH) throw new WireError('bad-length', `a handshake is ${HANDSHAKE_LENGTH} bytes, got ${bytes.length}`);
  return {
    // Buffer.from copies: the ids outlive the chunk they came in.
    reserved: Buffer.from(bytes.subarray(HANDSHAKE_OFFSET.RESERVED, HANDSHAKE_OFFSET.INFO_HASH)),
    infoHash: Buffer.from(bytes.subarray(HANDSHAKE_OFFSET.INFO_HASH, HANDSHAKE_OFFSET.PEER_ID)),
    peerId: Buffer.from(bytes.subarray(HANDSHAKE_OFFSET.PEER_ID, HANDSHAKE_LENGTH)),
  };
}
