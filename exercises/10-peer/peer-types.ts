/**
 * The peer's public face: what startPeer takes (options), what it returns (a
 * running peer), and what it tells the world while it runs (events and
 * snapshots, for progress bars, piece maps, narrated examples and live web
 * views). Given complete: the same file in exercises/ and solutions/.
 */
import { WirelabError } from 'wirelab';
import type { Metainfo } from '../08-metainfo/metainfo-types.ts';
import type { DropReason } from './session.ts';
import type { Choker, PeerAddress, PiecePicker, TrackerClientOptions } from './types.ts';

/**
 * Lets bytes through at a rate: `consume(n)` resolves once `n` more bytes may
 * pass (exercise 12 builds them). The peer awaits the upload limiter before
 * sending each block, and the download limiter after each read, before reading
 * more, so TCP itself slows the sender down.
 */
export interface RateLimiter {
  consume(bytes: number, signal?: AbortSignal): Promise<void>;
}

/** Options of `startPeer`. */
export interface PeerOptions {
  /** The torrent. */
  metainfo: Metainfo;
  /** The folder the files live in: `dir/<name>` (one file) or `dir/<name>/…` (several). Re-checked at start. */
  dir: string;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 lets the system choose (read it from `peer.port`). @default 0 */
  port?: number;
  /** Our peer_id, 20 bytes. @default `-WL0100-` and 12 random characters (BEP 20 style) */
  peerId?: Uint8Array;
  /** Peers to connect to at start (besides the tracker's). */
  peers?: PeerAddress[];
  /** Announce to `metainfo.announce` (when it has one). @default true */
  announce?: boolean;
  /** Timings of the tracker client. */
  tracker?: Pick<TrackerClientOptions, 'timeoutMs' | 'minIntervalMs' | 'retryAfterMs'>;
  /** Which blocks to ask a peer for. @default simplePicker (exercise 10) */
  picker?: PiecePicker;
  /** Whom to upload to. @default simpleChoker (exercise 10) */
  choker?: Choker;
  /** Seed of the random source handed to the picker and the choker: the same seed, the same choices. @default random */
  seed?: number | string;
  /** Requests in flight per peer. @default DEFAULT_PIPELINE (peer.ts) */
  pipeline?: number;
  /** A peer that sends none of the blocks we asked for in this long is snubbed: its requests may go to others. @default 20000 */
  requestTimeoutMs?: number;
  /** How often the choker runs (it also runs when a peer's interest changes). @default 10000 */
  rechokeIntervalMs?: number;
  /** Open connections at most, both directions. @default 50 */
  maxConnections?: number;
  /** Slows uploads down (awaited before each block is sent). */
  uploadLimiter?: RateLimiter;
  /** Slows downloads down (awaited after each read, before the next). */
  downloadLimiter?: RateLimiter;
  /** Called with everything that happens (must not throw; it runs inside the peer). */
  onEvent?: (event: PeerEvent) => void;
  /** Called while the files on disk are re-checked at start. */
  onCheck?: (checked: number, total: number) => void;
}

/** Why a connection ended. */
export type DisconnectReason =
  | DropReason
  /** Bytes that are not the protocol (garbage, an encrypted handshake, an impossible length). */
  | 'wire-error'
  /** The other side closed the connection. */
  | 'closed'
  /** The socket failed (reset, write error). */
  | 'socket-error'
  /** We already have a connection to this peer_id. */
  | 'duplicate'
  /** It sent bad data too often (see trust.ts), or was banned before. */
  | 'banned'
  /** No handshake in time, or nothing at all for a long time. */
  | 'timeout'
  /** We and it both have every piece: nothing left to trade. */
  | 'both-seeds'
  /** We are closing. */
  | 'shutting-down';

