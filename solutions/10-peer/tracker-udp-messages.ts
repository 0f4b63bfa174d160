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
  const out = Buffer.alloc(UDP_CONNECT_REQUEST_BYTES);
  out.writeBigUInt64BE(UDP_PROTOCOL_ID, 0);
  out.writeInt32BE(UdpAction.CONNECT, 8);
  out.writeUInt32BE(transactionId, 12);
  return out;
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
  if (params.infoHash.length !== ID_BYTES || params.peerId.length !== ID_BYTES) {
    throw new RangeError(`info_hash and peer_id must be ${ID_BYTES} bytes, got ${params.infoHash.length} and ${params.peerId.length}`);
  }
  const out = Buffer.alloc(UDP_ANNOUNCE_REQUEST_BYTES);
  out.set(ids.connectionId.subarray(0, 8), 0);
  out.writeInt32BE(UdpAction.ANNOUNCE, 8);
  out.writeUInt32BE(ids.transactionId, 12);
  out.set(params.infoHash, 16);
  out.set(params.peerId, 36);
  out.writeBigUInt64BE(BigInt(params.downloaded), 56);
  out.writeBigUInt64BE(BigInt(params.left), 64);
  out.writeBigUInt64BE(BigInt(params.uploaded), 72);
  out.writeInt32BE(EVENT_CODES[params.event], 80);
  out.writeUInt32BE(0, 84);
  out.writeUInt32BE(ids.key, 88);
  out.writeInt32BE(params.numWant ?? NUM_WANT_DEFAULT, 92);
  out.writeUInt16BE(params.port, 96);
  return out;
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
  if (packet.length < UDP_ANSWER_HEADER_BYTES) return undefined;
  const action = packet.readInt32BE(0);
  const transactionId = packet.readUInt32BE(4);
  switch (action) {
    case UdpAction.CONNECT:
      atLeast(packet, UDP_CONNECT_RESPONSE_BYTES, 'a connect answer');
      return { action: 'connect', transactionId, connectionId: Buffer.from(packet.subarray(8, 16)) };
    case UdpAction.ANNOUNCE: {
      atLeast(packet, UDP_ANNOUNCE_RESPONSE_HEADER_BYTES, 'an announce answer');
      const peerBytes = packet.subarray(UDP_ANNOUNCE_RESPONSE_HEADER_BYTES);
      const response: AnnounceResponse = {
        intervalSeconds: Math.max(0, packet.readInt32BE(8)),
        leechers: packet.readInt32BE(12),
        seeders: packet.readInt32BE(16),
        peers: ipv6 ? parseCompactPeers6(peerBytes) : parseCompactPeers(peerBytes),
      };
      return { action: 'announce', transactionId, response };
    }
    case UdpAction.ERROR:
      return { action: 'error', transactionId, message: packet.toString('utf8', UDP_ANSWER_HEADER_BYTES) };
    default:
      return undefined;
  }
}

function atLeast(packet: Buffer, bytes: number, what: string): void {
  if (packet.length < bytes) throw new ProtocolError(`${what} needs ${bytes} bytes, got ${packet.length}`, 'bep15', packet);
}
