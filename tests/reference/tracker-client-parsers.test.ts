/**
 * The tracker client's pure parts, fuzzed: the given bencode decoder against
 * the npm `bencode`, percent-encoding of every byte, and answers (HTTP and
 * UDP) that are random or cut short, which must give a typed error, never a
 * crash.
 */
import bencode from 'bencode';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeBencode } from '@impl/10-peer/bencode-decode.ts';
import { parseHttpAnnounceAnswer, percentEncodeBytes } from '@impl/10-peer/tracker-http.ts';
import { TrackerFailureError } from '@impl/10-peer/tracker-errors.ts';
import { parseUdpAnswer } from '@impl/10-peer/tracker-udp-messages.ts';
import { ProtocolError } from '../../lib/index.ts';

const URL = 'http://127.0.0.1:6969/announce';

/** Values bencode can carry (strings as bytes, integers safe). */
const bencodable: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.maxSafeInteger(), fc.uint8Array({ maxLength: 40 }), fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 })),
})).value;

describe('tracker client parsers', () => {
  test('the given decoder reads what the npm bencode writes, and refuses garbage with a ProtocolError', () => {
    fc.assert(fc.property(bencodable, (value) => {
      const bytes = Buffer.from(bencode.encode(value));
      expect(Buffer.from(bencode.encode(decodeBencode(bytes)))).toEqual(bytes);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
      try {
        decodeBencode(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }), { numRuns: 500 });
    expect(() => decodeBencode(Buffer.from('l'.repeat(100) + 'e'.repeat(100))), 'nesting is bounded').toThrow(ProtocolError);
  });

  test('percent-encodes each of the 256 byte values so that a byte-by-byte decoder gets it back', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const encoded = percentEncodeBytes(all);
    expect(encoded).toMatch(/^(%[0-9A-F]{2}|[A-Za-z0-9\-._~])+$/);
    expect(Buffer.from(encoded.replace(/%([0-9A-F]{2})|./g, (m, hex: string | undefined) => String.fromCharCode(hex ? parseInt(hex, 16) : m.charCodeAt(0))), 'latin1')).toEqual(all);
  });

  test('HTTP answers: peers6, odd peer lists, failure reasons; garbage is a ProtocolError', () => {
    const six = Buffer.concat([Buffer.alloc(15), Buffer.from([1, 0x1a, 0xe1])]);
    const answer = (value: unknown) => parseHttpAnnounceAnswer(Buffer.from(bencode.encode(value)), URL);
    expect(answer({ interval: 5, peers: Buffer.alloc(0), peers6: six })).toEqual({ intervalSeconds: 5, peers: [{ host: '::1', port: 6881 }] });
    expect(answer({ interval: 5, peers: Buffer.from([10, 0, 0, 1, 0, 0, 10, 0, 0, 2, 0, 80, 9]) }).peers, 'port 0 skipped, partial entry ignored').toEqual([{ host: '10.0.0.2', port: 80 }]);
    expect(answer({ interval: 5, peers: [{ ip: '10.0.0.1' }, 'junk', { ip: '10.0.0.3', port: 70_000 }, { ip: 'host.example', port: 6881 }] }).peers).toEqual([{ host: 'host.example', port: 6881 }]);
    expect(() => answer({ 'failure reason': 'go away', interval: 5 })).toThrow(TrackerFailureError);
    expect(() => answer({ peers: Buffer.alloc(0) }), 'no interval').toThrow(ProtocolError);
    expect(() => answer([1, 2]), 'not a dictionary').toThrow(ProtocolError);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      try {
        parseHttpAnnounceAnswer(bytes, URL);
      } catch (error) {
        expect(error instanceof ProtocolError || error instanceof TrackerFailureError ? 'a typed error' : String(error)).toBe('a typed error');
      }
    }), { numRuns: 500 });
  });

  test('UDP answers: short or unknown datagrams are ignored or a ProtocolError, never a crash', () => {
    expect(parseUdpAnswer(Buffer.alloc(7)), 'shorter than the header: not for us').toBeUndefined();
    expect(parseUdpAnswer(Buffer.from([0, 0, 0, 9, 0, 0, 0, 1])), 'an action a client never gets').toBeUndefined();
    expect(() => parseUdpAnswer(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 5])), 'a connect answer without its connection id').toThrow(ProtocolError);
    const six = Buffer.alloc(20 + 18);
    six.writeInt32BE(1, 0);
    six[20 + 15] = 1;
    six.writeUInt16BE(6881, 20 + 16);
    expect(parseUdpAnswer(six, true)).toMatchObject({ action: 'announce', response: { peers: [{ host: '::1', port: 6881 }] } });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), fc.boolean(), (bytes, ipv6) => {
      try {
        parseUdpAnswer(Buffer.from(bytes), ipv6);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }), { numRuns: 500 });
  });
});
