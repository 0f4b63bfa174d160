/**
 * The simple strategies exercise 10 ships with: good enough to download, too
 * simple to make a swarm healthy. Exercise 11 replaces them with rarest first,
 * endgame and tit-for-tat behind the same types (`picker` and `choker`
 * options of startPeer). Given complete: the same file in exercises/ and solutions/.
 */
import { BLOCK_LENGTH, type BlockAddress, type Choker, type PickInput, type PiecePicker } from './types.ts';

/** How many interested peers the simple choker unchokes at most. */
export const SIMPLE_UNCHOKE_SLOTS = 8;

/** Blocks in piece `index`, from its length in bytes. */
export function blocksInPiece(pieceLength: number): number {
  return Math.ceil(pieceLength / BLOCK_LENGTH);
}

/**
 * Finishes started pieces first (a piece is useful to others only once it is
 * whole and verified), else starts a random piece the peer has. A cyclic scan
 * from a random place: cheap, if not perfectly uniform.
 */
export const simplePicker: PiecePicker = (input: PickInput): BlockAddress[] => {
  const { peer, slots } = input;
  const picked: BlockAddress[] = [];
  if (slots <= 0) return picked;
  for (const piece of input.started.values()) {
    if (!peer.has.has(piece.index)) continue;
    for (let block = 0; block < piece.blocks.length; block++) {
      if (piece.blocks[block] !== 'missing' || piece.requestedFrom[block]!.has(peer.key)) continue;
      picked.push({ piece: piece.index, block });
      if (picked.length === slots) return picked;
    }
  }
  const count = input.pieceCount;
  const start = Math.floor(input.random() * count);
  for (let step = 0; step < count && picked.length < slots; step++) {
    const index = (start + step) % count;
    if (!peer.has.has(index) || input.have.has(index) || input.started.has(index)) continue;
    for (let block = 0; block < input.blocksIn(index) && picked.length < slots; block++) picked.push({ piece: index, block });
  }
  return picked;
};

/**
 * Unchokes the interested peers, the longest connected first, up to
 * {@link SIMPLE_UNCHOKE_SLOTS}; no optimistic unchoke, no tit-for-tat.
 */
export const simpleChoker: Choker = (input) => {
  const chosen = input.peers
    .filter((p) => p.interested)
    .sort((a, b) => a.connectedAt - b.connectedAt)
    .slice(0, SIMPLE_UNCHOKE_SLOTS)
    .map((p) => p.key);
  return { unchoked: new Set(chosen), optimistic: undefined, state: input.state };
};
