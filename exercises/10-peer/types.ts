/**
 * The shapes the peer's parts hand each other. Given complete: the same file
 * in exercises/ and solutions/.
 *
 * A peer is four parts that meet only through these types:
 *   - the piece store (`piece-store.ts`): the files on disk, block by block,
 *     and which pieces are verified;
 *   - the tracker client (`tracker-client.ts`): who else is in the swarm;
 *   - the wire (`wire-*.ts`) and the connections (`peer.ts`);
 *   - the two strategies, pure functions the peer calls over and over: the
 *     piece picker (which blocks to ask a peer for) and the choker (which
 *     peers to upload to). Exercise 10 gives simple ones; exercise 11 writes
 *     the real ones (rarest first, endgame, tit-for-tat, optimistic unchoke)
 *     against the same types.
 */
import type { Metainfo } from '../08-metainfo/metainfo-types.ts';
import type { Bitfield } from './bitfield.ts';

/** Bytes in one block: what one `request` asks for (the last block of the last piece may be shorter). */
export const BLOCK_LENGTH = 16_384;

/** A read-only set of pieces: ours, or what a peer told us it has. */
export interface PieceSet {
  /** Pieces in the torrent. */
  readonly size: number;
  has(index: number): boolean;
}

// ---------------------------------------------------------------------------
// The piece store

/** The torrent's files on disk, addressed by piece and block. */
export interface PieceStore {
  readonly metainfo: Metainfo;
  /** The pieces written and verified against their SHA-1. Only the store sets bits in it. */
  readonly have: Bitfield;
  /** Bytes still missing: the total minus the bytes of verified pieces (the tracker's `left`). */
  readonly left: number;
  /** Bytes in piece `index`: the piece length, except for a shorter last piece. */
  pieceLength(index: number): number;
  /**
   * Writes one block at its offset in the files, as it arrives (a block, like a
   * piece, may cross from one file into the next). Nothing is kept in memory.
   */
  writeBlock(index: number, begin: number, data: Uint8Array): Promise<void>;
  /**
   * Reads `length` bytes of a verified piece from `begin` (to upload them).
   * Throws a RangeError for a piece we do not have or bytes outside it.
   */
  readBlock(index: number, begin: number, length: number): Promise<Buffer>;
  /**
   * Reads the whole piece back from disk and checks its SHA-1. True: the piece
   * is marked in `have`. False: nothing is marked, and the piece must be
   * downloaded again (its blocks are simply overwritten).
   */
  verifyPiece(index: number): Promise<boolean>;
  /** Closes the files. */
  close(): Promise<void>;
}

/** Options of `openPieceStore`. */
export interface PieceStoreOptions {
  /** Called while the files already on disk are re-checked, with pieces checked so far and the total. */
  onCheck?: (checked: number, total: number) => void;
}

// ---------------------------------------------------------------------------
// The tracker client

/** The `event` of an announce (BEP 3); `none` is a regular re-announce. */
export type TrackerEvent = 'none' | 'started' | 'completed' | 'stopped';

/** Where to reach a peer. */
export interface PeerAddress {
  host: string;
  port: number;
}

/** One announce, whatever the transport (HTTP or UDP). */
export interface AnnounceParams {
  /** 20 bytes. */
  infoHash: Uint8Array;
  /** 20 bytes: our own peer_id. */
  peerId: Uint8Array;
  /** The TCP port we accept peer-wire connections on. */
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: TrackerEvent;
  /** Peers we would like; the tracker's default when absent. */
  numWant?: number;
}

/** What the tracker answered. */
export interface AnnounceResponse {
  /** Seconds to wait before the next regular announce. */
  intervalSeconds: number;
  peers: PeerAddress[];
  /** Counts, when the tracker sent them. */
  seeders?: number;
  leechers?: number;
}

/** What a running peer reports to the tracker at every announce. */
export interface TransferStats {
  uploaded: number;
  downloaded: number;
  left: number;
}

/** Options of `startTrackerClient`. */
export interface TrackerClientOptions {
  /** `http://…/announce` or `udp://host:port` (BEP 15). */
  announceUrl: string;
  infoHash: Uint8Array;
  peerId: Uint8Array;
  /** The TCP port we listen on. */
  port: number;
  /** Read at every announce. */
  stats: () => TransferStats;
  /** Called with the peers of every successful announce (our own address may be among them). */
  onPeers: (peers: PeerAddress[]) => void;
  /** Called when an announce failed (tracker down, failure reason, timeout); the client tries again later. */
  onError?: (error: Error) => void;
  /** Time one announce may take, retries included. @default 15000 */
  timeoutMs?: number;
  /** Never re-announce sooner than this, whatever the tracker says. @default 0 */
  minIntervalMs?: number;
  /** Wait before trying again after a failed announce. @default 30000 */
  retryAfterMs?: number;
}

