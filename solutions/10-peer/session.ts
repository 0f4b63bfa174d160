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

const NOTHING: readonly SessionAction[] = [];
const stay = (state: SessionState, actions: readonly SessionAction[] = NOTHING): Outcome => ({ next: state, actions });
const drop = (state: SessionState, reason: DropReason, detail: string): Outcome => stay(state, [{ kind: 'drop', reason, detail }]);
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/** A handler for one message type: pure, it may look only at the state, the message and the context. */
type Handler<T extends WireMessage['type']> = (state: SessionState, message: Extract<WireMessage, { type: T }>, context: SessionContext) => Outcome;

const handlers: { [T in WireMessage['type']]: Handler<T> } = {
  handshake(state, { infoHash, peerId, reserved }, context) {
    if (state.phase !== 'handshake') return drop(state, 'out-of-order', 'a second handshake');
    if (!same(infoHash, context.infoHash)) return drop(state, 'wrong-info-hash', `info_hash ${Buffer.from(infoHash).toString('hex')} is not our torrent's`);
    if (same(peerId, context.peerId)) return drop(state, 'ourselves', 'the handshake carries our own peer_id');
    return stay({ ...state, phase: 'bitfield-allowed' }, [{ kind: 'handshake', peerId, reserved }]);
  },
  'keep-alive': (state) => stay(state),
  choke(state) {
    const lost = [...state.requested.values()];
    // Without the fast extension (BEP 6) a choke discards every request we sent.
    return stay({ ...state, peerChoking: true, requested: new Map() }, lost.length > 0 ? [{ kind: 'requests-lost', blocks: lost }] : NOTHING);
  },
  unchoke: (state) => stay({ ...state, peerChoking: false }, [{ kind: 'unchoked' }]),
  interested: (state) => (state.peerInterested ? stay(state) : stay({ ...state, peerInterested: true }, [{ kind: 'interest-changed', interested: true }])),
  'not-interested': (state) =>
    state.peerInterested ? stay({ ...state, peerInterested: false }, [{ kind: 'interest-changed', interested: false }]) : stay(state),
  have(state, { index }, context) {
    if (index >= context.pieceCount) return drop(state, 'bad-have', `have ${index}, but the last piece is ${context.pieceCount - 1}`);
    if (state.peerHas.has(index)) return stay(state);
    const peerHas = Bitfield.fromBytes(state.peerHas.toBytes(), context.pieceCount);
    peerHas.set(index);
    return stay({ ...state, peerHas }, [{ kind: 'peer-has', source: 'have', pieces: [index] }]);
  },
  bitfield(state, { bytes }, context) {
    if (state.phase !== 'bitfield-allowed') return drop(state, 'late-bitfield', 'a bitfield is only allowed as the first message');
    let peerHas: Bitfield;
    try {
      peerHas = Bitfield.fromBytes(bytes, context.pieceCount);
    } catch (error) {
      if (error instanceof BitfieldError) return drop(state, 'bad-bitfield', error.message);
      throw error;
    }
    const pieces: number[] = [];
    for (let i = 0; i < peerHas.size; i++) if (peerHas.has(i)) pieces.push(i);
    return stay({ ...state, peerHas }, [{ kind: 'peer-has', source: 'bitfield', pieces }]);
  },
  request(state, request, context) {
    // A request that crossed our choke on the wire is normal: ignore it, no blame.
    if (state.amChoking) return stay(state);
    const problem = requestProblem(request, context);
    if (problem !== undefined) {
      const badRequests = state.badRequests + 1;
      if (badRequests > MAX_BAD_REQUESTS) return drop({ ...state, badRequests }, 'bad-requests', `${badRequests} bad requests, the last: ${problem}`);
      return stay({ ...state, badRequests });
    }
    const queued = state.uploads.some((u) => u.index === request.index && u.begin === request.begin && u.length === request.length);
    if (queued || state.uploads.length >= MAX_QUEUED_UPLOADS) return stay(state);
    const block: BlockRequest = { index: request.index, begin: request.begin, length: request.length };
    return stay({ ...state, uploads: [...state.uploads, block] }, [{ kind: 'upload-queued' }]);
  },
  piece(state, { index, begin, block }) {
    const key = blockKey(index, begin);
    const asked = state.requested.get(key);
    // A block we never asked for (or after we cancelled it): not written, no blame.
    if (asked === undefined || asked.length !== block.length) return stay(state);
    const requested = new Map(state.requested);
    requested.delete(key);
    return stay({ ...state, requested }, [{ kind: 'block', index, begin, data: block }]);
  },
  cancel(state, { index, begin, length }) {
    const uploads = state.uploads.filter((u) => !(u.index === index && u.begin === begin && u.length === length));
    return stay(uploads.length === state.uploads.length ? state : { ...state, uploads });
  },
  port: (state) => stay(state),
  unknown: (state) => stay(state),
};

