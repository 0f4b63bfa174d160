/**
 * The UDP tracker's datagrams (BEP 15), as pure functions: bytes in, a typed
 * request out; results in, bytes out. All integers are big-endian. The socket
 * layer (udp-server.ts) decides what to drop and what to answer.
 */
import { compactPeers } from './compact-peers.ts';
import { compactPeers6 } from './compact-peers6.ts';
import {
  ID_BYTES,
  UDP_ANNOUNCE_REQUEST_BYTES,
  UDP_ANNOUNCE_RESPONSE_HEADER_BYTES,
  UDP_CONNECT_REQUEST_BYTES,
  UDP_CONNECT_RESPONSE_BYTES,
  UDP_MAX_SCRAPE_HASHES,
  UDP_PROTOCOL_ID,
  UDP_REQUEST_HEADER_BYTES,
  UDP_SCRAPE_REQUEST_HEADER_BYTES,
  UdpAction,
  UdpEvent,
} from './constants.ts';
import { TrackerRequestError } from './request-error.ts';
import type { AnnounceEvent, AnnounceResult, ScrapeCounts } from './types.ts';

/** A connect request: the client asks for a connection id. */
export interface UdpConnectRequest {
  action: 'connect';
  transactionId: number;
}

/** An announce request, field by field as on the wire. */
export interface UdpAnnounceRequest {
  action: 'announce';
  connectionId: Buffer;
  transactionId: number;
  infoHash: Buffer;
  peerId: Buffer;
  downloaded: number;
  left: number;
  uploaded: number;
  event: AnnounceEvent;
  /** The IPv4 address the client claims (0 = "use the sender's"). */
  ip: number;
  key: number;
  /** -1 means "the tracker's default". */
  numWant: number;
  port: number;
}

/** A scrape request for up to 74 info_hashes. */
export interface UdpScrapeRequest {
  action: 'scrape';
  connectionId: Buffer;
  transactionId: number;
  infoHashes: Buffer[];
}

/** Any request a UDP tracker understands. */
export type UdpRequest = UdpConnectRequest | UdpAnnounceRequest | UdpScrapeRequest;

const EVENT_NAMES: Record<number, AnnounceEvent> = {
  [UdpEvent.NONE]: 'none',
  [UdpEvent.COMPLETED]: 'completed',
  [UdpEvent.STARTED]: 'started',
  [UdpEvent.STOPPED]: 'stopped',
};

/**
 * Reads a request. Returns undefined for a datagram to DROP silently (shorter
 * than the 16-byte header, or a connect without the protocol id: it is not a
 * tracker request at all). Throws {@link TrackerRequestError} for a request
 * to answer with an error (unknown action, wrong length, unknown event).
 *
 * Every request starts with the same header:
 *
 *   offset 0   int64  connection id (connect: the protocol id 0x41727101980)
 *   offset 8   int32  action
 *   offset 12  int32  transaction id
 */
export function parseUdpRequest(packet: Buffer): UdpRequest | undefined {
  if (packet.length < UDP_REQUEST_HEADER_BYTES) return undefined;
  const action = packet.readInt32BE(8);
  const transactionId = packet.readUInt32BE(12);
  switch (action) {
    case UdpAction.CONNECT:
      if (packet.length < UDP_CONNECT_REQUEST_BYTES || packet.readBigUInt64BE(0) !== UDP_PROTOCOL_ID) return undefined;
      return { action: 'connect', transactionId };
    case UdpAction.ANNOUNCE:
      return parseAnnounce(packet, transactionId);
    case UdpAction.SCRAPE:
      return parseScrape(packet, transactionId);
    default:
      throw new TrackerRequestError(`unknown action ${action}`);
  }
}

/**
 * Announce request, 98 bytes (BEP 15 allows extensions after them):
 *
 *   offset 0   int64  connection id        offset 64  int64   left
 *   offset 8   int32  action = 1           offset 72  int64   uploaded
 *   offset 12  int32  transaction id       offset 80  int32   event (0 none, 1 completed, 2 started, 3 stopped)
 *   offset 16  20 B   info_hash            offset 84  uint32  IP address (0 = sender's)
 *   offset 36  20 B   peer_id              offset 88  uint32  key
 *   offset 56  int64  downloaded           offset 92  int32   num_want (-1 = default)
 *                                          offset 96  uint16  port
 */
function parseAnnounce(packet: Buffer, transactionId: number): UdpAnnounceRequest {
  if (packet.length < UDP_ANNOUNCE_REQUEST_BYTES) {
    throw new TrackerRequestError(`announce must be at least ${UDP_ANNOUNCE_REQUEST_BYTES} bytes, got ${packet.length}`);
  }
  const eventCode = packet.readInt32BE(80);
  const event = EVENT_NAMES[eventCode];
  if (event === undefined) throw new TrackerRequestError(`unknown event ${eventCode}`);
  const port = packet.readUInt16BE(96);
  if (port === 0) throw new TrackerRequestError('port must be from 1 to 65535');
  return {
    action: 'announce',
    connectionId: Buffer.from(packet.subarray(0, 8)),
    transactionId,
    infoHash: Buffer.from(packet.subarray(16, 16 + ID_BYTES)),
    peerId: Buffer.from(packet.subarray(36, 36 + ID_BYTES)),
    downloaded: readUint64(packet, 56),
    left: readUint64(packet, 64),
    uploaded: readUint64(packet, 72),
    event,
    ip: packet.readUInt32BE(84),
    key: packet.readUInt32BE(88),
    numWant: packet.readInt32BE(92),
    port,
  };
}

