/**
 * Reads a .torrent: decode it strictly, check every field a peer will rely
 * on, and compute the info_hash from the `info` bytes exactly as they appear
 * in the file (never from a re-encoding: a torrent with a field we do not know
 * must still get the hash everybody else computes).
 */
import { createHash } from 'node:crypto';
import { decode, isDictionary, locate } from './bencode.ts';
import { MetainfoError, SHA1_LENGTH, type Metainfo } from './metainfo-types.ts';

/**
 * Parses and checks the bytes of a .torrent file. Throws a BencodeError (with
 * the offset) when the bytes are not bencode, a {@link MetainfoError} (with
 * the field) when they are bencode but not valid metainfo.
 */
export function readMetainfo(bytes: Uint8Array): Metainfo {
  // TODO: decode(bytes) must give a dictionary; locate(bytes, ['info']) gives `info` and its span.
  // TODO: check name, piece length, pieces (a multiple of SHA1_LENGTH bytes), and either length or files;
  // TODO: refuse file names a downloader could not safely join into a path ('', '.', '..', '/', '\\', NUL).
  // TODO: the number of hashes must be ceil(total length / piece length).
  // TODO: infoHash = SHA-1 of bytes.subarray(span.start, span.end); never re-encode `info`.
  void createHash;
  void decode;
  void isDictionary;
  void locate;
  void SHA1_LENGTH;
  void MetainfoError;
  throw new Error(`TODO(08-metainfo): read ${bytes.length} bytes of metainfo`);
}
