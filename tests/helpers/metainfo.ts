/**
 * Shared helpers for the BitTorrent metainfo tests: temporary file trees with
 * seeded contents, and the independent npm libraries (create-torrent,
 * bencode) wrapped as promises with their defaults aligned to ours.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import bencode from 'bencode';
import createTorrent from 'create-torrent';
import { afterEach, beforeEach } from 'vitest';

/** Deterministic pseudo-random bytes (SHA-256 in counter mode): the same seed gives the same file everywhere. */
export function seededBytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let block = 0, at = 0; at < length; block++, at += 32) {
    createHash('sha256').update(`${seed}:${block}`).digest().copy(out, at);
  }
  return out;
}

/** A temporary folder; remove it with `cleanup()` (afterEach). */
export interface TempDir {
  dir: string;
  cleanup(): Promise<void>;
}

/** Makes an empty temporary folder. */
export async function tempDir(prefix = 'wirelab-torrent-'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Registers a beforeEach that makes an empty temporary folder for every test
 * and an afterEach that removes it; `.dir` is the running test's folder.
 */
export function tempDirEachTest(prefix?: string): { readonly dir: string } {
  let current: TempDir | undefined;
  beforeEach(async () => {
    current = await tempDir(prefix);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return {
    get dir(): string {
      if (!current) throw new Error('the temporary folder exists only while a test runs');
      return current.dir;
    },
  };
}

/** Writes files under `root`: keys are relative paths with `/`, values the contents. */
export async function writeTree(root: string, files: Record<string, Uint8Array>): Promise<void> {
  for (const [relative, bytes] of Object.entries(files)) {
    const file = path.join(root, ...relative.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
}

/** The same announce URL everywhere, so torrents made by two tools are comparable. */
export const TEST_ANNOUNCE = 'http://127.0.0.1:6969/announce';

/** Runs create-torrent with its extras turned off (no default trackers, a fixed date, no private flag). */
export function createTorrentWithLibrary(input: string, pieceLength: number, announce = TEST_ANNOUNCE): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    createTorrent(input, { announce, pieceLength, creationDate: new Date(1_700_000_000_000) }, (err, torrent) => {
      if (err) reject(err);
      else resolve(Buffer.from(torrent));
    });
  });
}

/**
 * The `info` bytes of a canonical torrent, found by the bencode library
 * (decode, re-encode `info`): for sorted, strictly valid input that gives the
 * bytes as they appear in the file, without trusting the code under test.
 */
export function infoBytesByLibrary(torrent: Uint8Array): Buffer {
  return Buffer.from(bencode.encode(bencode.decode(torrent).info));
}

/** SHA-1 of some bytes, hex. */
export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** The expected `pieces` hashes of a byte string, computed the plain way (slices of one buffer). */
export function expectedPieceHashes(all: Uint8Array, pieceLength: number): string[] {
  const hashes: string[] = [];
  for (let at = 0; at < all.length; at += pieceLength) hashes.push(sha1Hex(all.subarray(at, at + pieceLength)));
  return hashes;
}

/**
 * An `info` dictionary as short lines for a transcript, read by the bencode
 * library: `name: album`, `pieces: 3 hashes 1a2b3c4d… …`, one line per file.
 * Two of these side by side show a student which field differs.
 */
export function describeInfo(infoBytes: Uint8Array): string[] {
  const info = bencode.decode(infoBytes) as Record<string, unknown>;
  const lines: string[] = [];
  for (const [key, value] of Object.entries(info)) {
    if (key === 'pieces' && value instanceof Uint8Array) {
      const hashes: string[] = [];
      for (let at = 0; at < value.length; at += 20) hashes.push(`${Buffer.from(value.subarray(at, at + 20)).toString('hex').slice(0, 8)}…`);
      const shown = hashes.length > 6 ? [...hashes.slice(0, 6), `(${hashes.length - 6} more)`] : hashes;
      lines.push(`pieces: ${value.length} bytes = ${value.length / 20} hashes ${shown.join(' ')}`);
    } else if (key === 'files' && Array.isArray(value)) {
      value.forEach((f: { length?: unknown; path?: unknown }, i) => {
        const parts = Array.isArray(f.path) ? f.path.map((p: Uint8Array) => Buffer.from(p).toString()) : [];
        lines.push(`files[${i}]: ${parts.join('/')} (${String(f.length)} bytes)`);
      });
    } else if (value instanceof Uint8Array) {
      lines.push(`${key}: ${Buffer.from(value).toString()}`);
    } else {
      lines.push(`${key}: ${JSON.stringify(value)}`);
    }
  }
  return lines;
}
