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
  // TODO: stat(root): a file gives one entry with path [basename]; a folder is walked depth first,
  // TODO: each folder's names (minus hidden ones) sorted with Buffer.compare on their bytes.
  void readdir;
  void stat;
  throw new Error(`TODO(08-metainfo): list the files of ${path.resolve(root)}`);
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
  // TODO: one PieceHasher for all files; for await (const chunk of createReadStream(file,
  // TODO: { highWaterMark: READ_CHUNK_BYTES })) feed it and report progress. Never readFile.
  void createReadStream;
  void PieceHasher;
  void onProgress;
  throw new Error(`TODO(08-metainfo): hash ${files.length} files in pieces of ${pieceLength}`);
}

/**
 * Creates the bytes of a .torrent for a file (single-file layout, `length`)
 * or a folder (multi-file layout, `files`), hashing every piece with SHA-1.
 * Optional fields are written only when given, so the same input and options
 * always give the same bytes.
 */
export async function createMetainfo(root: string, options: CreateMetainfoOptions = {}): Promise<Uint8Array> {
  // TODO: check the piece length (a power of two, at least MIN_PIECE_LENGTH; RangeError otherwise),
  // TODO: list and hash the files, then encode { announce, 'created by', 'creation date',
  // TODO: info: { name, 'piece length', pieces, length | files: [{ length, path }] } }.
  void encode;
  void DEFAULT_PIECE_LENGTH;
  throw new Error(`TODO(08-metainfo): create metainfo for ${root} (${JSON.stringify(options.announce)})`);
}
