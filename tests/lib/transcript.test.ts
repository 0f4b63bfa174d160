import { describe, expect, test } from 'vitest';
import { Transcript, type TranscriptDecoder } from '../../lib/transcript/transcript.ts';
import { renderTranscript, transcriptLines } from '../../lib/transcript/render.ts';
import { decodeTextLine } from '../../lib/transcript/decode.ts';

/** Lines without the indent, easier to compare. */
const render = (t: Transcript, options = {}) => renderTranscript(t, options).split('\n').map((l) => l.replace(/^ {2}/, ''));

describe('text protocols', () => {
  test('printable lines are shown as C:/S: text, line ends removed', () => {
    const t = new Transcript();
    t.record('server', '220 a.test ESMTP\r\n');
    t.record('client', 'EHLO b.test\r\n');
    t.record('server', '250-a.test\r\n250 SIZE 1000\r\n');
    expect(render(t)).toEqual(['S: 220 a.test ESMTP', 'C: EHLO b.test', 'S: 250-a.test', 'S: 250 SIZE 1000']);
  });

  test('a line split across chunks is shown once, where it started', () => {
    const t = new Transcript();
    t.record('client', 'MAIL FR');
    t.record('client', 'OM:<alice@a.');
    t.record('server', '*'); // the other side speaks in the middle (unusual, but possible)
    t.record('client', 'test>\r\nRCPT TO:<bob@b.test>\r\n');
    t.record('server', ' hi\r\n');
    expect(render(t)).toEqual(['C: MAIL FROM:<alice@a.test>', 'S: * hi', 'C: RCPT TO:<bob@b.test>']);
  });

  test('bare LF ends a line too; a stream that stops mid-line says so', () => {
    const t = new Transcript();
    t.record('client', 'one\ntwo\r\nthree');
    expect(render(t)).toEqual(['C: one', 'C: two', 'C: three  (no line end)']);
  });

  test('UTF-8 text stays text; a CR inside a line is made visible', () => {
    const t = new Transcript();
    t.record('client', 'Subject: café\r\nbad\rline\r\n');
    expect(render(t)).toEqual(['C: Subject: café', 'C: bad\\rline']);
  });
});

