/**
 * Why the picker chose a block, in words a person can follow: the narrated
 * swarm example prints it beside every request, and the web view shows it when
 * you point at a piece ("rarest first: 1 of 6 peers have it").
 */
import type { BlockAddress, PickInput } from '../10-peer/types.ts';
import type { PiecePickerOptions } from './options.ts';

/** The rule of {@link createPiecePicker} that chose a block. */
export type PickReason = 'started' | 'random-first' | 'rarest' | 'endgame';

/** Options of {@link describePick}: the picker's own, plus what the text may mention. */
export interface DescribePickOptions extends PiecePickerOptions {
  /** Connected peers, for "k of n peers have it"; without it the text says "k peers have it". */
  peerCount?: number;
}

/** Why one block was picked. */
export interface PickExplanation {
  readonly piece: number;
  readonly block: number;
  readonly reason: PickReason;
  /** How many connected peers have the piece. */
  readonly availability: number;
  /** The peers the block is already requested from (endgame only; empty otherwise). */
  readonly alsoRequestedFrom: readonly string[];
  /** One line, e.g. `piece 9 block 0: rarest first, 1 of 6 peers have it`. */
  readonly text: string;
}

/**
 * Explains a block the picker returned for `input` (the same snapshot, before
 * the block was marked requested): started piece, random first piece, rarest
 * first with its availability, or endgame. Throws a RangeError for a block the
 * picker would never return (we have it, the peer lacks it, it is received or
 * already requested from this peer).
 */
export function describePick(input: PickInput, address: BlockAddress, options: DescribePickOptions = {}): PickExplanation {
  // TODO: refuse (RangeError, saying why) a block the picker would never return.
  // TODO: a 'missing' block of a started piece → 'started'; a 'requested' one → 'endgame' (with the peers, sorted);
  // TODO: a block of a piece not started → 'random-first' while we hold fewer than randomFirstPieces pieces, else 'rarest'.
  // TODO: the text names the piece, the block and the reason, with "k of n peers have it" when peerCount is given.
  throw new Error('TODO(11-swarm): describePick');
}
