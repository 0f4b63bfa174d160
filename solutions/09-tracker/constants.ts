/**
 * Every number the tracker protocols put on the wire, with a name.
 * Given complete: the same file in exercises/ and solutions/.
 */

/** BEP 15: the magic int64 a connect request starts with ("this really is a UDP tracker request"). */
export const UDP_PROTOCOL_ID = 0x41727101980n;

/** BEP 15 actions: the int32 at offset 8 of a request and at offset 0 of a response. */
export const UdpAction = {
  CONNECT: 0,
  ANNOUNCE: 1,
  SCRAPE: 2,
  ERROR: 3,
} as const;

/** BEP 15 events: the int32 at offset 80 of an announce request. */
export const UdpEvent = {
  NONE: 0,
  COMPLETED: 1,
  STARTED: 2,
  STOPPED: 3,
} as const;

/** Connect request: int64 protocol id, int32 action, int32 transaction id. */
export const UDP_CONNECT_REQUEST_BYTES = 16;
/** Connect response: int32 action, int32 transaction id, int64 connection id. */
export const UDP_CONNECT_RESPONSE_BYTES = 16;
/** Announce request, up to and including the uint16 port at offset 96. */
export const UDP_ANNOUNCE_REQUEST_BYTES = 98;
/** Announce response header before the peers: action, transaction id, interval, leechers, seeders. */
export const UDP_ANNOUNCE_RESPONSE_HEADER_BYTES = 20;
/** Scrape request header before the info_hashes: connection id, action, transaction id. */
export const UDP_SCRAPE_REQUEST_HEADER_BYTES = 16;
/** BEP 15: at most about 74 info_hashes fit one scrape (so the answer fits one datagram). */
export const UDP_MAX_SCRAPE_HASHES = 74;
/** Every request starts with int64 connection id (or protocol id), int32 action, int32 transaction id. */
export const UDP_REQUEST_HEADER_BYTES = 16;

/** One compact IPv4 peer (BEP 23): 4 address bytes then a 2-byte port, both big-endian. */
export const COMPACT_PEER_BYTES = 6;
/** info_hash and peer_id are both exactly this long. */
export const ID_BYTES = 20;

/** BEP 15: a connection id is accepted for two minutes after the tracker sent it. */
export const CONNECTION_ID_LIFETIME_MS = 2 * 60_000;

/** Peers handed out when the client does not say (`numwant` absent, or -1 over UDP). */
export const DEFAULT_NUMWANT = 50;
/** Never more peers than this in one answer, whatever the client asks. */
export const MAX_NUMWANT = 200;
/** Seconds a client should wait between announces, unless the tracker is told otherwise. */
export const DEFAULT_INTERVAL_SECONDS = 300;
/** Tracked peers at most (all swarms together): memory stays bounded whatever clients send. */
export const DEFAULT_MAX_PEERS = 100_000;
