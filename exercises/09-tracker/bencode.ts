/**
 * A small bencode ENCODER, all a tracker needs to answer HTTP clients.
 * Given complete: the same file in exercises/ and solutions/ (exercise 08 is
 * where you write a full encoder and decoder; this copy keeps 09 independent
 * of how far you got there).
 *
 *   integer      i<decimal>e           i42e   i-7e
 *   byte string  <length>:<bytes>      5:peers   0:
 *   list         l<values>e            li1ei2ee
 *   dictionary   d<key><value>…e       d8:intervali300ee   (keys sorted by raw bytes)
 */

/**
 * What {@link bencode} accepts. A JS string value is encoded as UTF-8; a
 * dictionary KEY is taken one character per byte (latin1), so a binary key
 * such as a 20-byte info_hash in a scrape answer goes out unchanged. Entries
 * whose value is `undefined` are left out.
 */
export type BencodeInput =
  | number
  | string
  | Uint8Array
  | readonly BencodeInput[]
  | { readonly [key: string]: BencodeInput | undefined };

/** Encodes one value as bencode bytes. Throws on non-integer numbers. */
export function bencode(value: BencodeInput): Buffer {
  const out: Buffer[] = [];
  write(value, out);
  return Buffer.concat(out);
}

function write(value: BencodeInput, out: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`bencode integers must be safe integers, got ${value}`);
    out.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (typeof value === 'string') {
    writeBytes(Buffer.from(value, 'utf8'), out);
  } else if (value instanceof Uint8Array) {
    writeBytes(value, out);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('l', 'latin1'));
    for (const item of value as readonly BencodeInput[]) write(item, out);
    out.push(Buffer.from('e', 'latin1'));
  } else {
    const dict = value as { readonly [key: string]: BencodeInput | undefined };
    // Sorted by raw key bytes (BEP 3), which is what Buffer.compare does.
    const keys = Object.keys(dict)
      .filter((k) => dict[k] !== undefined)
      .map((k) => ({ k, bytes: Buffer.from(k, 'latin1') }))
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    out.push(Buffer.from('d', 'latin1'));
    for (const { k, bytes } of keys) {
      writeBytes(bytes, out);
      write(dict[k] as BencodeInput, out);
    }
    out.push(Buffer.from('e', 'latin1'));
  }
}

function writeBytes(bytes: Uint8Array, out: Buffer[]): void {
  out.push(Buffer.from(`${bytes.length}:`, 'latin1'), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
