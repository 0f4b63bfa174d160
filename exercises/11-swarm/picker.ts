/**
 * The piece picker: which blocks to ask one peer for, each time its request
 * pipeline has free places. A pure function of a snapshot of the download (a
 * {@link PickInput}) and a seeded random source, so the same snapshot and seed
 * always give the same blocks, and a test can ask "given these bitfields,
 * which piece?" without a socket. In order of priority (Cohen 2003, §2.3):
 *
 *   1. strict priority: the missing blocks of pieces already started, the
 *      piece nearest completion first (a whole piece can be verified and
 *      shared; a half piece is worth nothing to anyone);
 *   2. a new piece: at random while we hold fewer than `randomFirstPieces`
 *      pieces (a newcomer needs something to trade, fast), rarest first after
 *      that, ties broken at random;
 *   3. endgame: once nothing is left to ask for the first time, blocks already
 *      requested from other peers (see endgame.ts).
 *
 * How the peer of exercise 10 uses it: whenever a peer that unchoked us has
 * free places in its pipeline, the peer builds a PickInput (our pieces, the
 * availability it counts from bitfields and `have`s, its started pieces, that
 * peer's pieces, the free places) and sends a `request` for each block
 * returned, marking them requested from that peer. In endgame the same block is
 * requested from several peers; when one copy arrives, the peer sends `cancel`
 * for it to the others.
 */
import type { PiecePicker } from '../10-peer/types.ts';
import type { PiecePickerOptions } from './options.ts';

/**
 * The real picker: started pieces first, then a random first piece, rarest
 * first, and endgame. Never a block we have, never one the peer lacks, never
 * one already requested from this peer, at most `slots` blocks.
 */
export function createPiecePicker(options: PiecePickerOptions = {}): PiecePicker {
  // TODO: read the options once (resolvePiecePickerOptions fills in the default), then return the picker:
  // TODO: 1. the blocks still to ask of the started pieces this peer can give, the piece with fewest left first;
  // TODO: 2. while slots remain, new pieces (not started) this peer can give: chosen at random while we
  // TODO:    hold fewer than randomFirstPieces pieces, else rarest first; all their blocks, block 0 first;
  // TODO: 3. while slots remain and the download is in endgame, the endgame blocks.
  // TODO: Use only input.random for chance, and never return more than input.slots blocks.
  throw new Error('TODO(11-swarm): createPiecePicker');
}

/** The strawman: the lowest piece index first, no rarity, no endgame (the swarm runs compare against it). */
export const sequentialPicker: PiecePicker = (input) => {
  // TODO: walk the pieces from 0 up; take the blocks still to ask of each piece this peer can give, up to input.slots.
  throw new Error('TODO(11-swarm): sequentialPicker');
};
