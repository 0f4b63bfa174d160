/**
 * Every number the peer wire protocol (BEP 3) puts on the wire, with a name.
 * Given complete: the same file in exercises/ and solutions/.
 *
 * A connection starts with one handshake each way, then carries messages:
 *
 *   handshake:  <pstrlen=19><pstr="BitTorrent protocol"><reserved: 8 bytes><info_hash: 20><peer_id: 20>
 *   message:    <length: 4 bytes, big-endian><id: 1 byte><payload: length - 1 bytes>
 *   keep-alive: <length=0000> (no id, no payload)
 */
import { BLOCK_LENGTH } from './types.ts';

export { BLOCK_LENGTH };

/** The protocol name every handshake carries after its length byte. */
export const PROTOCOL_NAME = 'BitTorrent protocol';
/** The handshake's first byte: the length of {@link PROTOCOL_NAME} (19). */
export const PROTOCOL_NAME_LENGTH = 19;
/** Extension bits after the protocol name; we speak no extension, so all ours are zero. */
export const RESERVED_LENGTH = 8;
/** Bytes of an info_hash and of a peer_id. */
export const ID_LENGTH = 20;
/** 1 + 19 + 8 + 20 + 20: the whole handshake. */
export const HANDSHAKE_LENGTH = 1 + PROTOCOL_NAME_LENGTH + RESERVED_LENGTH + ID_LENGTH + ID_LENGTH;
/** Offsets inside the handshake. */
export const HANDSHAKE_OFFSET = {
  PROTOCOL_NAME: 1,
  RESERVED: 20,
  INFO_HASH: 28,
  PEER_ID: 48,
} as const;

/** Every message starts with its length as a 4-byte big-endian number (the id byte included). */
export const LENGTH_PREFIX_BYTES = 4;

/** The message ids of BEP 3, and `port` (BEP 5, the DHT's: read and ignored here). */
export const MessageId = {
  CHOKE: 0,
  UNCHOKE: 1,
  INTERESTED: 2,
  NOT_INTERESTED: 3,
  HAVE: 4,
  BITFIELD: 5,
  REQUEST: 6,
  PIECE: 7,
  CANCEL: 8,
  PORT: 9,
} as const;

/** A message id we know. */
export type KnownMessageId = (typeof MessageId)[keyof typeof MessageId];

/** Length of choke, unchoke, interested, not interested: the id alone. */
export const STATE_MESSAGE_LENGTH = 1;
/** Length of have: id + 4-byte piece index. */
export const HAVE_MESSAGE_LENGTH = 5;
/** Length of request and cancel: id + index + begin + length (4 bytes each). */
export const REQUEST_MESSAGE_LENGTH = 13;
/** Length of a piece message before its block: id + index + begin. */
export const PIECE_HEADER_LENGTH = 9;
/** The longest piece message we accept: a whole block after its header. */
export const MAX_PIECE_MESSAGE_LENGTH = PIECE_HEADER_LENGTH + BLOCK_LENGTH;
/** Length of port: id + 2-byte port. */
export const PORT_MESSAGE_LENGTH = 3;
/**
 * The longest message with an id we do not know (extensions such as BEP 10's
 * ut_metadata, whose pieces are 16 KiB plus a small dictionary). Such bodies
 * are skipped as they stream past, never buffered; the limit only stops
 * nonsense like a 4 GiB length from holding a connection forever.
 */
export const MAX_UNKNOWN_MESSAGE_LENGTH = 1 << 20;

/** Bytes a `request` may ask for at most: one block. Longer requests are refused. */
export const MAX_REQUEST_LENGTH = BLOCK_LENGTH;