/** Something that happened in the peer; `peer` is always a connection's key (`host:port`). */
export type PeerEvent =
  /** The handshake went through both ways. */
  | { type: 'connected'; peer: string; direction: 'in' | 'out'; peerId: string; client: string | undefined }
  /** An outgoing connection could not be made. */
  | { type: 'connect-failed'; peer: string; message: string }
  | { type: 'disconnected'; peer: string; reason: DisconnectReason; detail: string }
  /** A peer's bitfield arrived: how many pieces it has, and whether it has them all. */
  | { type: 'bitfield'; peer: string; pieces: number; seed: boolean }
  /**
   * We asked `peer` for a block. `availability`: how many connected peers
   * have that piece; `rarest`: the lowest availability among the pieces we
   * still need (equal means the picker chose one of the rarest).
   */
  | { type: 'requested'; peer: string; piece: number; block: number; availability: number; rarest: number }
  /** A piece passed its SHA-1 check; `peer` sent most of it, `from` lists everyone who sent some. */
  | { type: 'piece-verified'; piece: number; peer: string; from: string[] }
  /** A piece failed its SHA-1 check and will be fetched again. */
  | { type: 'piece-failed'; piece: number; from: string[] }
  /** The choker ran: the peers we upload to now, and which of them holds the optimistic slot. */
  | { type: 'rechoke'; unchoked: string[]; optimistic: string | undefined }
  /** The tracker answered with peers. */
  | { type: 'tracker-peers'; count: number }
  /** An announce failed (the client tries again later). */
  | { type: 'tracker-error'; message: string }
  /** Every piece is verified. */
  | { type: 'complete' };

/** One connection, as `snapshot()` shows it. */
export interface ConnectionSnapshot {
  /** `host:port` of the other end: the key events use. */
  key: string;
  direction: 'in' | 'out';
  /** Their peer_id in hex. */
  peerId: string;
  /** The program they run, from the peer_id (BEP 20), when known. */
  client: string | undefined;
  /** Their pieces, `1011…` (one character per piece). */
  has: string;
  /** How many pieces they have. */
  pieces: number;
  /** They have every piece. */
  seed: boolean;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  /** They hold the choker's optimistic slot. */
  optimistic: boolean;
  /** They sent none of the blocks we asked for in `requestTimeoutMs`. */
  snubbed: boolean;
  /** Payload bytes per second from them / to them, over about 20 s. */
  downloadRate: number;
  uploadRate: number;
  /** Payload bytes from them / to them since the connection opened. */
  downloaded: number;
  uploaded: number;
  /** Our requests to them not answered yet. */
  requestsOut: number;
  /** Their requests to us not answered yet. */
  requestsIn: number;
  /** When the handshake went through, ms since 1970. */
  connectedAt: number;
}

/** The whole peer at one moment: plain data, ready for JSON. */
export interface PeerSnapshot {
  /** Our torrent's info_hash, hex. */
  infoHash: string;
  /** Our peer_id, hex. */
  peerId: string;
  host: string;
  port: number;
  pieceCount: number;
  /** Our verified pieces, `1011…`. */
  have: string;
  /** How many pieces are verified. */
  verified: number;
  complete: boolean;
  /** Bytes still missing (the tracker's `left`). */
  left: number;
  /** Payload bytes sent and received since start (blocks only, duplicates included). */
  uploaded: number;
  downloaded: number;
  /** Bytes received that were thrown away: duplicates, blocks nobody asked for, pieces that failed their check. */
  wasted: number;
  /** Payload bytes per second, all connections, over about 20 s. */
  uploadRate: number;
  downloadRate: number;
  /** Connections whose handshake went through. */
  connections: ConnectionSnapshot[];
}

/** A running peer. */
export interface Peer {
  /** The address and port we listen on. */
  readonly host: string;
  readonly port: number;
  readonly peerId: Uint8Array;
  readonly metainfo: Metainfo;
  /** True once every piece is verified (at once for a seed: its files were complete when it started). */
  readonly complete: boolean;
  /**
   * Connects to another peer; resolves once both handshakes went through.
   * Rejects with {@link PeerConnectError} if it could not (refused, dropped, ourselves, a duplicate).
   */
  connect(address: PeerAddress): Promise<void>;
  /** Everything about the peer now (plain data). */
  snapshot(): PeerSnapshot;
  /** Resolves once every piece is verified (at once for a seed). */
  whenComplete(): Promise<void>;
  /** Announces `stopped`, closes every connection, the listener and the files; within a bounded time. Never rejects. */
  close(): Promise<void>;
}

/** `connect()` failed: `reason` says why (a refused connection, a dropped handshake). */
export class PeerConnectError extends WirelabError {
  override name = 'PeerConnectError';
  constructor(
    /** `host:port` we tried. */
    readonly address: string,
    readonly reason: DisconnectReason | 'refused',
    message: string,
  ) {
    super(message);
  }
}
