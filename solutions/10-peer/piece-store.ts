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
import { createHash } from 'node:crypto';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Metainfo } from '../08-metainfo/metainfo-types.ts';
import { Bitfield } from './bitfield.ts';
import { FilePool } from './file-pool.ts';
import { blockSlices, pieceSize, planLayout, type FileLayout, type FileSlice } from './file-layout.ts';
import { filePaths } from './file-paths.ts';
import type { PieceStore, PieceStoreOptions } from './types.ts';

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
  const paths = filePaths(metainfo, dir);
  const layout = planLayout(metainfo.files.map((f) => f.length));
  const pieceCount = Math.ceil(layout.total / metainfo.pieceLength);
  if (layout.total !== metainfo.length || metainfo.pieces.length !== pieceCount) {
    throw new RangeError(`the metainfo is inconsistent: ${layout.total} bytes in files, length ${metainfo.length}, ${metainfo.pieces.length} hashes for ${pieceCount} pieces`);
  }
  // What is there before we create anything: only those bytes can be re-checked.
  const sizesFound: number[] = [];
  for (const file of paths) sizesFound.push(await sizeOnDisk(file));
  for (const [i, file] of paths.entries()) await makeFullSize(file, metainfo.files[i]!.length, sizesFound[i]!);

  const store = new DiskPieceStore(metainfo, layout, new FilePool(paths));
  try {
    await store.recheck(sizesFound, options.onCheck);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** The store behind {@link openPieceStore}. */
class DiskPieceStore implements PieceStore {
  readonly have: Bitfield;
  private verifiedBytes = 0;
  /** Reads and writes under way: `close()` waits for them. */
  private readonly busy = new Set<Promise<unknown>>();
  /** Per piece, the writes under way: a verify waits for them, so it sees every block handed to writeBlock before it. */
  private readonly writing = new Map<number, Set<Promise<unknown>>>();
  /** Per piece, the verify under way: a write arriving meanwhile waits for its verdict. */
  private readonly verifying = new Map<number, Promise<boolean>>();
  private closed = false;

  constructor(
    readonly metainfo: Metainfo,
    private readonly layout: FileLayout,
    private readonly files: FilePool,
  ) {
    this.have = new Bitfield(metainfo.pieces.length);
  }

  get left(): number {
    return this.layout.total - this.verifiedBytes;
  }

  pieceLength(index: number): number {
    return pieceSize(this.layout.total, this.metainfo.pieceLength, index);
  }

  /**
   * Writes one block at its offsets. Writes may overlap one another; a block
   * of a piece already verified is ignored (a late duplicate cannot spoil it).
   */
  writeBlock(index: number, begin: number, data: Uint8Array): Promise<void> {
    return this.run(async () => {
      const slices = blockSlices(this.layout, this.metainfo.pieceLength, index, begin, data.length);
      for (let check = this.verifying.get(index); check !== undefined; check = this.verifying.get(index)) await check.catch(() => {});
      // From here to registering the write, nothing awaits: no verify can start in between.
      if (this.have.has(index)) return;
      const write = Promise.all(slices.map((s) => this.files.use(s.file, (h) => writeFully(h, data, s))));
      const writes = this.writing.get(index) ?? new Set();
      this.writing.set(index, writes.add(write));
      try {
        await write;
      } finally {
        writes.delete(write);
        if (writes.size === 0 && this.writing.get(index) === writes) this.writing.delete(index);
      }
    });
  }

  readBlock(index: number, begin: number, length: number): Promise<Buffer> {
    return this.run(async () => {
      const slices = blockSlices(this.layout, this.metainfo.pieceLength, index, begin, length);
      if (!this.have.has(index)) throw new RangeError(`piece ${index} is not verified: it cannot be uploaded`);
      const out = Buffer.alloc(length);
      await Promise.all(
        slices.map(async (s) => {
          const got = await this.files.use(s.file, (h) => readFully(h, out, s));
          if (got < s.length) throw new Error(`file ${s.file} of the torrent is shorter than the metainfo says: was it truncated?`);
        }),
      );
      return out;
    });
  }

  verifyPiece(index: number): Promise<boolean> {
    return this.run(async () => {
      this.pieceLength(index); // a RangeError for a piece that does not exist
      const running = this.verifying.get(index);
      if (running !== undefined) return running; // two verifies of one piece: one reading
      const check = (async () => {
        await Promise.allSettled([...(this.writing.get(index) ?? [])]);
        const good = await this.hashMatches(index);
        if (good) this.mark(index);
        else if (this.have.has(index)) this.unmark(index); // the disk changed under us: it is not ours any more
        return good;
      })();
      this.verifying.set(index, check);
      try {
        return await check;
      } finally {
        this.verifying.delete(index);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.busy.size > 0) await Promise.allSettled([...this.busy]);
    await this.files.close();
  }

  /**
   * Hashes every piece whose bytes were all on disk before we opened (in
   * files that existed and were long enough); the others are missing for sure.
   */
  async recheck(sizesFound: readonly number[], onCheck?: (checked: number, total: number) => void): Promise<void> {
    const total = this.have.size;
    for (let index = 0; index < total; index++) {
      const slices = blockSlices(this.layout, this.metainfo.pieceLength, index, 0, this.pieceLength(index));
      const present = slices.every((s) => sizesFound[s.file]! >= s.fileOffset + s.length);
      if (present && (await this.hashMatches(index))) this.mark(index);
      onCheck?.(index + 1, total);
    }
  }

  /** Reads piece `index` back in chunks of VERIFY_CHUNK_BYTES and compares its SHA-1. */
  private async hashMatches(index: number): Promise<boolean> {
    const size = this.pieceLength(index);
    const hash = createHash('sha1');
    const chunk = Buffer.alloc(Math.min(size, VERIFY_CHUNK_BYTES));
    for (let begin = 0; begin < size; begin += chunk.length) {
      const length = Math.min(chunk.length, size - begin);
      const part = chunk.subarray(0, length);
      part.fill(0); // bytes past a truncated file's end hash as zeros: a mismatch, not a crash
      for (const s of blockSlices(this.layout, this.metainfo.pieceLength, index, begin, length)) {
        await this.files.use(s.file, (h) => readFully(h, part, s));
      }
      hash.update(part);
    }
    return hash.digest().equals(this.metainfo.pieces[index]!);
  }

  private mark(index: number): void {
    if (this.have.has(index)) return;
    this.have.set(index);
    this.verifiedBytes += this.pieceLength(index);
  }

  private unmark(index: number): void {
    this.have.clear(index);
    this.verifiedBytes -= this.pieceLength(index);
  }

  /** Runs one operation, refusing it after `close()` and letting `close()` wait for it. */
  private run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the piece store is closed'));
    const done = work();
    const tracked = done.catch(() => {}).finally(() => this.busy.delete(tracked));
    this.busy.add(tracked);
    return done;
  }
}

/** The size of `file`, or -1 when it does not exist. */
async function sizeOnDisk(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return -1;
    throw error;
  }
}

/**
 * Creates `file` (and its folders) or extends it to `length` bytes. Extending
 * with truncate writes nothing: the filesystem leaves a hole (a sparse file)
 * where it can. A file already long enough is not touched (it may be read-only).
 */
async function makeFullSize(file: string, length: number, sizeFound: number): Promise<void> {
  if (sizeFound >= length) return;
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a'); // creates it if missing, never truncates
  try {
    await handle.truncate(length);
  } finally {
    await handle.close();
  }
}

/** Writes the slice `s` of `data` at its file offset (a positional write: no seek, no shared position). */
async function writeFully(handle: FileHandle, data: Uint8Array, s: FileSlice): Promise<void> {
  for (let done = 0; done < s.length; ) {
    const { bytesWritten } = await handle.write(data, s.dataOffset + done, s.length - done, s.fileOffset + done);
    done += bytesWritten;
  }
}

/** Reads the slice `s` into `into` at its data offset; returns the bytes read (fewer only at the file's end). */
async function readFully(handle: FileHandle, into: Uint8Array, s: FileSlice): Promise<number> {
  let done = 0;
  while (done < s.length) {
    const { bytesRead } = await handle.read(into, s.dataOffset + done, s.length - done, s.fileOffset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
