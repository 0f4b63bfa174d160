/**
 * Why the picker chose a block, in words a person can follow: the narrated
 * swarm example prints it beside every request, and the web view shows it when
 * you point at a piece ("rarest first: 1 of 6 peers have it").
 */
import type { BlockAddress, PickInput } from '../10-peer/types.ts';
import { countHave } from './blocks.ts';
import { resolvePiecePickerOptions, type PiecePickerOptions } from './options.ts';

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
  const { piece, block } = address;
  const where = `piece ${piece} block ${block}`;
  if (!Number.isInteger(piece) || piece < 0 || piece >= input.pieceCount) throw new RangeError(`${where}: there is no piece ${piece}`);
  if (input.have.has(piece)) throw new RangeError(`${where}: we have that piece already`);
  if (!input.peer.has.has(piece)) throw new RangeError(`${where}: peer ${input.peer.key} does not have that piece`);

  const availability = input.availability[piece] ?? 0;
  const holders = options.peerCount === undefined ? `${availability} peer${availability === 1 ? ' has' : 's have'} it` : `${availability} of ${options.peerCount} peers have it`;
  const explain = (reason: PickReason, why: string, alsoRequestedFrom: readonly string[] = []): PickExplanation => ({
    piece, block, reason, availability, alsoRequestedFrom, text: `${where}: ${why}`,
  });

  const started = input.started.get(piece);
  if (started !== undefined) {
    const state = started.blocks[block];
    if (state === undefined) throw new RangeError(`${where}: piece ${piece} has ${started.blocks.length} blocks`);
    const askedOf = [...(started.requestedFrom[block] ?? [])].sort();
    if (askedOf.includes(input.peer.key)) throw new RangeError(`${where}: already requested from peer ${input.peer.key}`);
    if (state === 'received') throw new RangeError(`${where}: that block has arrived already`);
    if (state === 'requested') return explain('endgame', `endgame, also requested from ${askedOf.join(', ') || 'another peer'}`, askedOf);
    const received = started.blocks.filter((s) => s === 'received').length;
    return explain('started', `finishing a started piece (${received} of ${started.blocks.length} blocks in)`);
  }

  if (!Number.isInteger(block) || block < 0 || block >= input.blocksIn(piece)) throw new RangeError(`${where}: piece ${piece} has ${input.blocksIn(piece)} blocks`);
  const { randomFirstPieces } = resolvePiecePickerOptions(options);
  const have = countHave(input, randomFirstPieces);
  if (have < randomFirstPieces) return explain('random-first', `random first piece (we have ${have} to trade), ${holders}`);
  return explain('rarest', `rarest first, ${holders}`);
}