/**
 * Scrape request: the 16-byte header, then 20 bytes per info_hash (1 to 74):
 *
 *   offset 0   int64  connection id
 *   offset 8   int32  action = 2
 *   offset 12  int32  transaction id
 *   offset 16 + 20·n  20 B  info_hash n
 */
function parseScrape(packet: Buffer, transactionId: number): UdpScrapeRequest {
  const body = packet.length - UDP_SCRAPE_REQUEST_HEADER_BYTES;
  const count = Math.floor(body / ID_BYTES);
  if (count < 1 || count > UDP_MAX_SCRAPE_HASHES) {
    throw new TrackerRequestError(`scrape must carry 1 to ${UDP_MAX_SCRAPE_HASHES} info_hashes of ${ID_BYTES} bytes`);
  }
  const infoHashes: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = UDP_SCRAPE_REQUEST_HEADER_BYTES + i * ID_BYTES;
    infoHashes.push(Buffer.from(packet.subarray(at, at + ID_BYTES)));
  }
  return { action: 'scrape', connectionId: Buffer.from(packet.subarray(0, 8)), transactionId, infoHashes };
}

/** An int64 that JS numbers hold exactly up to 2^53 (8 PiB); larger values are clamped. */
function readUint64(packet: Buffer, offset: number): number {
  const value = packet.readBigUInt64BE(offset);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/**
 * Connect response, 16 bytes:
 *
 *   offset 0  int32  action = 0
 *   offset 4  int32  transaction id (the client's, echoed)
 *   offset 8  int64  connection id
 */
export function encodeConnectResponse(transactionId: number, connectionId: Uint8Array): Buffer {
  const out = Buffer.alloc(UDP_CONNECT_RESPONSE_BYTES);
  out.writeInt32BE(UdpAction.CONNECT, 0);
  out.writeUInt32BE(transactionId, 4);
  Buffer.from(connectionId.buffer, connectionId.byteOffset, connectionId.byteLength).copy(out, 8, 0, 8);
  return out;
}

/**
 * Announce response, 20 + 6·n bytes:
 *
 *   offset 0   int32  action = 1
 *   offset 4   int32  transaction id
 *   offset 8   int32  interval (seconds)
 *   offset 12  int32  leechers
 *   offset 16  int32  seeders
 *   offset 20 + 6·i   int32 IPv4 address, uint16 port of peer i
 *
 * An announce that came over IPv6 gets IPv6 peers instead, 18 bytes each
 * (`ipv6`: use compactPeers6 from the given compact-peers6.ts).
 */
export function encodeAnnounceResponse(transactionId: number, intervalSeconds: number, result: AnnounceResult, ipv6 = false): Buffer {
  const peers = ipv6 ? compactPeers6(result.peers) : compactPeers(result.peers);
  const out = Buffer.alloc(UDP_ANNOUNCE_RESPONSE_HEADER_BYTES + peers.length);
  out.writeInt32BE(UdpAction.ANNOUNCE, 0);
  out.writeUInt32BE(transactionId, 4);
  out.writeInt32BE(intervalSeconds, 8);
  out.writeInt32BE(result.incomplete, 12);
  out.writeInt32BE(result.complete, 16);
  peers.copy(out, UDP_ANNOUNCE_RESPONSE_HEADER_BYTES);
  return out;
}

/**
 * Scrape response, 8 + 12·n bytes, in the order the info_hashes were asked:
 *
 *   offset 0  int32  action = 2
 *   offset 4  int32  transaction id
 *   offset 8 + 12·i  int32 seeders, int32 completed, int32 leechers of info_hash i
 */
export function encodeScrapeResponse(transactionId: number, counts: readonly ScrapeCounts[]): Buffer {
  const out = Buffer.alloc(8 + counts.length * 12);
  out.writeInt32BE(UdpAction.SCRAPE, 0);
  out.writeUInt32BE(transactionId, 4);
  counts.forEach((c, i) => {
    out.writeInt32BE(c.complete, 8 + i * 12);
    out.writeInt32BE(c.downloaded, 12 + i * 12);
    out.writeInt32BE(c.incomplete, 16 + i * 12);
  });
  return out;
}

/**
 * Error response, 8 bytes + the message:
 *
 *   offset 0  int32  action = 3
 *   offset 4  int32  transaction id
 *   offset 8  the message, UTF-8, to the end of the datagram
 */
export function encodeErrorResponse(transactionId: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const out = Buffer.alloc(8 + text.length);
  out.writeInt32BE(UdpAction.ERROR, 0);
  out.writeUInt32BE(transactionId, 4);
  text.copy(out, 8);
  return out;
}