/** A running announce loop: `started` at once, then every interval the tracker asks for. */
export interface TrackerClient {
  /** Announces `completed` (once, when the download finished). */
  completed(): void;
  /** Announces again now (for more peers); resolves when it is answered or failed. */
  announceNow(): Promise<void>;
  /** Stops the loop and announces `stopped`, within the time limit. Never rejects. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------
// The piece picker

/** One block, by its number inside the piece: block `b` covers bytes `b*BLOCK_LENGTH …`. */
export interface BlockAddress {
  readonly piece: number;
  readonly block: number;
}

/** Where one block of a started piece stands. */
export type BlockState = 'missing' | 'requested' | 'received';

/** A piece with at least one block requested or received, not verified yet. */
export interface StartedPiece {
  readonly index: number;
  /** One entry per block of the piece. */
  readonly blocks: readonly BlockState[];
  /** Per block: the keys of the peers it is requested from right now (several only in endgame). */
  readonly requestedFrom: ReadonlyArray<ReadonlySet<string>>;
}

/** Everything the picker may look at: a snapshot, read-only. */
export interface PickInput {
  readonly pieceCount: number;
  /** Blocks in piece `index` (the last piece may have fewer). */
  blocksIn(index: number): number;
  /** The pieces we have verified. */
  readonly have: PieceSet;
  /** For each piece, how many connected peers have it (from their bitfield and have messages). */
  readonly availability: ArrayLike<number>;
  /** Pieces started and not yet verified, by index. */
  readonly started: ReadonlyMap<number, StartedPiece>;
  /** The peer whose request pipeline we fill: its key and the pieces it has. */
  readonly peer: { readonly key: string; readonly has: PieceSet };
  /** At most this many blocks to return (the free places in that peer's pipeline). */
  readonly slots: number;
  /** A seeded random source: floats in [0, 1). */
  readonly random: () => number;
}

/**
 * Chooses up to `slots` blocks to request from one peer; never a block we have,
 * never one the peer lacks, never one already requested from this same peer.
 */
export type PiecePicker = (input: PickInput) => BlockAddress[];

// ---------------------------------------------------------------------------
// The choker

/** One connected peer as the choker sees it. */
export interface ChokerPeer {
  readonly key: string;
  /** It told us it is interested in our pieces. */
  readonly interested: boolean;
  /** Payload bytes per second it sent us lately (over about the last 20 s). */
  readonly downloadRate: number;
  /** Payload bytes per second we sent it lately. */
  readonly uploadRate: number;
  /** When the connection was made, in ms on the choker's clock. */
  readonly connectedAt: number;
  /** When it last sent us a block, in ms; undefined if never. */
  readonly lastBlockAt: number | undefined;
}

/** What the choker remembers from one round to the next. */
export interface ChokerState {
  /** The peer holding the optimistic slot, if any. */
  readonly optimistic: string | undefined;
  /** When that slot last moved, in ms. */
  readonly optimisticSince: number;
}

/** The choker's starting state: no optimistic peer yet. */
export const INITIAL_CHOKER_STATE: ChokerState = { optimistic: undefined, optimisticSince: Number.NEGATIVE_INFINITY };

/** Everything one rechoke may look at. */
export interface ChokeInput {
  /** Now, in ms on the choker's clock. */
  readonly now: number;
  readonly peers: readonly ChokerPeer[];
  /** True when we have every piece: then peers are ranked by how fast they take from us. */
  readonly seeding: boolean;
  readonly state: ChokerState;
  /** A seeded random source: floats in [0, 1). */
  readonly random: () => number;
}

/** The outcome of one rechoke. */
export interface ChokeDecision {
  /** The peers to unchoke (the optimistic one included); every other peer is choked. */
  readonly unchoked: ReadonlySet<string>;
  /** The peer holding the optimistic slot, if any. */
  readonly optimistic: string | undefined;
  /** To hand back at the next rechoke. */
  readonly state: ChokerState;
}

/** Decides who we upload to, every rechoke interval. */
export type Choker = (input: ChokeInput) => ChokeDecision;
