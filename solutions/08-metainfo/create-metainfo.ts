/**
 * Makes a .torrent for a file or a folder: list the files, stream their bytes
 * through the piece hasher, and bencode the metainfo dictionary.
 *
 * The files are streamed, never read whole: memory stays at a few read
 * buffers whether the file is 1 KiB or 100 GiB.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { encode } from './bencode.ts';
import { DEFAULT_PIECE_LENGTH, type CreateMetainfoOptions, type FileEntry } from './metainfo-types.ts';
import { PieceHasher } from './piece-hasher.ts';

/**
 * Bytes per read. Large reads mean few syscalls and few stream events per
 * piece; 4 MiB keeps the reader ahead of SHA-1 while holding little memory.
 */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** Smallest piece length we write (BEP 3 clients use 16 KiB blocks inside pieces). */
export const MIN_PIECE_LENGTH = 16_384;

/** A file to put in the torrent: where it is on disk and where it goes in the torrent. */
export interface SourceFile extends FileEntry {
  /** Absolute path on disk. */
  absolute: string;
}

/** What {@link listFiles} found at a path. */
export interface SourceTree {
  /** `info.name`: the file's or the folder's base name. */
  name: string;
  /** True for a folder (the `files` layout), false for one file (the `length` layout). */
  multiFile: boolean;
  /** In torrent order: depth first, each folder's entries sorted by the raw bytes of their names. */
  files: SourceFile[];
}

/**
 * Lists what a torrent of `root` contains. Hidden entries (names starting
 * with `.`) are left out, as other torrent makers do; a folder without any
 * file is an error.
 */
export async function listFiles(root: string): Promise<SourceTree> {
  const absolute = path.resolve(root);
  const name = path.basename(absolute);
  const info = await stat(absolute);
  if (info.isFile()) return { name, multiFile: false, files: [{ absolute, path: [name], length: info.size }] };
  if (!info.isDirectory()) throw new Error(`${root} is neither a file nor a folder`);
  const files: SourceFile[] = [];
  await walk(absolute, [], files);
  if (files.length === 0) throw new Error(`${root} contains no files`);
  return { name, multiFile: true, files };
}

async function walk(folder: string, prefix: string[], out: SourceFile[]): Promise<void> {
  const names = (await readdir(folder)).filter((n) => !n.startsWith('.'));
  // Sort by bytes, not by JS string order, so every tool lists a folder the same way.
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const entry of names) {
    const absolute = path.join(folder, entry);
    const info = await stat(absolute);
    if (info.isDirectory()) await walk(absolute, [...prefix, entry], out);
    else if (info.isFile()) out.push({ absolute, path: [...prefix, entry], length: info.size });
  }
}

/**
 * Streams the files one after another through a {@link PieceHasher} and
 * returns the `pieces` string (20 bytes per piece). Pieces run on across file
 * boundaries. Throws if a file's size changed since it was listed.
 */
export async function hashFiles(
  files: readonly SourceFile[],
  pieceLength: number,
  onProgress?: (hashedBytes: number, totalBytes: number) => void,
): Promise<Uint8Array> {
  const total = files.reduce((sum, f) => sum + f.length, 0);
  const hasher = new PieceHasher(pieceLength);
  for (const file of files) {
    const before = hasher.bytes;
    for await (const chunk of createReadStream(file.absolute, { highWaterMark: READ_CHUNK_BYTES })) {
      hasher.update(chunk as Buffer);
      onProgress?.(hasher.bytes, total);
    }
    if (hasher.bytes - before !== file.length) {
      throw new Error(`${file.absolute} changed size while it was being hashed (${file.length} → ${hasher.bytes - before} bytes)`);
    }
  }
  return hasher.digest();
}

/**
 * Creates the bytes of a .torrent for a file (single-file layout, `length`)
 * or a folder (multi-file layout, `files`), hashing every piece with SHA-1.
 * Optional fields are written only when given, so the same input and options
 * always give the same bytes.
 */
export async function createMetainfo(root: string, options: CreateMetainfoOptions = {}): Promise<Uint8Array> {
  const pieceLength = options.pieceLength ?? DEFAULT_PIECE_LENGTH;
  if (!Number.isSafeInteger(pieceLength) || pieceLength < MIN_PIECE_LENGTH || !Number.isInteger(Math.log2(pieceLength))) {
    throw new RangeError(`piece length must be a power of two of at least ${MIN_PIECE_LENGTH}, got ${pieceLength}`);
  }
  const tree = await listFiles(root);
  const pieces = await hashFiles(tree.files, pieceLength, options.onProgress);
  const info = {
    name: tree.name,
    'piece length': pieceLength,
    pieces,
    ...(tree.multiFile
      ? { files: tree.files.map((f) => ({ length: f.length, path: f.path })) }
      : { length: (tree.files[0] as SourceFile).length }),
  };
  return encode({
    announce: options.announce,
    'created by': options.createdBy,
    'creation date': options.creationDate,
    info,
  });
}
