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
  const starts: number[] = [];
  let total = 0;
  for (const length of lengths) {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`a file length must be a whole number of bytes, got ${length}`);
    starts.push(total);
    total += length;
  }
  return { starts, lengths: [...lengths], total };
}

/**
 * The file slices that hold `length` bytes starting at torrent offset
 * `offset`, in order. Zero-length files get no slice. Throws a RangeError for
 * bytes outside the torrent.
 */
export function fileSlices(layout: FileLayout, offset: number, length: number): FileSlice[] {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > layout.total) {
    throw new RangeError(`bytes ${offset}…${offset + length - 1} are outside the torrent's ${layout.total} bytes`);
  }
  const slices: FileSlice[] = [];
  let done = 0;
  // Binary search for the file holding `offset`: a torrent may have thousands
  // of files and this runs for every block.
  for (let file = firstFileAt(layout, offset); done < length; file++) {
    const fileOffset = offset + done - layout.starts[file]!;
    const take = Math.min(layout.lengths[file]! - fileOffset, length - done);
    if (take > 0) {
      slices.push({ file, fileOffset, length: take, dataOffset: done });
      done += take;
    }
  }
  return slices;
}

/** Bytes in piece `index`: the piece length, except for a shorter last piece. */
export function pieceSize(total: number, pieceLength: number, index: number): number {
  const count = Math.ceil(total / pieceLength);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`piece ${index} is outside 0…${count - 1}`);
  return Math.min(pieceLength, total - index * pieceLength);
}

/**
 * The file slices of `length` bytes from `begin` inside piece `index`.
 * Throws a RangeError for a piece that does not exist or bytes outside it.
 */
export function blockSlices(layout: FileLayout, pieceLength: number, index: number, begin: number, length: number): FileSlice[] {
  const size = pieceSize(layout.total, pieceLength, index);
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(length) || begin < 0 || length < 0 || begin + length > size) {
    throw new RangeError(`bytes ${begin}…${begin + length - 1} are outside piece ${index} (${size} bytes)`);
  }
  return fileSlices(layout, index * pieceLength + begin, length);
}

/** The last file whose start is at or before `offset` (skipping empty files there is the caller's loop's job). */
function firstFileAt(layout: FileLayout, offset: number): number {
  let low = 0;
  let high = layout.starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (layout.starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  // Several files may start at `offset` (empty ones before a real one): the
  // search lands on the last of them, which is the one holding the byte.
  return low;
}
