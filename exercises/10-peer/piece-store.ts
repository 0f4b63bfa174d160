// PLACEHOLDER: replaced by the piece-store branch
/**
 * The torrent's files on disk, addressed by piece and block (a simple,
 * honest store so the peer can run until the real one is merged).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Metainfo } from '../08-metainfo/metainfo-types.ts';
import { Bitfield } from './bitfield.ts';
import type { PieceStore, PieceStoreOptions } from './types.ts';

/** One stretch of bytes inside one file. */
interface Span {
  file: number;
  fileOffset: number;
  length: number;
  /** Where the stretch starts in the caller's buffer. */
  at: number;
}

/** Opens (creating as needed) the files of `metainfo` under `dir` and re-checks what is there. */
export async function openPieceStore(metainfo: Metainfo, dir: string, options: PieceStoreOptions = {}): Promise<PieceStore> {
  const root = path.resolve(dir);
  const paths = metainfo.files.map((f) => {
    if (f.path.some((part) => part === '' || part === '.' || part === '..' || part.includes('/') || part.includes('\\'))) {
      throw new RangeError(`unsafe file path in the torrent: ${f.path.join('/')}`);
    }
    return metainfo.multiFile ? path.join(root, metainfo.name, ...f.path) : path.join(root, metainfo.name);
  });
  const starts: number[] = [];
  let total = 0;
  for (const f of metainfo.files) {
    starts.push(total);
    total += f.length;
  }
  const handles = new Map<number, Promise<FileHandle | undefined>>();
  const pieceCount = metainfo.pieces.length;
  const have = new Bitfield(pieceCount);
  let verifiedBytes = 0;
  const pieceLength = (index: number): number => {
    if (!Number.isInteger(index) || index < 0 || index >= pieceCount) throw new RangeError(`piece ${index} is outside 0…${pieceCount - 1}`);
    return Math.min(metainfo.pieceLength, total - index * metainfo.pieceLength);
  };

  function spans(offset: number, length: number): Span[] {
    const out: Span[] = [];
    for (let file = 0, at = 0; file < metainfo.files.length && at < length; file++) {
      const start = starts[file]!;
      const end = start + metainfo.files[file]!.length;
      const from = offset + at;
      if (from >= end || metainfo.files[file]!.length === 0) continue;
      if (from < start) break;
      const n = Math.min(end - from, length - at);
      out.push({ file, fileOffset: from - start, length: n, at });
      at += n;
    }
    return out;
  }

  /** Opens a file once (the promise is cached: concurrent writes share one handle). */
  function handle(file: number, create: boolean): Promise<FileHandle | undefined> {
    const cached = handles.get(file);
    if (cached) return cached;
    const opening = (async () => {
      try {
        return await open(paths[file]!, 'r+');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) return undefined;
        await mkdir(path.dirname(paths[file]!), { recursive: true });
        return open(paths[file]!, 'w+');
      }
    })();
    handles.set(file, opening);
    // A file that is not there yet is looked for again next time.
    void opening.then((h) => h ?? handles.delete(file), () => handles.delete(file));
    return opening;
  }

  /** Reads a range; undefined when a file is missing or short. */
  async function readRange(offset: number, length: number): Promise<Buffer | undefined> {
    const out = Buffer.alloc(length);
    for (const s of spans(offset, length)) {
      const h = await handle(s.file, false);
      if (!h) return undefined;
      const { bytesRead } = await h.read(out, s.at, s.length, s.fileOffset);
      if (bytesRead < s.length) return undefined;
    }
    return out;
  }

  async function check(index: number): Promise<boolean> {
    const bytes = await readRange(index * metainfo.pieceLength, pieceLength(index));
    if (!bytes) return false;
    const good = createHash('sha1').update(bytes).digest().equals(Buffer.from(metainfo.pieces[index]!));
    if (good && !have.has(index)) {
      have.set(index);
      verifiedBytes += pieceLength(index);
    }
    return good;
  }

  // Empty files are never written to: make them now.
  for (let file = 0; file < metainfo.files.length; file++) if (metainfo.files[file]!.length === 0) await handle(file, true);
  for (let i = 0; i < pieceCount; i++) {
    await check(i);
    options.onCheck?.(i + 1, pieceCount);
  }

  return {
    metainfo,
    have,
    get left() {
      return total - verifiedBytes;
    },
    pieceLength,
    async writeBlock(index, begin, data) {
      if (begin < 0 || begin + data.length > pieceLength(index)) throw new RangeError(`block ${begin}+${data.length} is outside piece ${index}`);
      for (const s of spans(index * metainfo.pieceLength + begin, data.length)) {
        const h = (await handle(s.file, true))!;
        await h.write(data, s.at, s.length, s.fileOffset);
      }
    },
    async readBlock(index, begin, length) {
      if (!have.has(index)) throw new RangeError(`piece ${index} is not verified`);
      if (begin < 0 || length < 0 || begin + length > pieceLength(index)) throw new RangeError(`bytes ${begin}+${length} are outside piece ${index}`);
      const bytes = await readRange(index * metainfo.pieceLength + begin, length);
      if (!bytes) throw new RangeError(`piece ${index} is no longer on disk`);
      return bytes;
    },
    verifyPiece: check,
    async close() {
      const all = [...handles.values()];
      handles.clear();
      await Promise.allSettled(all.map(async (h) => (await h)?.close()));
    },
  };
}
