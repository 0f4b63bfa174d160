/**
 * A torrent whose file names would land outside the download folder.
 * Given complete: the same file in exercises/ and solutions/.
 */
import { WirelabError } from 'wirelab';

/** A file path of the torrent that is not a plain name under the folder; nothing was written. */
export class UnsafePathError extends WirelabError {
  override name = 'UnsafePathError';
  constructor(
    /** The file's path as the metainfo gives it, one element per folder level. */
    readonly filePath: readonly string[],
    /** The offending element (`..`, `/etc`, an empty name). */
    readonly element: string,
    /** What is wrong with it, as a sentence. */
    readonly problem: string,
  ) {
    super(`unsafe file path ${JSON.stringify(filePath.join('/'))} in the torrent: ${problem}`);
  }
}
