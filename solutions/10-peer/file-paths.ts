/**
 * Where each file of a torrent goes on disk, as every BitTorrent client does
 * it: a single-file torrent is the file `dir/<name>`; a multi-file torrent is
 * the folder `dir/<name>/` with each file at its path inside it.
 *
 * The names come from a .torrent somebody else made, so they are hostile
 * until checked: a path element `..` or `/etc` would write outside the
 * download folder ("path traversal"). Exercise 08 refuses them when it reads
 * a .torrent, but the store gets a Metainfo from anywhere, so it checks again.
 */
import path from 'node:path';
import type { Metainfo } from '../08-metainfo/metainfo-types.ts';
import { UnsafePathError } from './path-error.ts';

/**
 * The absolute path of every file of the torrent under `dir`, in metainfo
 * order. Throws {@link UnsafePathError} for a name that is empty, `.` or
 * `..`, holds a slash, a backslash or a NUL, or is absolute.
 */
export function filePaths(metainfo: Metainfo, dir: string): string[] {
  const root = path.resolve(dir);
  checkElement(metainfo.name, [metainfo.name]);
  if (!metainfo.multiFile) return [path.join(root, metainfo.name)];
  const folder = path.join(root, metainfo.name);
  return metainfo.files.map((file) => {
    if (file.path.length === 0) throw new UnsafePathError(file.path, '', 'a file needs at least one path element');
    for (const element of file.path) checkElement(element, file.path);
    const full = path.join(folder, ...file.path);
    // Belt and braces: whatever the rules above missed, the joined path must stay inside the folder.
    const inside = path.relative(folder, full);
    if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
      throw new UnsafePathError(file.path, file.path.join('/'), 'it leads outside the torrent folder');
    }
    return full;
  });
}

/** One file or folder name: a plain name, nothing the OS would read as a path. */
function checkElement(element: string, filePath: readonly string[]): void {
  if (element === '' || element === '.' || element === '..') {
    throw new UnsafePathError(filePath, element, `${JSON.stringify(element)} is not a plain file name`);
  }
  if (/[/\\\0]/.test(element) || path.isAbsolute(element)) {
    throw new UnsafePathError(filePath, element, `${JSON.stringify(element)} is absolute or holds a path separator or NUL`);
  }
}
