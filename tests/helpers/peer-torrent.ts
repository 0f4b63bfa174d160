/**
 * Torrents for the peer tests, made and read by the independent npm packages
 * (create-torrent makes the .torrent, bencode reads it), converted to the
 * kit's Metainfo shape here, so a student's exercise 08 cannot sink 10.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import bencode from 'bencode';
import type { Metainfo } from '@impl/08-metainfo/metainfo-types.ts';
import { createTorrentWithLibrary, seededBytes, writeTree } from './metainfo.ts';

/** A torrent made for a test, with its files' bytes. */
export interface TestTorrent {
  metainfo: Metainfo;
  /** The .torrent file's bytes. */
  torrent: Buffer;
  /** Relative path (with `/`, the torrent's name first) → contents. */
  files: Record<string, Buffer>;
  /** All the files' bytes end to end, as the pieces cover them. */
  bytes: Buffer;
}

const text = (value: Uint8Array): string => Buffer.from(value).toString('utf8');

/** Reads a .torrent with the `bencode` package into the kit's Metainfo shape. */
export function metainfoOf(torrent: Uint8Array): Metainfo {
  const top = bencode.decode(torrent) as Record<string, any>;
  const info = top.info as Record<string, any>;
  const infoBytes = Buffer.from(bencode.encode(info));
  const infoHash = createHash('sha1').update(infoBytes).digest();
  const name = text(info.name);
  const all = Buffer.from(info.pieces as Uint8Array);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < all.length; at += 20) pieces.push(all.subarray(at, at + 20));
  const multiFile = Array.isArray(info.files);
  const files = multiFile
    ? (info.files as { path: Uint8Array[]; length: number }[]).map((f) => ({ path: f.path.map(text), length: f.length }))
    : [{ path: [name], length: info.length as number }];
  return {
    announce: top.announce ? text(top.announce) : undefined,
    name,
    pieceLength: info['piece length'] as number,
    pieces,
    length: files.reduce((sum, f) => sum + f.length, 0),
    files,
    multiFile,
    infoHash,
    infoHashHex: infoHash.toString('hex'),
    createdBy: top['created by'] ? text(top['created by']) : undefined,
    creationDate: top['creation date'] as number | undefined,
  };
}

/**
 * Writes seeded files under `dir` and makes a torrent of them: one file when
 * `sizes` has one entry (named `name`), else a folder `name/` holding them.
 */
export async function makeTorrent(
  dir: string,
  options: { name: string; sizes: Record<string, number> | number; pieceLength: number; announce?: string },
): Promise<TestTorrent> {
  const single = typeof options.sizes === 'number';
  const entries = single ? { [options.name]: options.sizes as number } : Object.fromEntries(Object.entries(options.sizes).map(([file, size]) => [`${options.name}/${file}`, size]));
  const files: Record<string, Buffer> = {};
  for (const [file, size] of Object.entries(entries)) files[file] = seededBytes(`${options.name}:${file}`, size);
  await writeTree(dir, files);
  const torrent = await createTorrentWithLibrary(path.join(dir, options.name), options.pieceLength, options.announce ?? 'http://127.0.0.1:9/announce');
  const metainfo = metainfoOf(torrent);
  const bytes = Buffer.concat(metainfo.files.map((f) => files[single ? options.name : `${options.name}/${f.path.join('/')}`]!));
  return { metainfo, torrent, files, bytes };
}

/** Reads back every file of `torrent` under `dir` (undefined for a missing one), keyed like {@link TestTorrent.files}. */
export async function readTorrentFiles(dir: string, torrent: TestTorrent): Promise<Record<string, Buffer | undefined>> {
  const out: Record<string, Buffer | undefined> = {};
  for (const file of Object.keys(torrent.files)) out[file] = await readFile(path.join(dir, ...file.split('/'))).catch(() => undefined);
  return out;
}
