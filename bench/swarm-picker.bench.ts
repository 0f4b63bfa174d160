/**
 * What the piece picker costs the peer: a whole 1 GiB download (4096 pieces
 * of 256 KiB, 65536 blocks) picked 8 blocks at a time from 30 peers, with the
 * reference rarest-first picker against the sequential strawman in the same
 * run. The picker runs on every free pipeline place, so at loopback speed
 * (thousands of blocks a second) it must cost microseconds, not milliseconds.
 *
 *   npx tsx bench/swarm-picker.bench.ts        (or: npm run bench -- swarm-picker)
 *   WIRELAB_BENCH_PIECES=16384 npx tsx bench/swarm-picker.bench.ts     a 4 GiB torrent
 *
 * Blocks arrive the moment they are picked (this measures the picker, not a
 * network); each piece is verified once all its blocks are in.
 */
import { mulberry32 } from '../lib/faults/random.ts';
import type { BlockState, PickInput, PiecePicker, StartedPiece } from '../solutions/10-peer/types.ts';
import { createPiecePicker, sequentialPicker } from '../solutions/11-swarm/picker.ts';

const PIECES = Number(process.env['WIRELAB_BENCH_PIECES'] ?? 4096);
const BLOCKS_PER_PIECE = 16;
const PEERS = 30;
const SLOTS = 8;
/** Timed runs of each picker; the best one counts (the least disturbed by the rest of the machine). */
const RUNS = 3;

/** Downloads the whole torrent with `picker`; returns the time spent inside the picker and the calls made. */
function download(picker: PiecePicker, seed: number): { ms: number; calls: number } {
  const random = mulberry32(seed);
  const peerHas = Array.from({ length: PEERS }, () => Array.from({ length: PIECES }, () => random() < 0.7));
  const availability = Array.from({ length: PIECES }, (_, i) => peerHas.filter((has) => has[i]).length);
  const have = new Array<boolean>(PIECES).fill(false);
  const started = new Map<number, { index: number; blocks: BlockState[]; requestedFrom: Set<string>[] }>();
  let left = PIECES;
  let ms = 0;
  let calls = 0;
  let idle = 0;
  while (left > 0 && idle < 10 * PEERS) {
    const p = Math.floor(random() * PEERS);
    const input: PickInput = {
      pieceCount: PIECES,
      blocksIn: () => BLOCKS_PER_PIECE,
      have: { size: PIECES, has: (i) => have[i] === true },
      availability,
      started: started as ReadonlyMap<number, StartedPiece>,
      peer: { key: `p${p}`, has: { size: PIECES, has: (i) => peerHas[p]![i] === true } },
      slots: SLOTS,
      random,
    };
    const t = performance.now();
    const picks = picker(input);
    ms += performance.now() - t;
    calls++;
    idle = picks.length === 0 ? idle + 1 : 0;
    for (const { piece, block } of picks) {
      let entry = started.get(piece);
      if (!entry) {
        entry = { index: piece, blocks: new Array<BlockState>(BLOCKS_PER_PIECE).fill('missing'), requestedFrom: Array.from({ length: BLOCKS_PER_PIECE }, () => new Set<string>()) };
        started.set(piece, entry);
      }
      entry.blocks[block] = 'received';
      if (entry.blocks.every((state) => state === 'received')) {
        started.delete(piece);
        have[piece] = true;
        left--;
      }
    }
  }
  return { ms, calls };
}

const best = (picker: PiecePicker) => Array.from({ length: RUNS }, (_, run) => download(picker, run + 1)).reduce((a, b) => (b.ms < a.ms ? b : a));
const sequential = best(sequentialPicker);
const rarest = best(createPiecePicker());
const perCall = (r: { ms: number; calls: number }) => ((r.ms * 1000) / r.calls).toFixed(1);
console.log(`torrent: ${PIECES} pieces × ${BLOCKS_PER_PIECE} blocks, ${PEERS} peers, ${SLOTS} blocks a call`);
console.log(`sequentialPicker          ${sequential.ms.toFixed(0).padStart(6)} ms in ${sequential.calls} calls   ${perCall(sequential).padStart(6)} µs a call`);
console.log(`createPiecePicker()       ${rarest.ms.toFixed(0).padStart(6)} ms in ${rarest.calls} calls   ${perCall(rarest).padStart(6)} µs a call`);
console.log(`ratio: rarest first costs ${(rarest.ms / rarest.calls / (sequential.ms / sequential.calls)).toFixed(2)}× the sequential picker per call (best of ${RUNS} each)`);
