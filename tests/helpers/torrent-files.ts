/**
 * Torrents for the peer's tests, made by the independent npm libraries
 * (create-torrent hashes the files, parse-torrent reads the result) and turned
 * into our Metainfo shape here, so a student's exercise 08 never decides
 * whether exercise 10 passes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import bencode from 'bencode';
import parseTorrent from 'parse-torrent';
import type { Metainfo } from '@impl/08-metainfo/metainfo-types.ts';
import { createTorrentWithLibrary, writeTree } from './metainfo.ts';

/** A torrent and the bytes it describes. */
export interface TestTorrent {
  metainfo: Metainfo;
  /** The .torrent file's bytes. */
  torrent: Buffer;
  /** Every file's bytes, end to end in torrent order: piece i is `content.subarray(i·pieceLength, …)`. */
  content: Buffer;
  /** The folder that holds the complete download (`<folder>/<name>`): a seed's folder. */
  seedDir: string;
}

/**
 * Writes the files under `<root>/seed/<name>` and makes a torrent of them
 * with create-torrent. `files` is one Buffer for a single-file torrent, or
 * relative paths (with `/`) to contents for a multi-file one.
 */
export async function makeTorrent(root: string, name: string, files: Buffer | Record<string, Buffer>, pieceLength: number, announce?: string): Promise<TestTorrent> {
  const seedDir = path.join(root, 'seed');
  await writeTree(seedDir, Buffer.isBuffer(files) ? { [name]: files } : Object.fromEntries(Object.entries(files).map(([p, b]) => [`${name}/${p}`, b])));
  const torrent = await createTorrentWithLibrary(path.join(seedDir, name), pieceLength, announce);
  const metainfo = await metainfoByLibrary(torrent);
  const content = Buffer.concat(await Promise.all(metainfo.files.map((f) => readFile(path.join(seedDir, ...(metainfo.multiFile ? [name, ...f.path] : f.path))))));
  return { metainfo, torrent, content, seedDir };
}

/** A .torrent read by parse-torrent (and bencode for what it does not report), as our Metainfo. */
export async function metainfoByLibrary(torrent: Uint8Array): Promise<Metainfo> {
  const parsed = await parseTorrent(torrent);
  const multiFile = bencode.decode(torrent).info.files !== undefined;
  const infoHash = Buffer.from(parsed.infoHash, 'hex');
  return {
    announce: parsed.announce[0],
    name: parsed.name,
    pieceLength: parsed.pieceLength,
    pieces: parsed.pieces.map((hex) => Buffer.from(hex, 'hex')),
    length: parsed.length,
    // parse-torrent joins `name/dir/file` with the OS separator.
    files: parsed.files.map((f) => ({ path: multiFile ? f.path.split(path.sep).slice(1) : [parsed.name], length: f.length })),
    multiFile,
    infoHash,
    infoHashHex: parsed.infoHash,
    createdBy: parsed.createdBy,
    creationDate: parsed.created === undefined ? undefined : Math.floor(parsed.created.getTime() / 1000),
  };
}

/**
 * A Metainfo made by hand, for layouts too large to write (a sparse
 * multi-GiB file): `hashOf(i)` gives piece i's SHA-1.
 */
export function metainfoFromHashes(name: string, lengths: readonly number[], pieceLength: number, hashOf: (index: number) => Uint8Array): Metainfo {
  const length = lengths.reduce((a, b) => a + b, 0);
  const count = Math.ceil(length / pieceLength);
  const multiFile = lengths.length !== 1;
  return {
    announce: undefined,
    name,
    pieceLength,
    pieces: Array.from({ length: count }, (_, i) => hashOf(i)),
    length,
    files: lengths.map((l, i) => ({ path: multiFile ? [`file-${i}.bin`] : [name], length: l })),
    multiFile,
    infoHash: Buffer.alloc(20, 7),
    infoHashHex: '07'.repeat(20),
    createdBy: undefined,
    creationDate: undefined,
  };
}
