/**
 * What a .torrent file holds, as the rest of the kit sees it, and the options
 * for making one. Given complete: the same file in exercises/ and solutions/.
 *
 * On disk (BEP 3) a .torrent is one bencoded dictionary:
 *
 *   announce       string   the tracker URL
 *   created by     string   optional, the program that made it
 *   creation date  integer  optional, seconds since 1970
 *   info           dict     what the info_hash covers:
 *     name           string   file name (single file) or folder name (multi-file)
 *     piece length   integer  bytes per piece; 262144 (256 KiB) by default
 *     pieces         string   the 20-byte SHA-1 of every piece, concatenated
 *     length         integer  single file: its size in bytes
 *     files          list     multi-file instead: dicts {length, path: list of strings}
 */
import { WirelabError } from 'wirelab';

/** Bytes per piece unless told otherwise (256 KiB, what most clients pick for mid-size files). */
export const DEFAULT_PIECE_LENGTH = 262_144;

/** Length of a SHA-1 digest: one piece hash, and the info_hash. */
export const SHA1_LENGTH = 20;

/** One file of the torrent, in the order its bytes appear in the pieces. */
export interface FileEntry {
  /** Path inside the torrent, one element per folder level; single-file torrents give `[name]`. */
  path: string[];
  /** Size in bytes. */
  length: number;
}

/** A .torrent file, read and checked. */
export interface Metainfo {
  /** The tracker URL (`announce`), when there is one. */
  announce: string | undefined;
  /** `info.name`: the file name, or the folder name of a multi-file torrent. */
  name: string;
  /** `info.piece length`. */
  pieceLength: number;
  /** The SHA-1 of each piece, 20 bytes each, in order. */
  pieces: Uint8Array[];
  /** Total size of all files in bytes. */
  length: number;
  /** Every file in order; a single-file torrent has one entry with path `[name]`. */
  files: FileEntry[];
  /** True when `info` has `files` (a folder), false when it has `length` (one file). */
  multiFile: boolean;
  /** SHA-1 of the exact bytes of the `info` value as they appear in the file. */
  infoHash: Uint8Array;
  /** `infoHash` as 40 lower-case hex digits (what trackers and magnet links show). */
  infoHashHex: string;
  /** `created by`, when present. */
  createdBy: string | undefined;
  /** `creation date` in seconds since 1970, when present. */
  creationDate: number | undefined;
}

/** Options of `createMetainfo`. */
export interface CreateMetainfoOptions {
  /** Tracker URL written as `announce`. */
  announce?: string;
  /**
   * Bytes per piece; a power of two of at least 16 KiB.
   * @default 262144
   */
  pieceLength?: number;
  /** `created by`; left out when not given. */
  createdBy?: string;
  /** `creation date` in seconds since 1970; left out when not given. */
  creationDate?: number;
  /** Called as pieces are hashed, with the bytes hashed so far and the total. */
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
}

/** A .torrent that is valid bencode but not valid metainfo; `field` says which part is wrong. */
export class MetainfoError extends WirelabError {
  override name = 'MetainfoError';
  constructor(
    /** The offending field, e.g. `info.pieces` or `info.files[2].path`. */
    readonly field: string,
    /** What is wrong with it. */
    readonly problem: string,
  ) {
    super(`metainfo: ${field} ${problem}`);
  }
}
