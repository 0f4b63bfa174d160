/**
 * A small bencode DECODER, all a tracker client needs to read an HTTP
 * tracker's answer. Given complete: the same file in exercises/ and
 * solutions/ (exercise 08 is where you write the full one; this copy keeps 10
 * independent of how far you got there).
 *
 *   integer      i<decimal>e           i1800e   i-7e
 *   byte string  <length>:<bytes>      5:peers   0:
 *   list         l<values>e            li1ei2ee
 *   dictionary   d<key><value>…e       d8:intervali1800ee
 */
import { ProtocolError } from 'wirelab';
import type { BencodeDictionary, BencodeValue } from '../08-metainfo/bencode-types.ts';

/** Lists and dictionaries nested deeper than this are refused (a hostile answer cannot blow the stack). */
const MAX_DEPTH = 32;

/** Decodes one bencoded value that must fill `bytes` exactly; throws a ProtocolError (`bencode`) otherwise. */
export function decodeBencode(bytes: Uint8Array): BencodeValue {
  const reader = { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), at: 0 };
  const value = readValue(reader, 0);
  if (reader.at !== reader.bytes.length) fail(reader, 'extra bytes after the value');
  return value;
}

interface Reader {
  readonly bytes: Buffer;
  at: number;
}

function readValue(r: Reader, depth: number): BencodeValue {
  if (depth > MAX_DEPTH) fail(r, `nesting deeper than ${MAX_DEPTH}`);
  const c = r.bytes[r.at];
  if (c === undefined) fail(r, 'the input ends where a value should start');
  if (c === 0x69 /* i */) return readInteger(r);
  if (c === 0x6c /* l */) {
    r.at++;
    const list: BencodeValue[] = [];
    while (r.bytes[r.at] !== 0x65 /* e */) list.push(readValue(r, depth + 1));
    r.at++;
    return list;
  }
  if (c === 0x64 /* d */) {
    r.at++;
    const dict: BencodeDictionary = Object.create(null) as BencodeDictionary;
    while (r.bytes[r.at] !== 0x65 /* e */) {
      const key = Buffer.from(readString(r)).toString('latin1');
      dict[key] = readValue(r, depth + 1);
    }
    r.at++;
    return dict;
  }
  return readString(r);
}

/** `i<decimal>e`: no leading zeros, no `-0`, a safe JS integer. */
function readInteger(r: Reader): number {
  const end = r.bytes.indexOf(0x65 /* e */, r.at);
  if (end < 0) fail(r, 'an integer without its closing "e"');
  const text = r.bytes.toString('latin1', r.at + 1, end);
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) fail(r, `${JSON.stringify(text)} is not a bencode integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) fail(r, `${text} is too large`);
  r.at = end + 1;
  return value;
}

/** `<length>:<bytes>`: a view into the input, not a copy. */
function readString(r: Reader): Uint8Array {
  const colon = r.bytes.indexOf(0x3a /* : */, r.at);
  const text = colon < 0 ? '' : r.bytes.toString('latin1', r.at, colon);
  if (!/^(0|[1-9][0-9]*)$/.test(text)) fail(r, 'expected a byte string, an integer, a list or a dictionary');
  const start = colon + 1;
  const end = start + Number(text);
  if (end > r.bytes.length) fail(r, `a ${text}-byte string runs past the end`);
  r.at = end;
  return r.bytes.subarray(start, end);
}

function fail(r: Reader, problem: string): never {
  throw new ProtocolError(`bad bencode at byte ${r.at}: ${problem}`, 'bencode', r.bytes.subarray(0, 64));
}
