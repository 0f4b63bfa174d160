/**
 * One peer-wire connection as an explicit state machine (BEP 3). Pure: the
 * state and one message go in; the next state and the actions to take come
 * out. Sockets, disk and the rest of the swarm stay in the socket layer
 * (peer-connection.ts), which carries the actions out.
 *
 *   handshake ──their handshake (our info_hash, not our peer_id)──▶ bitfield-allowed
 *                                                                      │ any message but keep-alive
 *                                                                      ▼ (a bitfield only as the first)
 *                                                                   messages
 *
 * Four flags, both ways, start as BEP 3 says: each side chokes the other and
 * is not interested. We send requests only while the peer does not choke us,
 * and answer theirs only while we do not choke them.
 */
import { Bitfield, BitfieldError } from './bitfield.ts';
import type { PieceSet } from './types.ts';
import { MAX_REQUEST_LENGTH } from './wire-constants.ts';
import type { BlockRequest, PeerMessage, WireMessage } from './wire-messages.ts';

/** Bad requests answered with silence; one more and the peer is dropped. */
export const MAX_BAD_REQUESTS = 3;
/** Their requests we queue at most; more are ignored (a peer cannot make us hold unbounded work). */
export const MAX_QUEUED_UPLOADS = 256;

/** Where the conversation stands. */
export type SessionPhase = 'handshake' | 'bitfield-allowed' | 'messages';

/** Everything one connection remembers. Treat it as immutable: every change makes a new one. */
export interface SessionState {
  readonly phase: SessionPhase;
  /** We refuse their requests (true until the choker unchokes them). */
  readonly amChoking: boolean;
  /** We told them we want something they have. */
  readonly amInterested: boolean;
  /** They refuse our requests. */
  readonly peerChoking: boolean;
  /** They want something we have. */
  readonly peerInterested: boolean;
  /** The pieces they told us they have (replaced on a `have`, never changed in place). */
  readonly peerHas: Bitfield;
  /** Blocks we asked them for and have not received, by {@link blockKey}. */
  readonly requested: ReadonlyMap<string, BlockRequest>;
  /** Their requests we accepted and have not sent yet, oldest first. */
  readonly uploads: readonly BlockRequest[];
  /** Requests of theirs we refused so far. */
  readonly badRequests: number;
}

/** What the session may look at besides its state; read-only, owned by the peer. */
export interface SessionContext {
  /** Our torrent's info_hash (20 bytes). */
  readonly infoHash: Uint8Array;
  /** Our own peer_id (20 bytes): a handshake carrying it means we called ourselves. */
  readonly peerId: Uint8Array;
  readonly pieceCount: number;
  /** Bytes in piece `index`. */
  pieceLength(index: number): number;
  /** The pieces we have verified (and may upload). */
  readonly have: PieceSet;
}

/** Why the session wants the connection closed. */
export type DropReason =
  /** Their handshake names another torrent. */
  | 'wrong-info-hash'
  /** Their handshake carries our own peer_id: we connected to ourselves. */
  | 'ourselves'
  /** A message before the handshake, or a second handshake. */
  | 'out-of-order'
  /** A bitfield of the wrong length, or with spare bits set. */
  | 'bad-bitfield'
  /** A bitfield that is not the first message. */
  | 'late-bitfield'
  /** A `have` past the last piece. */
  | 'bad-have'
  /** More than {@link MAX_BAD_REQUESTS} requests we had to refuse. */
  | 'bad-requests';

/** What the socket layer must do, in order. */
export type SessionAction =
  /** Write this message to the peer. */
  | { readonly kind: 'send'; readonly message: Exclude<PeerMessage, { type: 'unknown' }> }
  /** Close the connection. */
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly detail: string }
  /** Their handshake is good: check for a duplicate connection to this peer_id. */
  | { readonly kind: 'handshake'; readonly peerId: Uint8Array; readonly reserved: Uint8Array }
  /** They have these pieces now (from their bitfield or a have): count them in the availability. */
  | { readonly kind: 'peer-has'; readonly source: 'bitfield' | 'have'; readonly pieces: readonly number[] }
  /** A block we asked for: write it to the store. */
  | { readonly kind: 'block'; readonly index: number; readonly begin: number; readonly data: Uint8Array }
  /** They choked us: these requests will never be answered; ask someone else (or them later). */
  | { readonly kind: 'requests-lost'; readonly blocks: readonly BlockRequest[] }
  /** They unchoked us: fill the request pipeline. */
  | { readonly kind: 'unchoked' }
  /** One of their requests was queued: upload it when the limiter allows. */
  | { readonly kind: 'upload-queued' }
  /** They became interested, or stopped being: the choker may want to know. */
  | { readonly kind: 'interest-changed'; readonly interested: boolean };

