/**
 * Spoiling valid input for fuzz tests: one byte changed, dropped or added,
 * the input cut short, or a DNS compression pointer (0xC0 and a byte) written
 * over it. Pure; the position wraps around the input's length.
 */

/** The ways {@link mutate} spoils input. */
export type Mutation = 'flip' | 'drop' | 'insert' | 'cut' | 'pointer';

/** `good` spoiled by `how` at position `at` (taken modulo its length + 1), `byte` being the byte written. */
export function mutate(good: Uint8Array, at: number, byte: number, how: Mutation): Buffer {
  const bytes = Buffer.from(good);
  const i = at % (bytes.length + 1);
  switch (how) {
    case 'flip':
      return Buffer.concat([bytes.subarray(0, i), Buffer.of(byte), bytes.subarray(i + 1)]);
    case 'drop':
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, i), Buffer.of(byte), bytes.subarray(i)]);
    case 'cut':
      return bytes.subarray(0, i);
    case 'pointer':
      return Buffer.concat([bytes.subarray(0, i), Buffer.of(0xc0, byte), bytes.subarray(i + 2)]);
  }
}
