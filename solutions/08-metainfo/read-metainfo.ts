/**
 * Reads a .torrent: decode it strictly, check every field a peer will rely
 * on, and compute the info_hash from the `info` bytes exactly as they appear
 * in the file (never from a re-encoding: a torrent with a field we do not know
 * must still get the hash everybody else computes).
 */
import { createHash } from 'node:crypto';
import { decode, isDictionary, locate } from './bencode.ts';
import type { BencodeDictionary, BencodeValue } from './bencode-types.ts';
import { MetainfoError, SHA1_LENGTH, type FileEntry, type Metainfo } from './metainfo-types.ts';

/**
 * Parses and checks the bytes of a .torrent file. Throws a BencodeError (with
 * the offset) when the bytes are not bencode, a {@link MetainfoError} (with
 * the field) when they are bencode but not valid metainfo.
 */
export function readMetainfo(bytes: Uint8Array): Metainfo {
  const top = decode(bytes);
  if (!isDictionary(top)) throw new MetainfoError('the file', 'is not a bencoded dictionary');
  const span = locate(bytes, ['info']);
  if (span === undefined) throw new MetainfoError('info', 'is missing');
  const info = span.value;
  if (!isDictionary(info)) throw new MetainfoError('info', 'is not a dictionary');

  const name = pathElement(info['name'], 'info.name');
  const pieceLength = integer(info['piece length'], 'info.piece length', 1);
  const pieceBytes = info['pieces'];
  if (!(pieceBytes instanceof Uint8Array)) throw new MetainfoError('info.pieces', 'is missing or not a byte string');
  if (pieceBytes.length % SHA1_LENGTH !== 0) throw new MetainfoError('info.pieces', `is ${pieceBytes.length} bytes, not a multiple of ${SHA1_LENGTH}`);

  const multiFile = info['files'] !== undefined;
  if (multiFile && info['length'] !== undefined) throw new MetainfoError('info', 'has both length and files');
  const files = multiFile ? fileList(info['files']) : [{ path: [name], length: integer(info['length'], 'info.length', 0) }];
  const length = files.reduce((sum, f) => sum + f.length, 0);

  const pieces: Uint8Array[] = [];
  for (let i = 0; i < pieceBytes.length; i += SHA1_LENGTH) pieces.push(pieceBytes.subarray(i, i + SHA1_LENGTH));
  const expected = Math.ceil(length / pieceLength);
  if (pieces.length !== expected) {
    throw new MetainfoError('info.pieces', `holds ${pieces.length} hashes, but ${length} bytes in pieces of ${pieceLength} need ${expected}`);
  }

  const infoHash = createHash('sha1').update(bytes.subarray(span.start, span.end)).digest();
  return {
    announce: optionalText(top, 'announce'),
    name,
    pieceLength,
    pieces,
    length,
    files,
    multiFile,
    infoHash,
    infoHashHex: infoHash.toString('hex'),
    createdBy: optionalText(top, 'created by'),
    creationDate: top['creation date'] === undefined ? undefined : integer(top['creation date'], 'creation date', 0),
  };
}

/** `files`: a non-empty list of {length, path}. */
function fileList(value: BencodeValue | undefined): FileEntry[] {
  if (!Array.isArray(value) || value.length === 0) throw new MetainfoError('info.files', 'is not a non-empty list');
  return value.map((item, i) => {
    const field = `info.files[${i}]`;
    if (!isDictionary(item)) throw new MetainfoError(field, 'is not a dictionary');
    const parts = item['path'];
    if (!Array.isArray(parts) || parts.length === 0) throw new MetainfoError(`${field}.path`, 'is not a non-empty list');
    return {
      path: parts.map((p, j) => pathElement(p, `${field}.path[${j}]`)),
      length: integer(item['length'], `${field}.length`, 0),
    };
  });
}

/**
 * One file or folder name. A downloader joins these into a path on disk, so
 * anything that could escape the download folder (`..`, a slash, an empty
 * name) is refused here, once, for every later user of the metainfo.
 */
function pathElement(value: BencodeValue | undefined, field: string): string {
  if (!(value instanceof Uint8Array)) throw new MetainfoError(field, 'is missing or not a byte string');
  const text = Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8');
  if (text === '' || text === '.' || text === '..' || /[/\\\0]/.test(text)) {
    throw new MetainfoError(field, `${JSON.stringify(text)} is not a safe file name`);
  }
  return text;
}

function integer(value: BencodeValue | undefined, field: string, min: number): number {
  if (typeof value !== 'number') throw new MetainfoError(field, 'is missing or not an integer');
  if (value < min) throw new MetainfoError(field, `is ${value}, less than ${min}`);
  return value;
}

function optionalText(dict: BencodeDictionary, key: string): string | undefined {
  const value = dict[key];
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array)) throw new MetainfoError(key, 'is not a byte string');
  return Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8');
}
