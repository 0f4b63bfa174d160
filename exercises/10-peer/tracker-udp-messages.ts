/**
 * The UDP tracker's datagrams as a CLIENT sees them (BEP 15), as pure
 * functions: requests out, answers in. All integers are big-endian. The
 * tracker's side of the same datagrams is exercise 09's udp-messages.ts.
 */
import { ProtocolError } from 'wirelab';
import {
  ID_BYTES,
  UDP_ANNOUNCE_REQUEST_BYTES,
  UDP_ANNOUNCE_RESPONSE_HEADER_BYTES,
  UDP_CONNECT_REQUEST_BYTES,
  UDP_CONNECT_RESPONSE_BYTES,
  UDP_PROTOCOL_ID,
  UdpAction,
  UdpEvent,
} from '../09-tracker/constants.ts';
import { parseCompactPeers, parseCompactPeers6 } from './compact-peer-list.ts';
import type { AnnounceParams, AnnounceResponse, TrackerEvent } from './types.ts';

/** Every answer starts with int32 action, int32 transaction id. */
export const UDP_ANSWER_HEADER_BYTES = 8;
/** "Let the tracker choose how many peers" (the int32 num_want). */
export const NUM_WANT_DEFAULT = -1;

const EVENT_CODES: Record<TrackerEvent, number> = {
  none: UdpEvent.NONE,
  completed: UdpEvent.COMPLETED,
  started: UdpEvent.STARTED,
  stopped: UdpEvent.STOPPED,
};

/** An answer from a UDP tracker, by its action. */
export type UdpAnswer =
  | { action: 'connect'; transactionId: number; connectionId: Buffer }
  | { action: 'announce'; transactionId: number; response: AnnounceResponse }
  | { action: 'error'; transactionId: number; message: string };

/**
 * Connect request, 16 bytes: "give me a connection id".
 *
 *   offset 0   int64  protocol id = 0x41727101980 (the magic that marks a tracker request)
 *   offset 8   int32  action = 0 (connect)
 *   offset 12  int32  transaction id (random; the answer must echo it)
 */
export function encodeConnectRequest(transactionId: number): Buffer {
  // TODO: Buffer.alloc(UDP_CONNECT_REQUEST_BYTES); writeBigUInt64BE(UDP_PROTOCOL_ID, 0), the action, the transaction id.
  throw new Error(`TODO(10-peer): encode a connect request (transaction ${transactionId})`);
}

/** What an announce request carries beyond {@link AnnounceParams}. */
export interface UdpAnnounceIds {
  /** 8 bytes, from the connect answer. */
  connectionId: Uint8Array;
  transactionId: number;
  /** A random number that stays the same for this client, so the tracker knows us if our address changes. */
  key: number;
}

/**
 * Announce request, 98 bytes:
 *
 *   offset 0   int64  connection id        offset 64  int64   left
 *   offset 8   int32  action = 1           offset 72  int64   uploaded
 *   offset 12  int32  transaction id       offset 80  int32   event (0 none, 1 completed, 2 started, 3 stopped)
 *   offset 16  20 B   info_hash            offset 84  uint32  IP address (0 = "the one this came from")
 *   offset 36  20 B   peer_id              offset 88  uint32  key
 *   offset 56  int64  downloaded           offset 92  int32   num_want (-1 = the tracker's default)
 *                                          offset 96  uint16  port
 */
export function encodeAnnounceRequest(params: AnnounceParams, ids: UdpAnnounceIds): Buffer {
  // TODO: info_hash and peer_id must be ID_BYTES long (else a RangeError: a bug in the caller).
  // TODO: Buffer.alloc(UDP_ANNOUNCE_REQUEST_BYTES), then each field at its offset above; the three counters are
  // TODO: int64 (writeBigUInt64BE(BigInt(n), …)); event through EVENT_CODES; num_want NUM_WANT_DEFAULT when not given.
  void EVENT_CODES;
  throw new Error(`TODO(10-peer): encode an announce (event ${params.event}, transaction ${ids.transactionId})`);
}

/**
 * Reads any answer. Undefined for a datagram shorter than the 8-byte header
 * or with an action a client never gets (not for us: ignore it). Throws a
 * ProtocolError for an answer too short for its action.
 *
 * Connect answer, 16 bytes:
 *
 *   offset 0  int32  action = 0
 *   offset 4  int32  transaction id
 *   offset 8  int64  connection id (use it for a minute)
 *
 * Announce answer, 20 + 6·n bytes (18·n over IPv6, `ipv6`):
 *
 *   offset 0   int32  action = 1
 *   offset 4   int32  transaction id
 *   offset 8   int32  interval (seconds)
 *   offset 12  int32  leechers
 *   offset 16  int32  seeders
 *   offset 20 + 6·i   uint32 IPv4 address, uint16 port of peer i
 *
 * Error answer, 8 bytes + the message:
 *
 *   offset 0  int32  action = 3
 *   offset 4  int32  transaction id
 *   offset 8  the message, text, to the end of the datagram
 */
export function parseUdpAnswer(packet: Buffer, ipv6 = false): UdpAnswer | undefined {
  // TODO: shorter than UDP_ANSWER_HEADER_BYTES → undefined. Read the action (offset 0) and transaction id (offset 4).
  // TODO: CONNECT: at least UDP_CONNECT_RESPONSE_BYTES (else ProtocolError), a copy of the 8-byte connection id.
  // TODO: ANNOUNCE: at least UDP_ANNOUNCE_RESPONSE_HEADER_BYTES; interval, leechers, seeders, then the peers
  // TODO: (parseCompactPeers, or parseCompactPeers6 when `ipv6`). ERROR: the text after the header. Other actions → undefined.
  void parseCompactPeers;
  void parseCompactPeers6;
  void ProtocolError;
  throw new Error(`TODO(10-peer): read a ${packet.length}-byte answer${ipv6 ? ' over IPv6' : ''}`);
}
