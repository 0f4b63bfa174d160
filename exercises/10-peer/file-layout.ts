/**
 * Where a piece's bytes live on disk. BEP 3 hashes a torrent's files as if
 * they were ONE long byte string, in the order of the metainfo; pieces are
 * cut from that string without caring where one file ends:
 *
 *   torrent bytes:  |0 ──────────────── a.txt (40 000) ─────────────|── b.bin (0) ──|─ c.dat (30 000) ─|
 *                   0                                          40 000               40 000             70 000
 *   pieces (32 KiB):|──────── piece 0 (32 768) ────────|──────── piece 1 (32 768) ────────|─ piece 2 (4 464) ─|
 *                                                  32 768                            65 536             70 000
 *
 *   piece 1 = a.txt bytes 32 768…39 999 (7 232 bytes), then c.dat bytes 0…25 535 (25 536 bytes);
 *   the empty b.bin sits between them and holds none of it.
 *
 * Pure arithmetic, no disk: the store asks "which file slices make up these
 * bytes?" and reads or writes each slice at its own offset.
 */

/** One run of bytes inside one file. */
export interface FileSlice {
  /** The file's index in the metainfo's `files`. */
  readonly file: number;
  /** Where the run starts inside that file. */
  readonly fileOffset: number;
  /** Bytes in the run (never 0). */
  readonly length: number;
  /** Where the run starts inside the bytes asked for (0 for the first slice). */
  readonly dataOffset: number;
}

/** The files laid end to end: where each one starts in the torrent's byte string. */
export interface FileLayout {
  /** `starts[i]`: the torrent offset of file i's first byte. */
  readonly starts: readonly number[];
  readonly lengths: readonly number[];
  /** Bytes in all files together. */
  readonly total: number;
}

/** Lays the files end to end, in metainfo order. */
export function planLayout(lengths: readonly number[]): FileLayout {
  // TODO: starts[i] = the sum of the lengths before file i; total = the sum of all. A negative or
  // TODO: fractional length is a RangeError.
  throw new Error(`TODO(10-peer): lay out ${lengths.length} files`);
}

/**
 * The file slices that hold `length` bytes starting at torrent offset
 * `offset`, in order. Zero-length files get no slice. Throws a RangeError for
 * bytes outside the torrent.
 */
export function fileSlices(layout: FileLayout, offset: number, length: number): FileSlice[] {
  // TODO: refuse bytes outside 0…total with a RangeError.
  // TODO: find the file holding `offset` (a binary search over layout.starts: this runs for every block),
  // TODO: then walk forward file by file, taking from each as much as it holds, until `length` bytes are
  // TODO: covered. An empty file gives no slice. dataOffset counts from the first byte asked for.
  throw new Error(`TODO(10-peer): slices of ${length} bytes at ${offset} in ${layout.total}`);
}

/** Bytes in piece `index`: the piece length, except for a shorter last piece. */
export function pieceSize(total: number, pieceLength: number, index: number): number {
  // TODO: there are ceil(total / pieceLength) pieces; the last one holds what is left. Any other index is a RangeError.
  throw new Error(`TODO(10-peer): size of piece ${index} (${total} bytes in pieces of ${pieceLength})`);
}

/**
 * The file slices of `length` bytes from `begin` inside piece `index`.
 * Throws a RangeError for a piece that does not exist or bytes outside it.
 */
export function blockSlices(layout: FileLayout, pieceLength: number, index: number, begin: number, length: number): FileSlice[] {
  // TODO: check the bytes lie inside the piece (pieceSize), then they are torrent bytes from index·pieceLength + begin.
  throw new Error(`TODO(10-peer): slices of piece ${index}, ${length} bytes from ${begin} (pieces of ${pieceLength}, ${layout.total} bytes)`);
}
