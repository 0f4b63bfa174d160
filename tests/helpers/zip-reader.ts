/**
 * Reads back what lib/grader/zip.ts writes, for the pack tests: every file of
 * a ZIP archive with the unix mode it was stored with (stored or deflated
 * entries; what createZip writes and most tools make). The kit itself never
 * reads archives, so the reader lives with the tests.
 */
import { inflateRawSync } from 'node:zlib';
import { CENTRAL_HEADER_SIG, crc32, METHOD_DEFLATE, METHOD_STORED } from '../../lib/grader/zip.ts';

/** A file read back from an archive, with the unix mode it was stored with. */
export interface UnzippedEntry {
  name: string;
  data: Buffer;
  /** Unix permission bits (0 when the archive was not made on unix). */
  mode: number;
}

/** Reads every file of a ZIP archive (stored or deflated entries; what createZip writes and most tools make). */
export function readZip(archive: Buffer): UnzippedEntry[] {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('not a ZIP archive (no end of central directory record)');
  const count = archive.readUInt16LE(endAt + 10);
  let at = archive.readUInt32LE(endAt + 16);
  const out: UnzippedEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== CENTRAL_HEADER_SIG) throw new Error(`bad central directory entry ${i}`);
    const madeBy = archive.readUInt16LE(at + 4);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const external = archive.readUInt32LE(at + 38);
    const localAt = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    const dataAt = localAt + 30 + archive.readUInt16LE(localAt + 26) + archive.readUInt16LE(localAt + 28);
    const body = archive.subarray(dataAt, dataAt + compressedSize);
    const data = method === METHOD_DEFLATE ? inflateRawSync(body) : method === METHOD_STORED ? Buffer.from(body) : undefined;
    if (!data) throw new Error(`${name}: unsupported compression method ${method}`);
    if (crc32(data) !== crc) throw new Error(`${name}: CRC mismatch`);
    const mode = madeBy >> 8 === 3 ? (external >>> 16) & 0o7777 : 0;
    out.push({ name, data, mode });
  }
  return out;
}
