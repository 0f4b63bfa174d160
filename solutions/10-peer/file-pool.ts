/**
 * A bounded set of open file handles. Given complete: the same file in
 * exercises/ and solutions/.
 *
 * Opening a file for every 16 KiB block would cost a system call pair per
 * block; keeping every file open would run out of descriptors on a torrent of
 * 10 000 small files (the usual limit is 1024 per process). So the pool keeps
 * the most recently used `maxOpen` files open and closes the least recently
 * used idle one when it needs room, the way BitTorrent clients do. A handle
 * in use is never closed under its user, so many reads and writes may run at
 * once, even on the same file (positional I/O needs no shared file position).
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Files kept open at most while idle (in use, a few more may be open for a moment). */
export const DEFAULT_MAX_OPEN_FILES = 16;

interface Entry {
  readonly handle: Promise<FileHandle>;
  /** Calls of `use` running with this handle right now. */
  users: number;
}

/** Lends open handles of a fixed list of files, opening and closing them as needed. */
export class FilePool {
  /** Open (or opening) files; Map order is least recently used first. */
  private readonly entries = new Map<number, Entry>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly paths: readonly string[],
    private readonly maxOpen = DEFAULT_MAX_OPEN_FILES,
  ) {
    if (!Number.isInteger(maxOpen) || maxOpen < 1) throw new RangeError(`maxOpen must be 1 or more, got ${maxOpen}`);
  }

  /** Files open right now (or being opened). */
  get openCount(): number {
    return this.entries.size;
  }

  /**
   * Runs `work` with an open handle of file `index` (read-write, or read-only
   * where the file may not be written). The handle must not be closed or kept
   * by `work`; the pool keeps it open for the next caller.
   */
  async use<T>(index: number, work: (handle: FileHandle) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the piece store is closed');
    let entry = this.entries.get(index);
    if (entry === undefined) {
      const file = this.paths[index];
      if (file === undefined) throw new RangeError(`file ${index} is outside 0…${this.paths.length - 1}`);
      entry = { handle: openForUpdate(file), users: 0 };
    } else {
      this.entries.delete(index); // re-inserted below: now the most recently used
    }
    this.entries.set(index, entry);
    entry.users++;
    try {
      return await work(await entry.handle);
    } catch (error) {
      // A file that failed to open is forgotten, so the next call tries again.
      if (this.entries.get(index) === entry && (await settledFailed(entry.handle))) this.entries.delete(index);
      throw error;
    } finally {
      entry.users--;
      this.trim();
    }
  }

  /** Closes every file; later calls of `use` throw. Callers must have finished their work. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [index, entry] of this.entries) this.release(index, entry);
    while (this.closing.size > 0) await Promise.all(this.closing);
  }

  /** Closes idle files, least recently used first, until at most `maxOpen` are open. */
  private trim(): void {
    for (const [index, entry] of this.entries) {
      if (this.entries.size <= this.maxOpen) return;
      if (entry.users === 0) this.release(index, entry);
    }
  }

  private release(index: number, entry: Entry): void {
    this.entries.delete(index);
    const done = entry.handle.then(
      (handle) => handle.close(),
      () => {}, // never opened: nothing to close
    ).catch(() => {}).finally(() => this.closing.delete(done));
    this.closing.add(done);
  }
}

/** Opens read-write; a file we may only read (a seed's read-only copy) is opened read-only. */
async function openForUpdate(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r+');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return open(file, 'r');
    throw error;
  }
}

/** True when the promise rejected (it has settled by the time this is asked). */
async function settledFailed(promise: Promise<unknown>): Promise<boolean> {
  return promise.then(() => false, () => true);
}