/** The next state and the actions to carry out. */
export interface Outcome {
  readonly next: SessionState;
  readonly actions: readonly SessionAction[];
}

/** The key of a block in {@link SessionState.requested}: `index:begin`. */
export function blockKey(index: number, begin: number): string {
  return `${index}:${begin}`;
}

/** A new connection: nothing received yet, both sides choking and not interested. */
export function initialSession(pieceCount: number): SessionState {
  return {
    phase: 'handshake',
    amChoking: true,
    amInterested: false,
    peerChoking: true,
    peerInterested: false,
    peerHas: new Bitfield(pieceCount),
    requested: new Map(),
    uploads: [],
    badRequests: 0,
  };
}

/** Handles one message from the peer. */
export function receive(state: SessionState, message: WireMessage, context: SessionContext): Outcome {
  // TODO: one handler per message type in a table (like 07-pop3's session), each pure: (state, message, context) → Outcome.
  // TODO: - before their handshake, anything else drops the peer ('out-of-order');
  // TODO: - handshake: another info_hash → drop 'wrong-info-hash'; our own peer_id → 'ourselves'; else
  // TODO:   phase 'bitfield-allowed' and a 'handshake' action;
  // TODO: - bitfield: only as the first message ('late-bitfield'); Bitfield.fromBytes refuses a wrong one
  // TODO:   ('bad-bitfield'); 'peer-has' with the pieces it has. Any other message (not a keep-alive) ends
  // TODO:   the bitfield's chance: phase 'messages';
  // TODO: - have: past the last piece → 'bad-have'; new → a new peerHas and 'peer-has';
  // TODO: - choke: every request we sent is lost ('requests-lost'); unchoke: 'unchoked';
  // TODO: - interested / not interested: 'interest-changed' when it changes;
  // TODO: - request: ignored while we choke them; a bad one (no such piece, over MAX_REQUEST_LENGTH or 0,
  // TODO:   outside the piece, a piece we lack) gets silence and counts; past MAX_BAD_REQUESTS → 'bad-requests';
  // TODO:   a good one is queued ('upload-queued'), unless already queued or MAX_QUEUED_UPLOADS are;
  // TODO: - piece: only a block we asked for (same length) gives a 'block' action; anything else is ignored;
  // TODO: - cancel: takes their request out of the upload queue; keep-alive, port, unknown: nothing.
  throw new Error(`TODO(10-peer): receive ${message.type} in phase ${state.phase} (${context.pieceCount} pieces)`);
}

/** We choke (true) or unchoke (false) them; choking forgets their queued requests (BEP 3). */
export function setChoking(state: SessionState, choking: boolean): Outcome {
  // TODO: nothing when it does not change; else send choke/unchoke (choking empties `uploads`).
  throw new Error(`TODO(10-peer): setChoking(${choking}) while amChoking is ${state.amChoking}`);
}

/** We tell them whether we want something they have (only when that changes). */
export function setInterested(state: SessionState, interested: boolean): Outcome {
  // TODO: nothing when it does not change; else send interested / not-interested.
  throw new Error(`TODO(10-peer): setInterested(${interested}) while amInterested is ${state.amInterested}`);
}

/**
 * Asks them for blocks: a `request` for each one not already asked for. Sends
 * nothing while they choke us (they would ignore it).
 */
export function requestBlocks(state: SessionState, blocks: readonly BlockRequest[]): Outcome {
  // TODO: add each new block to `requested` (key: blockKey) with a 'send request' action.
  throw new Error(`TODO(10-peer): requestBlocks of ${blocks.length} blocks (${state.requested.size} in flight)`);
}

/** Takes back a request (the block came from someone else): a `cancel`, if it was still asked for. */
export function cancelRequest(state: SessionState, index: number, begin: number): Outcome {
  // TODO: if it is in `requested`, remove it and send a cancel with the same index, begin and length.
  throw new Error(`TODO(10-peer): cancelRequest(${index}, ${begin}) with ${state.requested.size} in flight`);
}

/**
 * Removes `block` from the upload queue to send it now. `sent` is false when
 * it is no longer queued (cancelled, or we choked them meanwhile): send nothing.
 */
export function takeUpload(state: SessionState, block: BlockRequest): { next: SessionState; sent: boolean } {
  // TODO: find that very object in `uploads` (a cancel or a choke may have removed it meanwhile).
  throw new Error(`TODO(10-peer): takeUpload(${block.index}, ${block.begin}) from ${state.uploads.length} queued`);
}

/** We verified piece `index`: a `have`, unless they have it already (they would not care). */
export function announceHave(state: SessionState, index: number): Outcome {
  // TODO: a 'send have' action, unless peerHas has the piece.
  throw new Error(`TODO(10-peer): announceHave(${index}) (${state.peerHas.count} pieces known)`);
}