describe('binary protocols', () => {
  test('bytes that are not text are shown as a hex preview', () => {
    const t = new Transcript();
    t.record('client', Buffer.from([0x13, 0x42, 0x69, 0x74, 0x00]));
    t.record('server', Buffer.alloc(100, 0xff));
    const lines = render(t);
    expect(lines[0]).toBe('C: <5 bytes> 13 42 69 74 00');
    expect(lines[1]).toMatch(/^S: <100 bytes> (ff ){23}ff …$/);
  });

  /** A small peer-wire decoder: a 68-byte handshake, then <len:4><id:1><payload>. */
  const peerWire: TranscriptDecoder = (bytes, { offset }) => {
    if (offset === 0) return bytes.length < 68 ? null : { text: 'handshake', length: 68 };
    if (bytes.length < 4) return null;
    const length = 4 + bytes.readUInt32BE(0);
    if (bytes.length < length) return null;
    if (length === 4) return { text: 'keep-alive', length };
    const names: Record<number, (p: Buffer) => string> = {
      2: () => 'interested',
      5: (p) => `bitfield ${p.length * 8} pieces`,
      6: (p) => `request ${p.readUInt32BE(0)} ${p.readUInt32BE(4)} ${p.readUInt32BE(8)}`,
      7: (p) => `piece ${p.readUInt32BE(0)} ${p.readUInt32BE(4)} (${p.length - 8} bytes)`,
    };
    const name = names[bytes[4]!];
    return { text: name ? name(bytes.subarray(5, length)) : `message ${bytes[4]}`, length };
  };
  const message = (id: number, payload: Buffer = Buffer.alloc(0)) => {
    const head = Buffer.alloc(5);
    head.writeUInt32BE(1 + payload.length, 0);
    head[4] = id;
    return Buffer.concat([head, payload]);
  };
  const u32s = (...n: number[]) => Buffer.concat(n.map((v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; }));

  test('a decoder names the messages, even when they arrive in pieces and interleaved', () => {
    const t = new Transcript(peerWire);
    const handshake = Buffer.alloc(68, 1);
    const piece = message(7, Buffer.concat([u32s(3, 0), Buffer.alloc(1000, 0xab)]));
    t.record('client', handshake.subarray(0, 20));
    t.record('client', Buffer.concat([handshake.subarray(20), message(2)]));
    t.record('server', Buffer.concat([handshake, message(5, Buffer.alloc(2, 0xff))]));
    t.record('client', message(6, u32s(3, 0, 16384)));
    t.record('server', piece.subarray(0, 7));
    t.record('client', Buffer.alloc(4)); // keep-alive while the piece is still arriving
    t.record('server', piece.subarray(7));
    expect(render(t)).toEqual([
      'C: handshake', 'C: interested', 'S: handshake', 'S: bitfield 16 pieces',
      'C: request 3 0 16384', 'S: piece 3 0 (1000 bytes)', 'C: keep-alive',
    ]);
  });

  test('a message cut off at the end of the transcript is shown as incomplete', () => {
    const t = new Transcript(peerWire);
    t.record('client', Buffer.alloc(68));
    t.record('client', message(6, u32s(1, 2, 3)).subarray(0, 9));
    expect(render(t)).toEqual(['C: handshake', 'C: <9 bytes> 00 00 00 0d 06 00 00 00 01  (incomplete)']);
  });

  test('a decoder that throws falls back to hex and says why', () => {
    const t = new Transcript(() => { throw new Error('boom'); });
    t.record('server', Buffer.from([1, 2]));
    expect(render(t)).toEqual(['S: <2 bytes> 01 02  (decoder failed: boom)']);
  });

  test('a custom decoder can fall back to the text decoder', () => {
    const t = new Transcript((bytes, context) => (bytes[0] === 0x13 ? { text: 'handshake', length: 1 } : decodeTextLine(bytes, context)));
    t.record('client', Buffer.from('\x13GET / HTTP/1.1\r\n', 'latin1'));
    expect(render(t)).toEqual(['C: handshake', 'C: GET / HTTP/1.1']);
  });
});

describe('datagrams', () => {
  test('each datagram is one message, never merged with the next', () => {
    const t = new Transcript();
    t.record('client', 'ping 1', { datagram: true });
    t.record('client', 'ping 2\n', { datagram: true, fault: 'dropped' });
    t.record('server', Buffer.from([0, 0, 4, 0x17]), { datagram: true });
    t.record('server', '', { datagram: true });
    expect(render(t)).toEqual(['C: ping 1', 'C: ping 2  [dropped]', 'S: <4 bytes> 00 00 04 17', 'S: <empty datagram>']);
  });

  test('the decoder sees one datagram at a time', () => {
    const seen: boolean[] = [];
    const t = new Transcript((bytes, context) => {
      seen.push(context.datagram);
      return { text: `action ${bytes[0]}`, length: bytes.length };
    });
    t.record('client', Buffer.from([0, 9, 9]), { datagram: true });
    t.record('server', Buffer.from([1]), { datagram: true });
    expect(render(t)).toEqual(['C: action 0', 'S: action 1']);
    expect(seen).toEqual([true, true]);
  });
});

