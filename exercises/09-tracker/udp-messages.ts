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
  // TODO: shorter than UDP_REQUEST_HEADER_BYTES → undefined. Read action (offset 8) and transaction id (offset 12).
  // TODO: CONNECT needs UDP_PROTOCOL_ID at offset 0 (else undefined); ANNOUNCE → parseAnnounce; SCRAPE → parseScrape;
  // TODO: any other action → throw new TrackerRequestError(`unknown action …`).
  throw new Error('TODO(09-tracker): parseUdpRequest');
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
  // TODO: at least UDP_ANNOUNCE_REQUEST_BYTES; read every field at its offset; event via EVENT_NAMES; port 0 is refused.
  throw new Error('TODO(09-tracker): parseAnnounce');
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
  // TODO: 1 to UDP_MAX_SCRAPE_HASHES info_hashes of ID_BYTES each after the header.
  throw new Error('TODO(09-tracker): parseScrape');
}

/**
 * Connect response, 16 bytes:
 *
 *   offset 0  int32  action = 0
 *   offset 4  int32  transaction id (the client's, echoed)
 *   offset 8  int64  connection id
 */
export function encodeConnectResponse(transactionId: number, connectionId: Uint8Array): Buffer {
  // TODO: Buffer.alloc(UDP_CONNECT_RESPONSE_BYTES), then the three fields.
  throw new Error('TODO(09-tracker): encodeConnectResponse');
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
  // TODO: the 20-byte header (leechers = incomplete, seeders = complete), then compactPeers(result.peers)
  // TODO: (compactPeers6 when ipv6).
  throw new Error('TODO(09-tracker): encodeAnnounceResponse');
}

/**
 * Scrape response, 8 + 12·n bytes, in the order the info_hashes were asked:
 *
 *   offset 0  int32  action = 2
 *   offset 4  int32  transaction id
 *   offset 8 + 12·i  int32 seeders, int32 completed, int32 leechers of info_hash i
 */
export function encodeScrapeResponse(transactionId: number, counts: readonly ScrapeCounts[]): Buffer {
  // TODO: 8-byte header, then 12 bytes per swarm: seeders (complete), completed (downloaded), leechers (incomplete).
  throw new Error('TODO(09-tracker): encodeScrapeResponse');
}

/**
 * Error response, 8 bytes + the message:
 *
 *   offset 0  int32  action = 3
 *   offset 4  int32  transaction id
 *   offset 8  the message, UTF-8, to the end of the datagram
 */
export function encodeErrorResponse(transactionId: number, message: string): Buffer {
  // TODO: action ERROR, the transaction id, then the message bytes.
  throw new Error('TODO(09-tracker): encodeErrorResponse');
}
