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
  // TODO: single file: [dir/<name>]. Several: dir/<name>/<path[0]>/<path[1]>/… for each file.
  // TODO: check the name and every path element BEFORE joining anything: '', '.', '..', any '/' '\\' or NUL,
  // TODO: or an absolute path → throw new UnsafePathError(file path, element, what is wrong). A file with
  // TODO: an empty path is refused too. As a last guard, path.relative(folder, joined) must not start with '..'.
  void path;
  void UnsafePathError;
  throw new Error(`TODO(10-peer): the paths of ${metainfo.files.length} files under ${dir}`);
}