describe('marking where the exchange went wrong', () => {
  test('the note goes on the latest entry, the first mark wins', () => {
    const t = new Transcript();
    t.record('client', 'DATA\r\n');
    t.record('server', '250 OK\r\n');
    t.expect('expected 354 (start mail input) after DATA');
    t.record('client', 'QUIT\r\n');
    t.expect('a later mark is ignored');
    expect(renderTranscript(t)).toBe(['  C: DATA', '  S: 250 OK             <- expected 354 (start mail input) after DATA', '  C: QUIT'].join('\n'));
    expect(t.note).toBe('expected 354 (start mail input) after DATA');
  });

  test('a direction picks the latest entry of that side', () => {
    const t = new Transcript();
    t.record('server', '250 OK\r\n');
    t.record('client', 'RCPT TO:<x>\r\n');
    t.expect('expected 354', 'server');
    expect(render(t)[0]).toMatch(/^S: 250 OK +<- expected 354$/);
  });

  test('the mark lands on its own line when the same side keeps talking', () => {
    const t = new Transcript();
    t.record('server', '250 OK\r\n');
    t.expect('expected 354');
    t.record('server', '221 Bye\r\n');
    const lines = transcriptLines(t);
    expect(lines.map((l) => [l.text, l.note])).toEqual([['250 OK', 'expected 354'], ['221 Bye', undefined]]);
  });

  test('a mark with nothing recorded is still shown', () => {
    const t = new Transcript();
    expect(t.isEmpty).toBe(true);
    t.expect('expected a greeting from the server');
    expect(t.isEmpty).toBe(false);
    expect(render(t)).toEqual([expect.stringMatching(/^\(nothing was recorded\) +<- expected a greeting from the server$/)]);
  });
});

describe('long dialogues stay readable', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}\r\n`).join('');

  test('only the last lines are kept, with a count of the rest', () => {
    const t = new Transcript();
    t.record('client', lines(200));
    const out = render(t, { maxLines: 10 });
    expect(out).toHaveLength(10);
    expect(out[0]).toBe('… 191 earlier lines');
    expect(out.at(-1)).toBe('C: line 199');
  });

  test('an early mark stays in view', () => {
    const t = new Transcript();
    t.record('client', lines(50));
    t.record('server', 'oops\r\n');
    t.expect('expected nothing yet');
    t.record('client', lines(150));
    const out = render(t, { maxLines: 12 });
    expect(out).toHaveLength(12);
    expect(out[0]).toMatch(/^… \d+ earlier lines$/);
    expect(out.at(-1)).toMatch(/^… \d+ later lines$/);
    expect(out.some((l) => /^S: oops +<- expected nothing yet$/.test(l))).toBe(true);
  });

  test('a long line is cut with a count', () => {
    const t = new Transcript();
    t.record('client', `${'x'.repeat(1000)}\r\n`);
    const [line] = render(t, { maxLineChars: 50 });
    expect(line).toBe(`C: ${'x'.repeat(30)}… (+970 chars)`);
  });

  test('bytes past maxBytes are counted, not kept', () => {
    const t = new Transcript(undefined, { maxBytes: 10 });
    t.record('client', 'HELO a\r\n');
    t.record('client', 'MAIL FROM:<a>\r\n');
    t.expect('expected 250');
    expect(t.omitted).toEqual({ chunks: 1, bytes: 15 });
    expect(render(t)).toEqual(['C: HELO a', '… 1 more chunk (15 bytes) not kept', expect.stringMatching(/^\(end of transcript\) +<- expected 250$/)]);
  });

  test('timestamps are optional and relative to the start', async () => {
    const t = new Transcript();
    t.record('client', 'a\r\n');
    await new Promise((r) => setTimeout(r, 20));
    t.record('server', 'b\r\n');
    const [first, second] = render(t, { timestamps: true });
    expect(first).toMatch(/^\+0\.0\d\ds C: a$/);
    expect(second).toMatch(/^\+0\.\d{3}s S: b$/);
    expect(transcriptLines(t)[1]!.at).toBeGreaterThanOrEqual(15);
  });

  test('a line that never ends, while the other side keeps talking, shows once', () => {
    const t = new Transcript();
    for (let i = 0; i < 2000; i++) {
      t.record('client', 'ab');
      t.record('server', 'x');
    }
    const [client, server] = render(t, { maxLineChars: 40 });
    expect(client).toBe(`C: ${'ab'.repeat(10)}… (+3980 chars)  (no line end)`);
    expect(server).toBe(`S: ${'x'.repeat(20)}… (+1980 chars)  (no line end)`);
  });

  test('recording copies the bytes', () => {
    const t = new Transcript();
    const buffer = Buffer.from('abc\n');
    t.record('client', buffer);
    buffer.fill(0x21);
    expect(render(t)).toEqual(['C: abc']);
  });
});
