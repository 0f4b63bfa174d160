/**
 * What both kinds of `wirelab pack` share: reading kit files into memory
 * (content and unix mode), and writing a set of files as a folder or as a
 * ZIP archive. The two kinds are pack-student.ts and pack-gradescope.ts.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listKitFiles } from './kit-files.ts';
import { createZip, type ZipEntry } from './zip.ts';

/** One file of a pack: its path (forward slashes, relative to the pack's root), content and mode. */
export type PackedFile = ZipEntry;

/** What a pack wrote: where, how many files, how many bytes on disk. */
export interface PackResult {
  out: string;
  files: number;
  bytes: number;
}

/** Called with a short line of what is happening (the CLI shows it on a terminal only). */
export type OnProgress = (message: string) => void;

/** The kit's files (see listKitFiles) that `keep` accepts, read into memory with their modes. */
export function readKitFiles(root: string, keep: (file: string) => boolean): PackedFile[] {
  return listKitFiles(root)
    .filter(keep)
    .map((name) => {
      const full = path.join(root, name);
      // Keep only whether a file is executable (lib/cli/bin.js); the rest of the mode is the packer's business.
      const mode = statSync(full).mode & 0o111 ? 0o755 : 0o644;
      return { name, data: readFileSync(full), mode };
    });
}

/** Writes `files` under the folder `dir` (created as needed). Returns the bytes written. */
export function writeFolder(dir: string, files: readonly PackedFile[]): number {
  let bytes = 0;
  for (const file of files) {
    const target = path.join(dir, ...file.name.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.data);
    chmodSync(target, file.mode ?? 0o644);
    bytes += file.data.length;
  }
  return bytes;
}

/** Writes `files` as one ZIP archive at `zipPath`. Returns the archive's size. */
export function writeZipFile(zipPath: string, files: readonly PackedFile[]): number {
  const archive = createZip(files);
  mkdirSync(path.dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, archive);
  return archive.length;
}

/** `1.2 MiB`, `340 KiB`: a size as people read it. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}
