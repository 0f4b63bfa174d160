/**
 * The torrent's files on disk, addressed by piece and block.
 *
 * - Blocks are written where they belong the moment they arrive, with
 *   positional writes (`handle.write(data, 0, n, position)`): blocks come in
 *   any order, from many peers at once, and nothing waits in memory for the
 *   blocks before it. Files are made at their full size when the store opens
 *   (sparse: the filesystem allocates only what is written).
 * - A piece counts only once its SHA-1 matches the metainfo: `verifyPiece`
 *   reads it back from disk in small chunks, so memory stays bounded however
 *   large the pieces and the files.
 * - Opening a folder that already holds data re-checks it piece by piece, so
 *   a restarted download fetches only what is missing, and a complete folder
 *   opens as a seed. The disk is the only truth: no resume file to go stale.
 */
import type { Metainfo } from '../08-metainfo/metainfo-types.ts';
import type { PieceStore, PieceStoreOptions } from './types.ts';
// Useful here: createHash (node:crypto); mkdir, open, stat (node:fs/promises); Bitfield (./bitfield.ts);
// FilePool (./file-pool.ts, given); planLayout, blockSlices, pieceSize (./file-layout.ts); filePaths (./file-paths.ts).

/** Bytes read at a time while hashing a piece: the most a verify holds in memory. */
export const VERIFY_CHUNK_BYTES = 256 * 1024;

/**
 * Opens (creating folders and files as needed) the torrent's files under
 * `dir`: `dir/<name>` for a single file, `dir/<name>/<path…>` for several.
 * Pieces already on disk are re-checked first (progress through
 * `options.onCheck`); those that match are in `have` when this resolves.
 * Throws an UnsafePathError, before touching the disk, for a file path that
 * would leave the folder.
 */
export async function openPieceStore(metainfo: Metainfo, dir: string, options: PieceStoreOptions = {}): Promise<PieceStore> {
  // TODO: filePaths(metainfo, dir) first: an unsafe path must be refused before anything is created.
  // TODO: note each file's size on disk BEFORE creating anything (-1 when missing): only those bytes can be re-checked.
  // TODO: make every file exist at its full size (mkdir -p its folder; open with 'a', which creates without
  // TODO: truncating; handle.truncate(length) leaves a hole: a sparse file). Zero-length files too.
  // TODO: return an object implementing PieceStore (a class is easiest), over a FilePool of the paths:
  // TODO:  - re-check: for each piece whose every file slice lay inside the sizes found, hash it; a match
  // TODO:    sets its bit in `have`. Call onCheck(checked, total) as you go.
  // TODO:  - writeBlock: blockSlices → one positional write per slice (handle.write(data, offset, length, position)).
  // TODO:    Never buffer blocks; writes may overlap. A block of a piece already verified changes nothing.
  // TODO:  - verifyPiece: read the piece back in chunks of VERIFY_CHUNK_BYTES, feed a SHA-1, compare with
  // TODO:    metainfo.pieces[index]. Mark it only when equal. `left` = total − bytes of verified pieces.
  // TODO:  - readBlock: a RangeError unless the piece is verified and the bytes lie inside it.
  // TODO:  - close: wait for reads and writes under way, then close the pool.
  throw new Error(`TODO(10-peer): open the ${metainfo.files.length} files of ${metainfo.name} under ${dir} (onCheck ${options.onCheck ? 'given' : 'not given'})`);
}