/** Why a request cannot be served, or undefined when it can. */
function requestProblem({ index, begin, length }: BlockRequest, context: SessionContext): string | undefined {
  if (index >= context.pieceCount) return `piece ${index} does not exist`;
  if (length === 0 || length > MAX_REQUEST_LENGTH) return `a request of ${length} bytes (1 to ${MAX_REQUEST_LENGTH})`;
  const pieceLength = context.pieceLength(index);
  if (begin + length > pieceLength) return `bytes ${begin}…${begin + length - 1} are outside piece ${index} (${pieceLength} bytes)`;
  if (!context.have.has(index)) return `we do not have piece ${index}`;
  return undefined;
}

/** Handles one message from the peer. */
export function receive(state: SessionState, message: WireMessage, context: SessionContext): Outcome {
  if (state.phase === 'handshake' && message.type !== 'handshake') return drop(state, 'out-of-order', `${message.type} before the handshake`);
  const handler = handlers[message.type] as Handler<typeof message.type>;
  const outcome = handler(state, message as never, context);
  // The bitfield's chance is over after the first real message (a keep-alive does not count).
  const moved = outcome.next.phase === 'bitfield-allowed' && message.type !== 'handshake' && message.type !== 'keep-alive';
  return moved ? { ...outcome, next: { ...outcome.next, phase: 'messages' } } : outcome;
}

/** We choke (true) or unchoke (false) them; choking forgets their queued requests (BEP 3). */
export function setChoking(state: SessionState, choking: boolean): Outcome {
  if (state.amChoking === choking) return stay(state);
  const next = choking ? { ...state, amChoking: true, uploads: [] } : { ...state, amChoking: false };
  return stay(next, [{ kind: 'send', message: { type: choking ? 'choke' : 'unchoke' } }]);
}

/** We tell them whether we want something they have (only when that changes). */
export function setInterested(state: SessionState, interested: boolean): Outcome {
  if (state.amInterested === interested) return stay(state);
  return stay({ ...state, amInterested: interested }, [{ kind: 'send', message: { type: interested ? 'interested' : 'not-interested' } }]);
}

/**
 * Asks them for blocks: a `request` for each one not already asked for. Sends
 * nothing while they choke us (they would ignore it).
 */
export function requestBlocks(state: SessionState, blocks: readonly BlockRequest[]): Outcome {
  if (state.peerChoking) return stay(state);
  const requested = new Map(state.requested);
  const actions: SessionAction[] = [];
  for (const block of blocks) {
    const key = blockKey(block.index, block.begin);
    if (requested.has(key)) continue;
    requested.set(key, block);
    actions.push({ kind: 'send', message: { type: 'request', index: block.index, begin: block.begin, length: block.length } });
  }
  return actions.length === 0 ? stay(state) : stay({ ...state, requested }, actions);
}

/** Takes back a request (the block came from someone else): a `cancel`, if it was still asked for. */
export function cancelRequest(state: SessionState, index: number, begin: number): Outcome {
  const key = blockKey(index, begin);
  const block = state.requested.get(key);
  if (block === undefined) return stay(state);
  const requested = new Map(state.requested);
  requested.delete(key);
  return stay({ ...state, requested }, [{ kind: 'send', message: { type: 'cancel', ...block } }]);
}

/**
 * Removes `block` from the upload queue to send it now. `sent` is false when
 * it is no longer queued (cancelled, or we choked them meanwhile): send nothing.
 */
export function takeUpload(state: SessionState, block: BlockRequest): { next: SessionState; sent: boolean } {
  const uploads = state.uploads.filter((u) => u !== block);
  if (uploads.length === state.uploads.length) return { next: state, sent: false };
  return { next: { ...state, uploads }, sent: true };
}

/** We verified piece `index`: a `have`, unless they have it already (they would not care). */
export function announceHave(state: SessionState, index: number): Outcome {
  if (state.peerHas.has(index)) return stay(state);
  return stay(state, [{ kind: 'send', message: { type: 'have', index } }]);
}
