/**
 * The peer-wire transcript decoder (lib/transcript/peer-wire.ts): bytes
 * built here at BEP 3's offsets, rendered as the lines a student reads.
 */
import { describe, expect, test } from 'vitest';
import { Transcript } from '../../lib/transcript/transcript.ts';
import { renderTranscript } from '../../lib/transcript/render.ts';
import { peerWireDecoder } from '../../lib/transcript/peer-wire.ts';

const render = (t: Transcript) => renderTranscript(t, { decoder: peerWireDecoder }).split('\n').map((l) => l.replace(/^ {2}/, '').trimEnd());

const infoHash = Buffer.from('5fb2a1c0d3e4f5061728394a5b6c7d8e9fa0b1c2', 'hex');

function handshake(peerId: Buffer, reserved = Buffer.alloc(8)): Buffer {
  return Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, infoHash, peerId]);
}

function message(id: number, ...parts: Buffer[]): Buffer {
  const payload = Buffer.concat([Buffer.from([id]), ...parts]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(payload.length);
  return Buffer.concat([length, payload]);
}

function u32(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32BE(v, i * 4));
  return out;
}

describe('peer wire transcripts', () => {
  test('every message of BEP 3 gets its name and numbers', () => {
    const t = new Transcript();
    t.record('client', handshake(Buffer.from('-WL0100-abcdefghijkl')));
    t.record('server', handshake(Buffer.from('-qB4650-mnopqrstuvwx'), Buffer.from([0, 0, 0, 0, 0, 0x10, 0, 1])));
    t.record('server', message(5, Buffer.from([0b10110000, 0b10000000])));
    t.record('client', message(2));
    t.record('server', message(1));
    t.record('client', message(6, u32(3, 0, 16384)));
    t.record('server', message(7, u32(3, 0), Buffer.alloc(16384)));
    t.record('client', message(8, u32(3, 16384, 16384)));
    t.record('client', message(4, u32(3)));
    t.record('server', Buffer.alloc(4));
    t.record('server', message(0));
    t.record('client', message(3));
    t.record('server', message(9, Buffer.from([0x1a, 0xe1])));
    t.record('server', message(20, Buffer.alloc(37)));
    expect(render(t)).toEqual([
      'C: handshake 5fb2a1c0d3e4f506… -WL0100-abcdefghijkl',
      'S: handshake 5fb2a1c0d3e4f506… -qB4650-mnopqrstuvwx  (reserved 0000000000100001)',
      'S: bitfield 1011000010000000',
      'C: interested',
      'S: unchoke',
      'C: request 3 0 16384',
      'S: piece 3 0 <16384 bytes>',
      'C: cancel 3 16384 16384',
      'C: have 3',
      'S: keep-alive',
      'S: choke',
      'C: not interested',
      'S: port 6881',
      'S: unknown id 20 (37 bytes)',
    ]);
  });

  test('messages split across reads, or several in one read, show one line each', () => {
    const t = new Transcript();
    const bytes = Buffer.concat([handshake(Buffer.from('-WL0100-abcdefghijkl')), message(2), message(6, u32(1, 16384, 16384))]);
    for (let at = 0; at < bytes.length; at += 7) t.record('client', bytes.subarray(at, at + 7));
    expect(render(t)).toEqual(['C: handshake 5fb2a1c0d3e4f506… -WL0100-abcdefghijkl', 'C: interested', 'C: request 1 16384 16384']);
  });

  test('a peer_id that is not text shows as hex', () => {
    const t = new Transcript();
    t.record('client', handshake(Buffer.alloc(20, 0xfe)));
    expect(render(t)).toEqual([`C: handshake 5fb2a1c0d3e4f506… ${'fe'.repeat(20)}`]);
  });

  test('garbage first bytes and impossible lengths are named, not waited for', () => {
    const t = new Transcript();
    t.record('client', Buffer.from([0x8f, 0x01, 0x02, 0x03]));
    t.record('server', handshake(Buffer.from('-WL0100-abcdefghijkl')));
    t.record('server', Buffer.from([0xff, 0xff, 0xff, 0xff, 7, 1, 2]));
    expect(render(t)).toEqual([
      'C: not a handshake: <4 bytes> 8f 01 02 03',
      'S: handshake 5fb2a1c0d3e4f506… -WL0100-abcdefghijkl',
      'S: <len=4294967295> id 7: longer than any message (the rest not decoded)',
    ]);
  });

  test('a message of the wrong length says so; a cut-off one is incomplete', () => {
    const t = new Transcript();
    t.record('client', handshake(Buffer.from('-WL0100-abcdefghijkl')));
    t.record('client', message(4, u32(3, 4)));
    t.record('client', message(7, u32(1, 0), Buffer.alloc(10)).subarray(0, 12));
    const lines = render(t);
    expect(lines.slice(0, 2)).toEqual(['C: handshake 5fb2a1c0d3e4f506… -WL0100-abcdefghijkl', 'C: have of a wrong length (9 bytes)']);
    expect(lines[2]).toMatch(/^C: <12 bytes> 00 00 00 13 07 .*\(incomplete\)$/);
  });

  test('the first wrong message is marked', () => {
    const t = new Transcript(peerWireDecoder);
    t.record('client', handshake(Buffer.from('-WL0100-abcdefghijkl')));
    t.record('server', handshake(Buffer.from('-WL0100-mnopqrstuvwx')));
    t.record('client', message(6, u32(0, 0, 16384)));
    t.record('server', message(7, u32(0, 16384), Buffer.alloc(4)));
    t.expect('expected piece 0 0 (the block requested)');
    expect(renderTranscript(t).split('\n').at(-1)).toBe('  S: piece 0 16384 <4 bytes>  <- expected piece 0 0 (the block requested)');
  });
});
