/**
 * LineDecoder and the byte queue under it: however the bytes are cut into
 * chunks, the same lines come out.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FramingError } from '../../lib/errors.ts';
import { ByteQueue, type LineEnding } from '../../lib/framing/byte-queue.ts';
import { LineDecoder } from '../../lib/framing/line-decoder.ts';

/** The specification, written the slow obvious way: split the whole text at once. */
function referenceLines(input: Buffer, lineEnding: LineEnding): string[] {
  const text = input.toString('latin1');
  const separator = lineEnding === 'crlf' ? '\r\n' : '\n';
  const parts = text.split(separator);
  parts.pop(); // what follows the last line end is an unfinished line
  return lineEnding === 'any' ? parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p)) : parts;
}

/** Cuts `input` at the given offsets. */
function split(input: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, input.length]) {
    chunks.push(input.subarray(from, point));
    from = point;
  }
  return chunks;
}

/** Bytes rich in the troublemakers: CR, LF, CR LF, a multi-byte character. */
const wireBytes = fc
  .array(fc.constantFrom('a', 'b', ' ', '\r', '\n', '\r\n', 'é', '€'), { maxLength: 200 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));
const cuts = fc.array(fc.nat(), { maxLength: 30 });
const lineEnding = fc.constantFrom<LineEnding>('any', 'crlf');

describe('LineDecoder', () => {
  test('any split of the input gives the same lines', () => {
    fc.assert(
      fc.property(wireBytes, cuts, lineEnding, (input, offsets, mode) => {
        const decoder = new LineDecoder({ lineEnding: mode, maxLineBytes: 1 << 20 });
        const lines = split(input, offsets).flatMap((chunk) => decoder.push(chunk));
        expect(lines.map((l) => l.toString('latin1'))).toEqual(referenceLines(input, mode));
      }),
      { numRuns: 500 },
    );
  });

  test('a CR LF split across two chunks ends the line once', () => {
    const decoder = new LineDecoder({ lineEnding: 'crlf' });
    expect(decoder.push(Buffer.from('HELO a\r'))).toEqual([]);
    expect(decoder.push(Buffer.from('\nQUIT\r\n')).map(String)).toEqual(['HELO a', 'QUIT']);
  });

  test("'crlf' keeps a bare LF inside the line, 'any' ends the line there", () => {
    const input = Buffer.from('one\ntwo\r\n');
    expect(new LineDecoder({ lineEnding: 'crlf' }).push(input).map(String)).toEqual(['one\ntwo']);
    expect(new LineDecoder({ lineEnding: 'any' }).push(input).map(String)).toEqual(['one', 'two']);
  });

  test('a line of exactly maxLineBytes passes, one byte more is line-too-long', () => {
    const decoder = new LineDecoder({ maxLineBytes: 5 });
    expect(decoder.push(Buffer.from('12345\r\n')).map(String)).toEqual(['12345']);
    expect(() => decoder.push(Buffer.from('123456\r\n'))).toThrow(FramingError);
  });

  test('an overlong line is rejected before its end arrives, its rest is skipped, the next line comes through', () => {
    const decoder = new LineDecoder({ maxLineBytes: 4 });
    let error: unknown;
    try {
      decoder.push(Buffer.from('abcdefgh'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FramingError);
    expect((error as FramingError).kind).toBe('line-too-long');
    expect((error as FramingError).limit).toBe(4);
    expect(decoder.pendingBytes).toBe(0); // memory stays bounded while skipping
    expect(decoder.push(Buffer.from('ijklmnop'))).toEqual([]);
    expect(decoder.push(Buffer.from('q\r\nok\r\n')).map(String)).toEqual(['ok']);
  });

  test('lines completed before an overlong one are returned; the error comes with the next push', () => {
    const decoder = new LineDecoder({ maxLineBytes: 3 });
    expect(decoder.push(Buffer.from('ab\ncd\nTOO LONG')).map(String)).toEqual(['ab', 'cd']);
    expect(() => decoder.push(Buffer.from(' STILL\nef\n'))).toThrow(/longer than 3 bytes/);
    expect(decoder.push(Buffer.from('gh\n')).map(String)).toEqual(['ef', 'gh']);
  });

  test('any split gives the same lines and errors when some lines are too long', () => {
    const MAX = 6;
    fc.assert(
      fc.property(wireBytes, cuts, lineEnding, (input, offsets, mode) => {
        const decoder = new LineDecoder({ lineEnding: mode, maxLineBytes: MAX });
        const out: string[] = [];
        const chunks = split(input, offsets);
        // After an error, lines already complete come out of the next push (an empty chunk will do).
        for (const chunk of [...chunks, Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)]) {
          try {
            out.push(...decoder.push(chunk).map((l) => l.toString('latin1')));
          } catch (error) {
            expect((error as FramingError).kind).toBe('line-too-long');
            out.push('<too long>');
          }
        }
        const expected = referenceLines(input, mode).map((l) => (Buffer.byteLength(l, 'latin1') > MAX ? '<too long>' : l));
        // An unfinished overlong line at the end is reported too (the limit was passed before its end).
        const tail = input.toString('latin1').split(mode === 'crlf' ? '\r\n' : '\n').pop()!;
        const tailContent = tail.endsWith('\r') ? tail.length - 1 : tail.length;
        if (tailContent > MAX) expected.push('<too long>');
        expect(out).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ByteQueue', () => {
  test('takeLineText equals takeLine decoded, whatever the split and however reads alternate', () => {
    fc.assert(
      fc.property(wireBytes, cuts, lineEnding, fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }), (input, offsets, mode, asText) => {
        const queue = new ByteQueue();
        const got: string[] = [];
        let turn = 0;
        for (const chunk of split(input, offsets)) {
          queue.push(chunk);
          for (;;) {
            const text = asText[turn++ % asText.length]!;
            const line = text ? queue.takeLineText(mode, 1 << 20) : queue.takeLine(mode, 1 << 20)?.toString('utf8');
            if (line === undefined) break;
            got.push(line);
          }
        }
        const expected = referenceLines(input, mode).map((l) => Buffer.from(l, 'latin1').toString('utf8'));
        expect(got).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  test('takeExactly across many one-byte chunks', () => {
    const queue = new ByteQueue();
    const input = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    for (const byte of input) queue.push(Buffer.from([byte]));
    expect(queue.takeExactly(5001)).toBeUndefined();
    const first = queue.takeExactly(1234)!;
    const rest = queue.takeExactly(5000 - 1234)!;
    expect(Buffer.concat([first, rest]).equals(input)).toBe(true);
    expect(queue.length).toBe(0);
  });

  test('a long line arriving byte by byte is scanned in linear time', () => {
    // 200 000 one-byte chunks: rescanning from the start on each one would take minutes.
    const queue = new ByteQueue();
    let early = 0;
    for (let i = 0; i < 200_000; i++) {
      queue.push(Buffer.from('x'));
      if (queue.takeLine('crlf', 1 << 20) !== undefined) early++;
    }
    expect(early).toBe(0);
    queue.push(Buffer.from('\r\n'));
    expect(queue.takeLine('crlf', 1 << 20)!.length).toBe(200_000);
  }, 10_000);
});
