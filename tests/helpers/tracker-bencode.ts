/**
 * The judge's bencode decoder: the independent `bencode` package from npm,
 * typed for the tracker tests. Our own encoder is never used to check itself.
 */
// @ts-ignore -- the bencode package ships no type declarations
import bencodeUntyped from 'bencode';

/** A value as the `bencode` package decodes it: byte strings stay Uint8Array. */
export type JudgeValue = number | Uint8Array | JudgeValue[] | { [key: string]: JudgeValue };

const bencodeLib = bencodeUntyped as { decode(data: Uint8Array): unknown };

/** Decodes with the independent library; throws when the bytes are not valid bencode. */
export function judgeDecode(bytes: Uint8Array): JudgeValue {
  return bencodeLib.decode(bytes) as JudgeValue;
}

/** A dictionary's entry, or undefined when the value is not a dictionary. */
export function dictGet(value: JudgeValue | undefined, key: string): JudgeValue | undefined {
  if (value === undefined || typeof value === 'number' || value instanceof Uint8Array || Array.isArray(value)) return undefined;
  return value[key];
}

/** Readable text for a transcript: byte strings as text when printable, hex otherwise. */
export function describeBencode(value: JudgeValue): string {
  if (typeof value === 'number') return String(value);
  if (value instanceof Uint8Array) {
    const text = Buffer.from(value).toString('latin1');
    if (/^[\x20-\x7e]*$/.test(text)) return JSON.stringify(text);
    const hex = Buffer.from(value).toString('hex');
    // Compact peers are short enough to show whole; ids are abbreviated.
    return `<${value.length} bytes ${value.length % 6 === 0 && value.length <= 36 ? hex : `${hex.slice(0, 6)}…${hex.slice(-4)}`}>`;
  }
  if (Array.isArray(value)) return `[${value.map(describeBencode).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${describeBencode(v)}`).join(', ')}}`;
}
