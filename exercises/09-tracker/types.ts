/**
 * The shapes the tracker's parts hand each other. Given complete: the same
 * file in exercises/ and solutions/.
 */
import type { ConnectionIds } from './connection-ids.ts';
import type { Swarms } from './swarms.ts';

/** What a peer tells the tracker about its progress (BEP 3 `event`; absent means `none`). */
export type AnnounceEvent = 'none' | 'started' | 'completed' | 'stopped';

/** One announce, whichever transport carried it (HTTP query or BEP 15 datagram). */
export interface AnnounceRequest {
  /** SHA-1 of the torrent's bencoded `info`: exactly 20 bytes. */
  infoHash: Buffer;
  /** The client's own id: exactly 20 bytes (binary, not text). */
  peerId: Buffer;
  /** The address other peers should connect to: where the request came from. */
  ip: string;
  /** The TCP port the peer accepts peer-wire connections on (1…65535). */
  port: number;
  uploaded: number;
  downloaded: number;
  /** Bytes the peer still misses; 0 means it is a seeder. */
  left: number;
  event: AnnounceEvent;
  /** How many peers it wants; negative means "the tracker's default". */
  numWant: number;
}

/** A peer as the tracker hands it out. */
export interface PeerInfo {
  peerId: Buffer;
  ip: string;
  port: number;
}

/** What the swarm answers to one announce. */
export interface AnnounceResult {
  /** Other peers of the swarm (never the one that asked), at most numwant of them. */
  peers: PeerInfo[];
  /** Seeders (peers with left = 0). BEP 3 calls them `complete`. */
  complete: number;
  /** Leechers (left > 0). BEP 3 calls them `incomplete`. */
  incomplete: number;
}

/** Scrape figures of one swarm. */
export interface ScrapeCounts {
  /** Seeders now. */
  complete: number;
  /** Leechers now. */
  incomplete: number;
  /** How many times a peer announced `completed` (BEP 48 `downloaded`). */
  downloaded: number;
}

/** One line of the status page: a swarm and its figures. */
export interface SwarmSummary extends ScrapeCounts {
  /** The info_hash as 40 lower-case hex digits. */
  infoHashHex: string;
}

/** How to start a tracker; every field has a default. */
export interface TrackerOptions {
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** HTTP on this TCP port and UDP on the same UDP port; 0 lets the system choose. @default 0 */
  port?: number;
  /** Seconds clients are told to wait between announces. @default 300 */
  intervalSeconds?: number;
  /** A peer that has not announced for this long leaves its swarm. @default 2 × intervalSeconds */
  peerTtlMs?: number;
  /** Tracked peers at most, all swarms together; newcomers beyond it are refused. @default 100000 */
  maxPeers?: number;
  /** The clock, in milliseconds; tests pass a fake one to age connection ids. @default Date.now */
  now?: () => number;
}

/** A running tracker. */
export interface Tracker {
  /** The address it listens on. */
  host: string;
  /** TCP port of the HTTP tracker (`http://host:port/announce`). */
  httpPort: number;
  /** UDP port of the BEP 15 tracker (`udp://host:port`): the same number as httpPort. */
  udpPort: number;
  /** How many swarms and peers it tracks right now. */
  stats(): { swarms: number; peers: number };
  /** Stops both listeners and the expiry timer. */
  close(): Promise<void>;
}

/** What the HTTP and UDP front ends share: the swarms, the connection ids, the settings. */
export interface TrackerState {
  swarms: Swarms;
  connectionIds: ConnectionIds;
  intervalSeconds: number;
  /** The clock, in milliseconds. */
  now: () => number;
}
