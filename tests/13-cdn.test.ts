/**
 * Exercise 13, a small CDN, graded in two parts.
 *
 * Part 1 (steps 1–7), the DNS half: an authoritative DNS server that sends
 * each client to its nearest edge. The pure parts (reader, names, writer,
 * header, question, EDNS, region map, the answer function) are judged without
 * sockets; queries are built and responses decoded by the `dns-packet`
 * package from npm, never by the code under test. The server is then judged
 * over UDP, by our client and by Node's own resolver (`dns.promises.Resolver`,
 * which is c-ares, a C library that has never seen this code).
 *
 * Part 2 (steps 8–16), the caching edge. The pure parts (request parser,
 * LRU, cache policy, ranges) are judged without sockets; the edge itself by
 * a raw-socket client written from RFC 9112 (tests/helpers/http-raw.ts:
 * exact status lines and fields, pipelining, malformed and slow requests)
 * and by Node's own `fetch` (undici, not our code), in front of the given
 * origin (origin.ts, the same file in exercises/ and solutions/). Time is a
 * manual clock shared by origin and edge, so ages grow without waiting.
 */
import { Resolver } from 'node:dns/promises';
import dnsPacket, { type PacketOpt } from 'dns-packet';
import { describe, expect } from 'vitest';
import { DnsReader } from '@impl/13-cdn/dns-reader.ts';
import { decodeName, nameText } from '@impl/13-cdn/dns-name.ts';
import { DnsWriter } from '@impl/13-cdn/dns-writer.ts';
import { encodeHeader, parseHeader } from '@impl/13-cdn/dns-header.ts';
import { parseQuestion } from '@impl/13-cdn/dns-question.ts';
import { readEdns } from '@impl/13-cdn/dns-edns.ts';
import { chooseEdge, compileRegionMap, defaultRegions, formatIp, parseCidr, parseIp } from '@impl/13-cdn/regions.ts';
import { answerQuery } from '@impl/13-cdn/dns-answer.ts';
import { startDnsServer } from '@impl/13-cdn/dns-server.ts';
import { buildZone } from '@impl/13-cdn/dns-zone.ts';
import { DnsFormatError, type DnsFormatErrorKind } from '@impl/13-cdn/dns-errors.ts';
import type { DnsAnswer, DnsQueryEvent, DnsServer, DnsServerOptions, DnsZone } from '@impl/13-cdn/dns-types.ts';
import { parseRequestHead } from '@impl/13-cdn/http-request.ts';
import { HttpRequestError } from '@impl/13-cdn/http-errors.ts';
import { LruCache } from '@impl/13-cdn/lru-cache.ts';
import { parseCacheControl } from '@impl/13-cdn/cache-control.ts';
import { ageFieldValue, correctedInitialAge, isFresh, refreshed, revalidationFields, storability, toStored } from '@impl/13-cdn/cache-policy.ts';
import { contentRange, decideRange, unsatisfiedRange } from '@impl/13-cdn/byte-range.ts';
import { startEdge } from '@impl/13-cdn/edge.ts';
import { startOrigin, type Origin, type OriginOptions, type OriginRequestEvent } from '@impl/13-cdn/origin.ts';
import type { Edge, EdgeOptions } from '@impl/13-cdn/edge-types.ts';
import { bindUdp, mulberry32, startUdpFaultProxy, type Transcript } from '../lib/index.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { DnsJudge, buildQuery, decodeResponse, dnsDecoder, optOf, subnetOf, type DecodedDns } from './helpers/dns-judge.ts';
import { hasIPv6Loopback } from './helpers/udp-responder.ts';
import { CONTENT, ManualClock, fingerprint, liveIsNoStore, makeContent } from './helpers/cdn-content.ts';
import { RawHttpClient, request } from './helpers/http-raw.ts';

const test = graded('13-cdn', {
  'the reader refuses to read past the end, with a typed error': 1,
  'decodes names, with and without compression pointers': 2,
  'refuses pointer loops, forward pointers and pointers into the header': 2,
  'refuses reserved label types and names over 255 bytes': 1,
  'the writer compresses names into pointers to earlier ones': 2,
  'reads and writes the 12-byte header at the RFC 1035 offsets': 2,
  'reads the question of a query built by dns-packet': 1,
  'reads the OPT record and its Client Subnet option': 2,
  'refuses malformed Client Subnet options and a second OPT record': 2,
  'parses CIDR blocks and picks the longest matching region': 2,
  'the scope is the prefix that decided the edge': 1,
  'answers an A query with the nearest edge, decoded by dns-packet': 3,
  'names the answer with a pointer to the question (0xC00C)': 1,
  'steers by the Client Subnet option and echoes it with its scope': 3,
  'keeps the case of the question (0x20)': 1,
  'NXDOMAIN with the zone SOA for an unknown name in the zone': 2,
  'NODATA for AAAA and other types of a known name': 1,
  'REFUSED for names outside the zone': 1,
  'FORMERR for malformed queries, silence for garbage and responses': 2,
  'answers over UDP, on IPv4 and IPv6': 2,
  "Node's resolver (c-ares) resolves video.cdn.test to the nearest edge": 2,
  "Node's resolver sees NXDOMAIN, NODATA and REFUSED": 1,
  'garbage datagrams never crash it: it answers afterwards': 2,
  'reports every datagram to onQuery': 1,
  'step 8: parses the request line, the header fields and Host': 2,
  'step 8: refuses malformed heads with 400, a missing Host included': 2,
  'step 8: 414 for an overlong request line, 431 for too many or too large fields, 505 for HTTP/2.0': 2,
  'step 8: tells a kept-alive connection from one that closes': 1,
  'step 9: the LRU evicts the least recently used entries until the bytes fit': 2,
  'step 9: a get makes an entry the most recent; one larger than the cache is not stored': 2,
  'step 10: reads Cache-Control: max-age, s-maxage, no-store, no-cache, private': 1,
  'step 10: stores a 200 with max-age, never no-store, private or a 404': 2,
  'step 10: computes Age as RFC 9111 §4.2.3 says': 2,
  'step 10: fresh while the age is under max-age; revalidates with If-None-Match; a 304 refreshes': 2,
  'step 11: decides byte ranges: A-B, A-, -N, clamped, 416 past the end, the rest ignored': 2,
  'step 12: answers GET with an exact status line, Content-Length, X-Cache and Age': 2,
  'step 12: keeps the connection for pipelined requests and closes on Connection: close': 2,
  'step 12: answers HEAD with the fields of GET and no body': 1,
  'step 12: answers POST with 405 and Allow': 1,
  'step 12: a malformed request gets 400 and the connection closes; the edge serves on': 2,
  'step 12: 414 for an overlong request line and 431 for huge fields, then close': 2,
  'step 12: a request that is too slow gets 408 and the connection closes': 2,
  'step 13: the second fetch is a HIT and the origin sees one request': 2,
  'step 13: Age grows while the edge holds the object': 2,
  'step 13: no-store is never cached': 2,
  'step 13: a stale entry is revalidated with If-None-Match; the 304 refreshes it': 3,
  'step 13: an object that changed at the origin is fetched anew once stale': 1,
  'step 13: a client that has the current ETag gets 304 from the edge, without asking the origin': 1,
  'step 13: the cache stays within cacheBytes, evicting the least recently used': 1,
  'step 14: ten concurrent misses for one object cost one origin fetch': 3,
  'step 15: a dead origin gives 502 in bounded time while cached objects are still served': 3,
  'step 15: a slow origin gives 504 in bounded time': 2,
  'step 15: a stale object is served (X-Cache: STALE) while the origin is down': 1,
  'step 16: serves a Range from the cache with 206 and the exact bytes': 2,
  'step 16: 416 for a range past the end, with bytes */size': 1,
});

const track = closeAfterEach();

/** dns-packet's own name decoder (exported, though its types leave it out). */
const packetName = (dnsPacket as unknown as { name: { decode(buffer: Buffer, offset: number): string } }).name;

/** Bytes from numbers (one byte each), strings (their ASCII bytes) and buffers. */
function wire(...parts: Array<number | string | Uint8Array>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

/** A message: a 12-byte header (id 0x0102, nothing counted) then `body`. */
function message(...body: Array<number | string | Uint8Array>): Buffer {
  return wire(Buffer.from([1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ...body);
}

/** The DnsFormatError `run` throws (failing the test if it throws nothing, or something else). */
function formatError(run: () => unknown, why: string): { kind: DnsFormatErrorKind; offset: number } {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${why}: expected a DnsFormatError`).toBeInstanceOf(DnsFormatError);
  const error = thrown as DnsFormatError;
  return { kind: error.kind, offset: error.offset };
}

/** Answers `query` as coming from `source` and decodes the response with dns-packet, recording both. */
function ask(query: Buffer, source: string, transcript: Transcript, zone: DnsZone = buildZone()): { answer: DnsAnswer; decoded: DecodedDns } {
  transcript.decoder = dnsDecoder;
  transcript.record('client', query, { datagram: true });
  const answer = answerQuery(query, source, zone);
  if (answer === undefined) {
    transcript.expect('expected a response, got silence');
    expect.fail('answerQuery returned undefined (silence) for a query it must answer');
  }
  transcript.record('server', answer.response, { datagram: true });
  let decoded: DecodedDns;
  try {
    decoded = decodeResponse(answer.response);
  } catch (error) {
    transcript.expect('dns-packet cannot decode this response');
    throw error;
  }
  return { answer, decoded };
}

/** The records of a section, as the fields a test compares. */
function records(section: DecodedDns['answers']): Array<{ name: string; type: string; ttl?: number; data?: unknown }> {
  return (section ?? []).filter((r) => r.type !== 'OPT').map((r) => ({ name: r.name, type: r.type, ttl: 'ttl' in r ? r.ttl : undefined, data: 'data' in r ? r.data : undefined }));
}

/** The A record an edge answer should hold. */
const aRecord = (name: string, address: string, ttl = 20) => ({ name, type: 'A', ttl, data: address });

describe('step 1: reading bytes and names', () => {
  test('the reader refuses to read past the end, with a typed error', () => {
    const reader = new DnsReader(Buffer.from([0x12, 0x34, 0x56, 0x78, 0x9a]), 0);
    expect(reader.u16()).toBe(0x1234);
    expect(reader.u8()).toBe(0x56);
    expect(reader.remaining).toBe(2);
    expect(formatError(() => reader.u32(), 'a u32 with 2 bytes left')).toEqual({ kind: 'truncated', offset: 3 });
    expect(reader.offset, 'a read that failed moves nothing').toBe(3);
    expect(reader.u16()).toBe(0x789a);
    expect(formatError(() => reader.u8(), 'a byte past the end').kind).toBe('truncated');
    const second = new DnsReader(Buffer.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 7, 8, 9]), 0);
    expect(second.u32()).toBe(1);
    expect(second.u32(), 'unsigned, never negative').toBe(0xffffffff);
    expect(second.bytes(2)).toEqual(Buffer.from([7, 8]));
    expect(formatError(() => second.bytes(2), 'two bytes with one left').kind).toBe('truncated');
    expect(formatError(() => second.skip(5), 'skipping past the end').kind).toBe('truncated');
  });

  test('decodes names, with and without compression pointers', () => {
    const m = message(
      5, 'video', 3, 'cdn', 4, 'test', 0, //   @12 video.cdn.test
      3, 'www', 0xc0, 18, //                   @28 www + pointer to "cdn.test" at 18
      0xc0, 12, //                             @34 a pointer to the whole name at 12
      0, //                                    @36 the root
      4, 'mail', 0xc0, 28, //                  @37 mail + pointer to www… (itself a pointer)
    );
    expect(decodeName(m, 12)).toEqual({ labels: ['video', 'cdn', 'test'], offsets: [12, 18, 22], end: 28 });
    expect(decodeName(m, 28)).toEqual({ labels: ['www', 'cdn', 'test'], offsets: [28, 18, 22], end: 34 });
    expect(decodeName(m, 34)).toEqual({ labels: ['video', 'cdn', 'test'], offsets: [12, 18, 22], end: 36 });
    expect(decodeName(m, 36)).toEqual({ labels: [], offsets: [], end: 37 });
    expect(decodeName(m, 37)).toEqual({ labels: ['mail', 'www', 'cdn', 'test'], offsets: [37, 28, 18, 22], end: 44 });
    expect(nameText(decodeName(m, 37).labels)).toBe('mail.www.cdn.test');
    expect(nameText([])).toBe('.');
    // A label of 63 bytes (the most there is); bytes that are not printable are escaped as dig shows them.
    const long = 'x'.repeat(63);
    expect(decodeName(message(63, long, 0), 12).labels).toEqual([long]);
    expect(decodeName(message(5, 'a.b', 0x00, ' ', 3, 'C\\D', 0), 12).labels).toEqual(['a\\.b\\000\\032', 'C\\\\D']);
  });

  test('refuses pointer loops, forward pointers and pointers into the header', () => {
    expect(formatError(() => decodeName(message(0xc0, 12), 12), 'a pointer to itself')).toEqual({ kind: 'bad-pointer', offset: 12 });
    expect(formatError(() => decodeName(message(0xc0, 14, 0), 12), 'a pointer forward')).toEqual({ kind: 'bad-pointer', offset: 12 });
    expect(formatError(() => decodeName(message(1, 'a', 0xc0, 12), 12), 'a label, then a pointer back to it')).toEqual({ kind: 'bad-pointer', offset: 14 });
    // @16: b, @18: c, @20: pointer to 16: from 20 it jumps back to 16, reads b and c, meets the same pointer again.
    const loop = message(1, 'x', 0, 0, 1, 'b', 1, 'c', 0xc0, 16);
    expect(formatError(() => decodeName(loop, 20), 'two names pointing at each other').kind).toBe('bad-pointer');
    expect(formatError(() => decodeName(loop, 18), 'the same loop entered in the middle').kind).toBe('bad-pointer');
    expect(formatError(() => decodeName(message(0xc0, 5), 12), 'a pointer into the header')).toEqual({ kind: 'bad-pointer', offset: 12 });
    expect(formatError(() => decodeName(message(1, 'a', 0xc0), 12), 'half a pointer').kind).toBe('truncated');
  });

  test('refuses reserved label types and names over 255 bytes', () => {
    expect(formatError(() => decodeName(message(0x40, 'a', 0), 12), 'length byte 0x40')).toEqual({ kind: 'bad-label-type', offset: 12 });
    expect(formatError(() => decodeName(message(1, 'a', 0x80, 0), 12), 'length byte 0x80')).toEqual({ kind: 'bad-label-type', offset: 14 });
    expect(formatError(() => decodeName(message(5, 'abc'), 12), 'a label longer than the message').kind).toBe('truncated');
    expect(formatError(() => decodeName(message(3, 'abc'), 12), 'no final zero byte').kind).toBe('truncated');
    const label = (c: string) => [63, c.repeat(63)] as const;
    // 3 × (1 + 63) + (1 + 61) + 1 = 255 bytes: the longest name there is.
    expect(decodeName(message(...label('a'), ...label('b'), ...label('c'), 61, 'd'.repeat(61), 0), 12).labels).toHaveLength(4);
    expect(formatError(() => decodeName(message(...label('a'), ...label('b'), ...label('c'), 62, 'd'.repeat(62), 0), 12), 'a 256-byte name').kind).toBe('name-too-long');
    // Four 63-byte labels chained by pointers: each piece is short, the name is 257 bytes.
    const chained = message(...label('a'), 0, ...label('b'), 0xc0, 12, ...label('c'), 0xc0, 77, ...label('d'), 0xc0, 143);
    expect(formatError(() => decodeName(chained, 209), 'a 257-byte name made of pointers').kind).toBe('name-too-long');
  });
});

describe('step 2: writing names with compression', () => {
  test('the writer compresses names into pointers to earlier ones', () => {
    const w = new DnsWriter();
    w.bytes(Buffer.alloc(12));
    w.name('video.cdn.test');
    expect(w.offset).toBe(28);
    w.name('VIDEO.cdn.test'); // @28: the same name in another case
    w.name('ns.cdn.test'); //    @30: a new label, then the suffix at 18
    w.name('cdn.test'); //       @35
    w.name('a.example'); //      @37: nothing to share
    w.name('.'); //              @48
    w.u16(0xbeef);
    w.u32(0xdeadbeef);
    const out = w.finish();
    expect(out.subarray(28)).toEqual(wire(0xc0, 12, 2, 'ns', 0xc0, 18, 0xc0, 18, 1, 'a', 7, 'example', 0, 0, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef));
    // An independent decoder reads them back.
    expect([12, 28, 30, 35, 37].map((at) => packetName.decode(out, at))).toEqual(['video.cdn.test', 'video.cdn.test', 'ns.cdn.test', 'cdn.test', 'a.example']);

    // A name already in the message (a question copied byte for byte) is remembered too.
    const r = new DnsWriter();
    r.bytes(message(5, 'Video', 3, 'CDN', 4, 'test', 0));
    r.rememberName(['Video', 'CDN', 'test'], [12, 18, 22]);
    r.name('video.cdn.test');
    r.name('hostmaster.cdn.test');
    const at = r.offset;
    r.u16(0);
    r.patchU16(at, 4);
    expect(r.finish().subarray(28)).toEqual(wire(0xc0, 12, 10, 'hostmaster', 0xc0, 18, 0, 4));
    expect(() => new DnsWriter().name(`${'x'.repeat(64)}.test`), 'a 64-byte label cannot be written').toThrow(RangeError);
  });
});

describe('step 3: header and question', () => {
  test('reads and writes the 12-byte header at the RFC 1035 offsets', () => {
    const query = dnsPacket.encode({
      type: 'query',
      id: 0xbeef,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED,
      questions: [{ name: 'video.cdn.test', type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
    expect(parseHeader(query)).toEqual({ id: 0xbeef, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: true, rcode: 0, qdcount: 1, ancount: 0, nscount: 0, arcount: 1 });
    // opcode 4 (NOTIFY) and TC: flags 0x2200; QR, AA, RA, AD and rcode 5: 0x84a5.
    expect(parseHeader(Buffer.from([0, 7, 0x22, 0x00, 0, 0, 0, 2, 0, 3, 0, 4]))).toMatchObject({ id: 7, opcode: 4, tc: true, qr: false, ancount: 2, nscount: 3, arcount: 4 });
    expect(parseHeader(Buffer.from([0, 7, 0x84, 0xa5, 0, 1, 0, 0, 0, 0, 0, 0]))).toMatchObject({ qr: true, aa: true, ra: true, ad: true, rd: false, rcode: 5 });
    expect(formatError(() => parseHeader(Buffer.alloc(11)), 'an 11-byte message').kind).toBe('truncated');

    const header = encodeHeader({ id: 0xabcd, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 3, qdcount: 1, ancount: 0, nscount: 1, arcount: 0 });
    expect(header).toEqual(Buffer.from([0xab, 0xcd, 0x85, 0x03, 0, 1, 0, 0, 0, 1, 0, 0]));
    const flags = decodeResponse(encodeHeader({ id: 0xabcd, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: false, ad: false, cd: true, rcode: 3, qdcount: 0, ancount: 0, nscount: 0, arcount: 0 }));
    expect({ id: flags.id, qr: flags.flag_qr, aa: flags.flag_aa, rd: flags.flag_rd, cd: flags.flag_cd, ra: flags.flag_ra, rcode: flags.rcode }, 'as dns-packet reads it').toEqual({ id: 0xabcd, qr: true, aa: true, rd: true, cd: true, ra: false, rcode: 'NXDOMAIN' });
    expect(encodeHeader({ ...parseHeader(Buffer.from([0, 1, 0x28, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])) })[2], 'opcode 5 (UPDATE) sits in bits 11–14').toBe(0x28);
  });

  test('reads the question of a query built by dns-packet', () => {
    const query = buildQuery({ name: 'Video.CDN.test', type: 'AAAA' });
    expect(parseQuestion(query, 12)).toEqual({
      name: 'Video.CDN.test',
      labels: ['Video', 'CDN', 'test'],
      offsets: [12, 18, 22],
      type: 28,
      class: 1,
      end: 32,
      bytes: query.subarray(12, 32),
    });
    expect(parseQuestion(buildQuery({ name: 'cdn.test', type: 'SOA' }), 12)).toMatchObject({ name: 'cdn.test', type: 6, class: 1, end: 26 });
    expect(formatError(() => parseQuestion(query.subarray(0, 30), 12), 'QCLASS cut off').kind).toBe('truncated');
  });
});

/** A query for video.cdn.test A whose additional section is `records` (raw bytes), ARCOUNT set to `count`. */
function withAdditional(count: number, ...records: Array<number | string | Uint8Array>): Buffer {
  const base = buildQuery({ edns: false });
  base.writeUInt16BE(count, 10);
  return wire(base, ...records);
}

/** An OPT record holding the given option bytes. */
function optRecord(...options: Array<number | string | Uint8Array>): Buffer {
  const data = wire(...options);
  return wire(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, data.length >> 8, data.length & 0xff, data);
}

/** A Client Subnet option: code 8, length, FAMILY, SOURCE, SCOPE, address bytes. */
function ecsOption(family: number, source: number, scope: number, ...address: number[]): Buffer {
  return wire(0, 8, 0, 4 + address.length, family >> 8, family & 0xff, source, scope, ...address);
}

describe('step 4: EDNS and the Client Subnet option', () => {
  test('reads the OPT record and its Client Subnet option', () => {
    const edns = (query: Buffer) => readEdns(query, parseQuestion(query, 12).end, parseHeader(query));
    expect(edns(buildQuery({ subnet: { ip: '10.2.0.0', prefix: 16 } }))).toEqual({
      udpPayloadSize: 1232,
      extendedRcode: 0,
      version: 0,
      dnssecOk: false,
      clientSubnet: { family: 1, sourcePrefix: 16, scopePrefix: 0, address: Buffer.from([10, 2]) },
    });
    expect(edns(buildQuery()), 'no OPT record: no EDNS').toBeUndefined();
    expect(edns(buildQuery({ edns: true }))).toEqual({ udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false });
    expect(edns(buildQuery({ subnet: { ip: '10.2.16.0', prefix: 20 } }))?.clientSubnet?.address).toEqual(Buffer.from([10, 2, 16]));
    expect(edns(buildQuery({ subnet: { ip: '2001:db8::', prefix: 32 } }))?.clientSubnet).toEqual({ family: 2, sourcePrefix: 32, scopePrefix: 0, address: Buffer.from([0x20, 0x01, 0x0d, 0xb8]) });
    expect(edns(buildQuery({ subnet: { ip: '0.0.0.0', prefix: 0 } }))?.clientSubnet).toEqual({ family: 1, sourcePrefix: 0, scopePrefix: 0, address: Buffer.alloc(0) });
    // The DO bit, and an option we do not know (a cookie) skipped on the way to the subnet.
    const withCookie = dnsPacket.encode({
      type: 'query',
      id: 9,
      questions: [{ name: 'video.cdn.test', type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [{ code: 10, data: Buffer.alloc(8, 7) } as unknown as PacketOpt, { code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '192.0.2.0' }] }],
    });
    expect(edns(withCookie)).toEqual({ udpPayloadSize: 4096, extendedRcode: 0, version: 0, dnssecOk: true, clientSubnet: { family: 1, sourcePrefix: 24, scopePrefix: 0, address: Buffer.from([192, 0, 2]) } });
  });

  test('refuses malformed Client Subnet options and a second OPT record', () => {
    const edns = (query: Buffer) => readEdns(query, parseQuestion(query, 12).end, parseHeader(query));
    expect(edns(withAdditional(1, optRecord(ecsOption(1, 16, 0, 10, 2))))?.clientSubnet?.sourcePrefix, 'the well-formed option these cases spoil').toBe(16);
    const cases: Array<[string, Buffer, DnsFormatErrorKind]> = [
      ['family 3 (unknown)', withAdditional(1, optRecord(ecsOption(3, 8, 0, 10))), 'bad-ecs'],
      ['IPv4 /33', withAdditional(1, optRecord(ecsOption(1, 33, 0, 10, 2, 0, 0, 0))), 'bad-ecs'],
      ['/16 with 3 address bytes', withAdditional(1, optRecord(ecsOption(1, 16, 0, 10, 2, 0))), 'bad-ecs'],
      ['/16 with 1 address byte', withAdditional(1, optRecord(ecsOption(1, 16, 0, 10))), 'bad-ecs'],
      ['/12 with bits set past the prefix', withAdditional(1, optRecord(ecsOption(1, 12, 0, 10, 0x1f))), 'bad-ecs'],
      ['two Client Subnet options', withAdditional(1, optRecord(ecsOption(1, 8, 0, 10), ecsOption(1, 8, 0, 10))), 'bad-ecs'],
      ['two OPT records', withAdditional(2, optRecord(), optRecord()), 'bad-opt'],
      ['an OPT record not named with the root', withAdditional(1, wire(1, 'x', 0), optRecord().subarray(1)), 'bad-opt'],
      ['an option longer than the OPT record', withAdditional(1, optRecord(0, 8, 0, 40, 0, 1, 8, 0, 10)), 'bad-opt'],
    ];
    for (const [why, query, kind] of cases) expect(formatError(() => edns(query), why).kind, why).toBe(kind);
    expect(formatError(() => edns(withAdditional(2, optRecord())), 'ARCOUNT 2, one record').kind).toBe('truncated');
  });
});

describe('step 5: the region map', () => {
  const map = () => compileRegionMap({ '10.0.0.0/8': 1, '10.2.0.0/16': 2, '10.2.3.0/24': 3, '2001:db8::/32': 2 }, 3);
  const edgeOf = (address: string, defaultEdge = 1) => chooseEdge(map(), parseIp(address)!, defaultEdge);

  test('parses CIDR blocks and picks the longest matching region', () => {
    expect(parseCidr('10.2.0.0/16')).toEqual({ bytes: Buffer.from([10, 2, 0, 0]), prefix: 16 });
    expect(parseCidr('2001:db8::/32')).toEqual({ bytes: Buffer.from('20010db8000000000000000000000000', 'hex'), prefix: 32 });
    expect(parseCidr('192.0.2.7')).toEqual({ bytes: Buffer.from([192, 0, 2, 7]), prefix: 32 });
    for (const bad of ['10.2.3.0/16', '10.2.0.0/33', '10.2.0.0/x', 'video.cdn.test/8', '10.2/16']) expect(() => parseCidr(bad), bad).toThrow(RangeError);
    expect(parseIp('::ffff:10.2.3.4'), 'an IPv4-mapped address is the IPv4 address').toEqual(Buffer.from([10, 2, 3, 4]));
    expect(formatIp(parseIp('2001:0db8:0:0:0:0:0:0005')!)).toBe('2001:db8::5');

    expect(edgeOf('10.2.3.4').edge, '10.2.3.0/24 is the longest match').toBe(3);
    expect(edgeOf('10.2.9.9').edge, '10.2.0.0/16').toBe(2);
    expect(edgeOf('10.7.0.1').edge, '10.0.0.0/8').toBe(1);
    expect(edgeOf('192.0.2.1', 2), 'in no region: the default edge').toEqual({ edge: 2, scopePrefix: 1 });
    expect(edgeOf('2001:db8:1::5').edge).toBe(2);
    expect(edgeOf('2001:db9::5', 3).edge).toBe(3);
    expect(defaultRegions(3)).toEqual({ '10.1.0.0/16': 1, '10.2.0.0/16': 2, '10.3.0.0/16': 3 });
    expect(() => compileRegionMap({ '10.9.0.0/16': 4 }, 3), 'edge 4 of 3').toThrow(RangeError);
  });

  test('the scope is the prefix that decided the edge', () => {
    expect(edgeOf('10.2.3.4').scopePrefix, 'inside 10.2.3.0/24').toBe(24);
    // 10.2.0.0/16 decided, but 10.2.3.0/24 is inside it: the answer holds for 10.2.8.0/21 only.
    expect(edgeOf('10.2.9.9').scopePrefix).toBe(21);
    expect(edgeOf('10.200.0.1').scopePrefix, '10.0.0.0/8 decided; 10.2.0.0/16 differs at bit 8').toBe(9);
    const standard = compileRegionMap(defaultRegions(3), 3);
    expect(chooseEdge(standard, parseIp('10.2.77.1')!, 1)).toMatchObject({ edge: 2, scopePrefix: 16 });
    expect(chooseEdge(standard, parseIp('127.0.0.1')!, 1), '127/8 and 10/8 first differ at bit 1').toMatchObject({ edge: 1, scopePrefix: 2 });
  });
});

describe('step 6: answers', () => {
  test('answers an A query with the nearest edge, decoded by dns-packet', ({ transcript }) => {
    const { answer, decoded } = ask(buildQuery({ id: 0x1234 }), '10.3.7.9', transcript);
    expect({ id: decoded.id, qr: decoded.flag_qr, aa: decoded.flag_aa, rd: decoded.flag_rd, ra: decoded.flag_ra, tc: decoded.flag_tc, rcode: decoded.rcode }).toEqual({
      id: 0x1234,
      qr: true,
      aa: true,
      rd: true,
      ra: false,
      tc: false,
      rcode: 'NOERROR',
    });
    expect(decoded.questions).toEqual([{ name: 'video.cdn.test', type: 'A', class: 'IN' }]);
    expect(records(decoded.answers)).toEqual([aRecord('video.cdn.test', '127.0.1.3')]);
    expect(records(decoded.authorities)).toEqual([]);
    expect(decoded.additionals, 'no OPT record: the query had none').toEqual([]);
    expect({ rcode: answer.rcode, edge: answer.edge, address: answer.address, name: answer.name, type: answer.type }).toEqual({ rcode: 0, edge: 3, address: '127.0.1.3', name: 'video.cdn.test', type: 1 });

    expect(records(ask(buildQuery({ id: 2 }), '192.0.2.7', transcript).decoded.answers), 'everyone else: edge 1').toEqual([aRecord('video.cdn.test', '127.0.1.1')]);
    const noRd = ask(buildQuery({ id: 3, rd: false }), '10.1.0.1', transcript).decoded;
    expect(noRd.flag_rd, 'RD is copied from the query').toBe(false);
    const zone = buildZone({ zone: 'cdn.example', names: ['img', 'video'], edges: ['192.0.2.10', '192.0.2.20'], regions: { '203.0.113.0/24': 2 }, ttlSeconds: 60 });
    expect(records(ask(buildQuery({ id: 4, name: 'img.cdn.example' }), '203.0.113.9', transcript, zone).decoded.answers)).toEqual([aRecord('img.cdn.example', '192.0.2.20', 60)]);
  });

  test('names the answer with a pointer to the question (0xC00C)', ({ transcript }) => {
    const { answer } = ask(buildQuery(), '10.2.0.1', transcript);
    // header 12 + question 16 + 4: the answer's name starts at offset 32.
    expect(answer.response.readUInt16BE(32).toString(16), 'the answer record must be named C0 0C').toBe('c00c');
    expect(answer.response.length, '12 + 20 (question) + 16 (answer: pointer, type, class, TTL, RDLENGTH, 4 bytes)').toBe(48);
    const negative = ask(buildQuery({ name: 'nope.cdn.test' }), '10.2.0.1', transcript).answer.response;
    // header 12 + question 19: the SOA owner is cdn.test, a pointer to offset 17 inside the question's name.
    expect(negative.readUInt16BE(31).toString(16), 'the SOA record must be named C0 11 (the "cdn.test" in "nope.cdn.test")').toBe('c011');
  });

  test('steers by the Client Subnet option and echoes it with its scope', ({ transcript }) => {
    const viaSubnet = (ip: string, prefix: number, source = '127.0.0.1', zone?: DnsZone) => {
      const { answer, decoded } = ask(buildQuery({ subnet: { ip, prefix } }), source, transcript, zone);
      return { answer, addresses: records(decoded.answers).map((r) => r.data), subnet: subnetOf(decoded), opt: optOf(decoded) };
    };
    const two = viaSubnet('10.2.0.0', 16);
    expect(two.addresses).toEqual(['127.0.1.2']);
    expect(two.subnet, 'the option echoed: family, source prefix and address as sent, scope 16').toMatchObject({ family: 1, sourcePrefixLength: 16, scopePrefixLength: 16, ip: '10.2.0.0' });
    expect(two.opt?.ednsVersion).toBe(0);
    expect(two.answer.subnet).toBe('10.2.0.0/16');
    expect(two.answer.edge).toBe(2);
    const three = viaSubnet('10.3.128.0', 17);
    expect({ addresses: three.addresses, scope: three.subnet?.scopePrefixLength, source: three.subnet?.sourcePrefixLength }).toEqual({ addresses: ['127.0.1.3'], scope: 16, source: 17 });
    const far = viaSubnet('192.0.2.0', 24, '10.2.0.5');
    expect(far.addresses, 'the subnet decides, not the resolver that forwarded it from 10.2.0.5').toEqual(['127.0.1.1']);
    expect(far.subnet?.scopePrefixLength).toBe(1);
    const hidden = viaSubnet('0.0.0.0', 0, '10.3.1.1');
    expect({ addresses: hidden.addresses, scope: hidden.subnet?.scopePrefixLength }, 'a /0 subnet reveals nothing: the source address decides, scope 0').toEqual({ addresses: ['127.0.1.3'], scope: 0 });
    const zone = buildZone({ regions: { '10.1.0.0/16': 1, '2001:db8::/32': 3 } });
    const v6 = viaSubnet('2001:db8:42::', 48, '127.0.0.1', zone);
    expect({ addresses: v6.addresses, family: v6.subnet?.family, scope: v6.subnet?.scopePrefixLength }).toEqual({ addresses: ['127.0.1.3'], family: 2, scope: 32 });
    const plain = ask(buildQuery({ id: 7, edns: true }), '10.2.0.9', transcript).decoded;
    expect({ opt: optOf(plain)?.type, subnet: subnetOf(plain) }, 'EDNS without a subnet: an OPT record, no subnet option').toEqual({ opt: 'OPT', subnet: undefined });
  });

  test('keeps the case of the question (0x20)', ({ transcript }) => {
    const { decoded } = ask(buildQuery({ name: 'ViDeO.cDn.TeSt' }), '10.2.0.1', transcript);
    expect(decoded.questions?.[0]?.name).toBe('ViDeO.cDn.TeSt');
    expect(records(decoded.answers)).toEqual([aRecord('ViDeO.cDn.TeSt', '127.0.1.2')]);
  });

  test('NXDOMAIN with the zone SOA for an unknown name in the zone', ({ transcript }) => {
    for (const name of ['nope.cdn.test', 'deep.video.cdn.test']) {
      const { answer, decoded } = ask(buildQuery({ name, subnet: { ip: '10.2.0.0', prefix: 16 } }), '10.1.0.1', transcript);
      expect({ rcode: decoded.rcode, aa: decoded.flag_aa, answers: records(decoded.answers) }, name).toEqual({ rcode: 'NXDOMAIN', aa: true, answers: [] });
      expect(decoded.questions).toEqual([{ name, type: 'A', class: 'IN' }]);
      expect(records(decoded.authorities)).toEqual([
        { name: 'cdn.test', type: 'SOA', ttl: 20, data: { mname: 'ns.cdn.test', rname: 'hostmaster.cdn.test', serial: 1, refresh: 3600, retry: 600, expire: 86_400, minimum: 20 } },
      ]);
      expect(subnetOf(decoded)?.scopePrefixLength, 'the subnet made no difference: scope 0').toBe(0);
      expect(answer.rcode).toBe(3);
    }
  });

  test('NODATA for AAAA and other types of a known name', ({ transcript }) => {
    for (const type of ['AAAA', 'MX', 'TXT'] as const) {
      const { decoded } = ask(buildQuery({ type }), '10.2.0.1', transcript);
      expect({ rcode: decoded.rcode, aa: decoded.flag_aa, answers: records(decoded.answers), authority: records(decoded.authorities).map((r) => `${r.name} ${r.type}`) }, type).toEqual({
        rcode: 'NOERROR',
        aa: true,
        answers: [],
        authority: ['cdn.test SOA'],
      });
    }
    const apex = ask(buildQuery({ name: 'cdn.test', type: 'SOA' }), '10.2.0.1', transcript).decoded;
    expect(records(apex.answers).map((r) => `${r.name} ${r.type}`), 'the zone itself has its SOA').toEqual(['cdn.test SOA']);
    expect(ask(buildQuery({ name: 'cdn.test' }), '10.2.0.1', transcript).decoded.rcode, 'the zone exists, without an A record').toBe('NOERROR');
  });

  test('REFUSED for names outside the zone', ({ transcript }) => {
    for (const name of ['example.com', 'xcdn.test', 'cdn.test.evil', 'test']) {
      const { decoded } = ask(buildQuery({ name }), '10.2.0.1', transcript);
      expect({ rcode: decoded.rcode, aa: decoded.flag_aa, answers: records(decoded.answers) }, name).toEqual({ rcode: 'REFUSED', aa: false, answers: [] });
    }
    const chaos = dnsPacket.encode({ type: 'query', id: 5, questions: [{ name: 'video.cdn.test', type: 'TXT', class: 'CH' }] });
    expect(ask(chaos, '10.2.0.1', transcript).decoded.rcode, 'class CH is not ours').toBe('REFUSED');
  });

  test('FORMERR for malformed queries, silence for garbage and responses', ({ transcript }) => {
    const twoQuestions = dnsPacket.encode({ type: 'query', id: 0x2222, questions: [{ name: 'video.cdn.test', type: 'A' }, { name: 'video.cdn.test', type: 'AAAA' }] });
    const two = ask(twoQuestions, '10.2.0.1', transcript).decoded;
    expect({ id: two.id, rcode: two.rcode, answers: records(two.answers) }).toEqual({ id: 0x2222, rcode: 'FORMERR', answers: [] });
    const loop = wire(0x33, 0x33, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 12, 0, 1, 0, 1);
    const looped = ask(loop, '10.2.0.1', transcript).decoded;
    expect({ id: looped.id, rcode: looped.rcode, questions: looped.questions }, 'a question that cannot be read is not echoed').toEqual({ id: 0x3333, rcode: 'FORMERR', questions: [] });
    const badSubnet = ask(withAdditional(1, optRecord(ecsOption(1, 16, 0, 10, 2, 0))), '10.2.0.1', transcript).decoded;
    expect({ rcode: badSubnet.rcode, opt: optOf(badSubnet)?.type, answers: records(badSubnet.answers) }, 'a bad option: FORMERR with an OPT record (RFC 6891 §7)').toEqual({ rcode: 'FORMERR', opt: 'OPT', answers: [] });
    const zone = buildZone();
    for (const [why, bytes] of [
      ['an empty datagram', Buffer.alloc(0)],
      ['11 bytes', Buffer.alloc(11, 0xff)],
      ['a response', answerQuery(buildQuery(), '10.2.0.1', zone)?.response ?? Buffer.alloc(0)],
    ] as const) {
      transcript.record('client', bytes, { datagram: true });
      expect(answerQuery(bytes, '10.2.0.1', zone), `${why}: silence`).toBeUndefined();
    }
  });
});

describe('step 7: the server over UDP', () => {
  async function server(options: DnsServerOptions = {}): Promise<DnsServer> {
    return track(await startDnsServer({ port: 0, ...options }));
  }

  test('answers over UDP, on IPv4 and IPv6', async ({ transcript }) => {
    const s = await server();
    expect(s.host).toBe('127.0.0.1');
    const judge = track(await DnsJudge.open(s, transcript));
    const reply = await judge.ask(buildQuery({ id: 0x0101 }));
    expect(records(decodeResponse(reply.data).answers)).toEqual([aRecord('video.cdn.test', '127.0.1.1')]);
    await s.close();
    const again = track(await bindUdp({ port: s.port }));
    expect(again.port, 'close() frees the port').toBe(s.port);
    if (!(await hasIPv6Loopback())) return; // a machine without ::1 cannot do the rest; not the student's fault
    const six = await server({ host: '::1', regions: { '::1/128': 2 } });
    expect(six.host).toBe('::1');
    const judge6 = track(await DnsJudge.open(six, transcript));
    const reply6 = await judge6.ask(buildQuery({ id: 0x0606 }));
    expect(records(decodeResponse(reply6.data).answers), 'a client at ::1 is in ::1/128: edge 2').toEqual([aRecord('video.cdn.test', '127.0.1.2')]);
  });

  test("Node's resolver (c-ares) resolves video.cdn.test to the nearest edge", async ({ transcript }) => {
    const s = await server({ regions: { '127.0.0.0/8': 3, '127.0.0.2/32': 2 } });
    transcript.decoder = dnsDecoder;
    // A proxy that only watches, so the transcript shows what c-ares sent and got.
    const proxy = track(await startUdpFaultProxy({ target: s, seed: 'c-ares', transcript }));
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([`127.0.0.1:${proxy.port}`]);
    expect(await resolver.resolve4('video.cdn.test', { ttl: true }), 'a client in 127.0.0.0/8: edge 3').toEqual([{ address: '127.0.1.3', ttl: 20 }]);
    // From 127.0.0.2 (Linux routes all of 127/8 to loopback; elsewhere only 127.0.0.1 exists).
    let elsewhere = true;
    try {
      await (await bindUdp({ host: '127.0.0.2' })).close();
    } catch {
      elsewhere = false;
    }
    if (!elsewhere) return;
    const near = new Resolver({ timeout: 2000, tries: 2 });
    near.setLocalAddress('127.0.0.2');
    near.setServers([`127.0.0.1:${s.port}`]);
    expect(await near.resolve4('video.cdn.test', { ttl: true }), 'a client at 127.0.0.2 (a /32 region): edge 2').toEqual([{ address: '127.0.1.2', ttl: 20 }]);
  });

  test("Node's resolver sees NXDOMAIN, NODATA and REFUSED", async ({ transcript }) => {
    const s = await server();
    transcript.decoder = dnsDecoder;
    const proxy = track(await startUdpFaultProxy({ target: s, seed: 'c-ares errors', transcript }));
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([`127.0.0.1:${proxy.port}`]);
    const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: NodeJS.ErrnoException) => e.code);
    expect(await codeOf(resolver.resolve4('nope.cdn.test')), 'NXDOMAIN').toBe('ENOTFOUND');
    expect(await codeOf(resolver.resolve6('video.cdn.test')), 'NODATA').toBe('ENODATA');
    expect(await codeOf(resolver.resolve4('example.com')), 'REFUSED').toBe('EREFUSED');
  });

  test('garbage datagrams never crash it: it answers afterwards', async ({ transcript }) => {
    const s = await server();
    const judge = track(await DnsJudge.open(s, transcript));
    // Silence for these: nothing to answer to, or an answer itself.
    for (const junk of [Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(11, 0xff), decodeAndFlip(buildQuery())]) await judge.send(junk);
    // Then a query whose question points at itself: FORMERR, and it must be the first thing back.
    await judge.send(wire(0x77, 0x77, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1));
    const first = decodeResponse((await judge.receive()).data);
    expect({ id: first.id, rcode: first.rcode }, 'the first datagram back answers the looping question; the garbage before it got nothing').toEqual({ id: 0x7777, rcode: 'FORMERR' });
    // Hundreds of random datagrams, some with a valid header, in batches: a
    // valid query after each batch must still be answered. (Batches, because a
    // socket's receive buffer holds only so many datagrams: beyond that the
    // kernel drops them, whoever the server is.)
    const random = mulberry32(0x13dd5);
    for (let batch = 0; batch < 6; batch++) {
      for (let i = 0; i < 50; i++) {
        const junk = Buffer.from(Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256)));
        if (i % 3 === 0 && junk.length > 12) junk[2] = 0; // a query, not a response: it goes deeper into the parser
        await judge.send(junk);
      }
      const id = 0xab00 + batch;
      const reply = await judge.ask(buildQuery({ id, name: 'VIDEO.cdn.test' }));
      expect(records(decodeResponse(reply.data).answers), `still answering after ${(batch + 1) * 50} random datagrams`).toEqual([aRecord('VIDEO.cdn.test', '127.0.1.1')]);
    }
  });

  test('reports every datagram to onQuery', async ({ transcript }) => {
    const events: DnsQueryEvent[] = [];
    const s = await server({ onQuery: (e) => events.push(e) });
    const judge = track(await DnsJudge.open(s, transcript));
    await judge.ask(buildQuery({ id: 1, subnet: { ip: '10.2.0.0', prefix: 16 } }));
    await judge.send(Buffer.from('junk'));
    // The junk is handled before the next query, so its event is in when that query's answer comes.
    await judge.ask(buildQuery({ id: 2, name: 'nope.cdn.test' }));
    expect(events.map(({ client: c, ...rest }) => ({ host: c.host, ...rest }))).toEqual([
      { host: '127.0.0.1', rcode: 0, name: 'video.cdn.test', type: 1, subnet: '10.2.0.0/16', edge: 2, address: '127.0.1.2' },
      { host: '127.0.0.1' },
      { host: '127.0.0.1', rcode: 3, name: 'nope.cdn.test', type: 1 },
    ]);
    expect(new Set(events.map((e) => e.client.port)).size, 'all from the one client port').toBe(1);
  });
});

/** A query turned into a "response" (QR set): a server must not answer it. */
function decodeAndFlip(query: Buffer): Buffer {
  const flipped = Buffer.from(query);
  flipped[2] = flipped[2]! | 0x80;
  return flipped;
}


// ---------------------------------------------------------------------------
// Part 2: the caching edge



/** The world of one test: a content folder, the origin in front of it, an edge in front of that. */
interface World {
  origin: Origin;
  edge: Edge;
  clock: ManualClock;
  /** Every request the origin answered. */
  originLog: OriginRequestEvent[];
  url(path: string): string;
  write(path: string, body: Buffer): Promise<void>;
}

async function world(options: { origin?: Partial<OriginOptions>; edge?: Partial<EdgeOptions>; transcript?: Transcript } = {}): Promise<World> {
  const content = track(await makeContent());
  const clock = new ManualClock();
  const originLog: OriginRequestEvent[] = [];
  const origin = track(
    await startOrigin({ root: content.root, maxAgeSeconds: 60, cacheControl: liveIsNoStore, now: clock.now, onRequest: (e) => originLog.push(e), ...options.origin }),
  );
  const edge = track(
    await startEdge({
      origin: { host: origin.host, port: origin.port },
      now: clock.now,
      timeouts: { originConnectMs: 2000, originResponseMs: 3000, clientHeaderMs: 3000 },
      ...(options.transcript ? { transcript: options.transcript } : {}),
      ...options.edge,
    }),
  );
  return { origin, edge, clock, originLog, url: (p) => `http://127.0.0.1:${edge.port}${p}`, write: content.write };
}

async function raw(w: World, transcript: Transcript): Promise<RawHttpClient> {
  return track(await RawHttpClient.open(w.edge.port, transcript));
}

/** The status an invalid head is refused with (or "accepted"). */
function refusal(text: string): number | 'accepted' {
  try {
    parseRequestHead(text);
    return 'accepted';
  } catch (error) {
    if (error instanceof HttpRequestError) return error.status;
    throw error;
  }
}

/** A fetch that never reuses a connection the edge may have closed. */
async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe('step 8: the request head (RFC 9112), pure', () => {
  test('step 8: parses the request line, the header fields and Host', () => {
    const r = parseRequestHead('GET /video.mp4?q=1 HTTP/1.1\r\nHost: video.cdn.test\r\nRange: bytes=0-99\r\nX-Tag: a\r\nx-tag:b \r\n\r\n');
    expect(r && { method: r.method, target: r.target, version: r.version, host: r.host, keepAlive: r.keepAlive, contentLength: r.contentLength }).toEqual({
      method: 'GET',
      target: '/video.mp4?q=1',
      version: '1.1',
      host: 'video.cdn.test',
      keepAlive: true,
      contentLength: 0,
    });
    expect(r?.headers.get('range')).toBe('bytes=0-99');
    expect(r?.headers.get('x-tag')).toBe('a, b');
    // Lines may end in a bare LF; the absolute form names the host in the target.
    const absolute = parseRequestHead('HEAD http://video.cdn.test/a.txt HTTP/1.1\nHost: elsewhere\n\n');
    expect(absolute && [absolute.method, absolute.target, absolute.host]).toEqual(['HEAD', '/a.txt', 'video.cdn.test']);
    // Not complete until the empty line.
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: x\r\n')).toBeUndefined();
  });

  test('step 8: refuses malformed heads with 400, a missing Host included', () => {
    const cases: Record<string, string> = {
      'no Host in HTTP/1.1': 'GET /a HTTP/1.1\r\n\r\n',
      'two Hosts': 'GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'two spaces': 'GET  /a HTTP/1.1\r\nHost: x\r\n\r\n',
      'no version': 'GET /a\r\nHost: x\r\n\r\n',
      'not a version': 'GET /a HTTX/1.1\r\nHost: x\r\n\r\n',
      'method not a token': 'G(T /a HTTP/1.1\r\nHost: x\r\n\r\n',
      'target not a path': 'GET a HTTP/1.1\r\nHost: x\r\n\r\n',
      'space before colon': 'GET /a HTTP/1.1\r\nHost : x\r\n\r\n',
      'no colon': 'GET /a HTTP/1.1\r\nHost x\r\n\r\n',
      'folded line': 'GET /a HTTP/1.1\r\nHost: x\r\n  more\r\n\r\n',
      'control in value': 'GET /a HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n',
      'bad Content-Length': 'GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n',
      'Content-Length and Transfer-Encoding': 'GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    };
    const got = Object.fromEntries(Object.entries(cases).map(([name, text]) => [name, refusal(text)]));
    expect(got).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, 400])));
    expect(refusal('GET /a HTTP/1.0\r\n\r\n')).toBe('accepted'); // HTTP/1.0 has no Host requirement
  });

  test('step 8: 414 for an overlong request line, 431 for too many or too large fields, 505 for HTTP/2.0', () => {
    expect(refusal(`GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toBe(414);
    const many = Array.from({ length: 101 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    expect(refusal(`GET / HTTP/1.1\r\nHost: x\r\n${many}\r\n`)).toBe(431);
    expect(refusal(`GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(17_000)}\r\n\r\n`)).toBe(431);
    expect(refusal('GET / HTTP/2.0\r\nHost: x\r\n\r\n')).toBe(505);
  });

  test('step 8: tells a kept-alive connection from one that closes', () => {
    const keep = (text: string) => parseRequestHead(text)?.keepAlive;
    expect({
      '1.1': keep('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      '1.1 close': keep('GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n'),
      '1.0': keep('GET / HTTP/1.0\r\n\r\n'),
      '1.0 keep-alive': keep('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'),
    }).toEqual({ '1.1': true, '1.1 close': false, '1.0': false, '1.0 keep-alive': true });
  });
});

describe('step 9: an LRU bounded in bytes, pure', () => {
  test('step 9: the LRU evicts the least recently used entries until the bytes fit', () => {
    const lru = new LruCache<string>({ maxBytes: 10 });
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 3);
    lru.set('c', 'C', 2);
    expect([lru.keys(), lru.bytes]).toEqual([['a', 'b', 'c'], 9]);
    lru.set('d', 'D', 5); // 14 > 10: a (4) goes, 10 fits
    expect([lru.keys(), lru.bytes, lru.evictions]).toEqual([['b', 'c', 'd'], 10, 1]);
    lru.set('e', 'E', 6); // b, c and d must go... until 6 fits: b (3), c (2), d (5)
    expect([lru.keys(), lru.bytes, lru.get('b')]).toEqual([['e'], 6, undefined]);
    lru.set('e', 'E2', 1); // replacing counts the new size only
    expect([lru.get('e'), lru.bytes, lru.size]).toEqual(['E2', 1, 1]);
  });

  test('step 9: a get makes an entry the most recent; one larger than the cache is not stored', () => {
    const lru = new LruCache<number>({ maxBytes: 100 });
    lru.set('old', 1, 40);
    lru.set('mid', 2, 40);
    expect(lru.get('old')).toBe(1); // now the most recent: mid is the one to go
    lru.set('new', 3, 40);
    expect(lru.keys()).toEqual(['old', 'new']);
    expect(lru.peek('old')).toBe(1); // peek does not count as a use
    expect(lru.keys()).toEqual(['old', 'new']);
    expect(lru.set('huge', 4, 101)).toBe(false);
    expect([lru.has('huge'), lru.keys(), lru.bytes]).toEqual([false, ['old', 'new'], 80]);
    expect(lru.delete('old')).toBe(true);
    expect(lru.bytes).toBe(40);
  });
});

describe('step 10: what a cache may reuse (RFC 9111), pure', () => {
  const T = Date.UTC(2025, 0, 1, 12, 0, 0);
  const at = (s: number) => T + s * 1000;
  const date = (s: number) => new Date(at(s)).toUTCString();

  test('step 10: reads Cache-Control: max-age, s-maxage, no-store, no-cache, private', () => {
    expect(parseCacheControl('max-age=60, s-maxage=30, MUST-REVALIDATE')).toMatchObject({ maxAge: 60, sMaxAge: 30, mustRevalidate: true, noStore: false });
    expect(parseCacheControl('no-store')).toMatchObject({ noStore: true });
    expect(parseCacheControl('no-cache, private="Set-Cookie"')).toMatchObject({ noCache: true, private: true });
    expect(parseCacheControl('max-age="20"').maxAge).toBe(20);
    expect(parseCacheControl('max-age=soon').maxAge).toBe(0); // unreadable: stale at once, the safe reading
    expect(parseCacheControl(undefined)).toMatchObject({ noStore: false, noCache: false, private: false });
  });

  test('step 10: stores a 200 with max-age, never no-store, private or a 404', () => {
    const store = (status: number, cc: string) => storability(status, [['Cache-Control', cc], ['ETag', '"v1"']]).store;
    expect({
      '200 max-age': store(200, 'max-age=60'),
      'no-store': store(200, 'max-age=60, no-store'),
      private: store(200, 'private, max-age=60'),
      '404': store(404, 'max-age=60'),
    }).toEqual({ '200 max-age': true, 'no-store': false, private: false, '404': false });
  });

  test('step 10: computes Age as RFC 9111 §4.2.3 says', () => {
    // Generated at 0 (Date), already 10 s old by its Age field, asked at 1, arrived at 3:
    // apparent age 3, corrected age value 10 + 2 = 12 → 12.
    expect(correctedInitialAge({ ageValue: 10, dateValue: at(0), requestTime: at(1), responseTime: at(3) })).toBe(12);
    // A Date from a clock that runs ahead counts for nothing (apparent age 0); the round trip still counts.
    expect(correctedInitialAge({ ageValue: 0, dateValue: at(100), requestTime: at(0), responseTime: at(0.5) })).toBe(0.5);
    // The origin's clock is 5 s behind ours: apparent age 5 wins over Age 2 + delay 1.
    expect(correctedInitialAge({ ageValue: 2, dateValue: at(-5), requestTime: at(-1), responseTime: at(0) })).toBe(5);
    const entry = toStored({ status: 200, fields: [['Date', date(-3)], ['Age', '2'], ['Cache-Control', 'max-age=60']], body: Buffer.from('x'), requestTime: at(-1), responseTime: at(0) });
    expect(ageFieldValue(entry, at(10))).toBe('13'); // 3 already, plus 10 s held
    expect(ageFieldValue(entry, at(10.9))).toBe('13'); // whole seconds, rounded down
  });

  test('step 10: fresh while the age is under max-age; revalidates with If-None-Match; a 304 refreshes', () => {
    const body = Buffer.from('video bytes');
    const entry = toStored({ status: 200, fields: [['Date', date(0)], ['Cache-Control', 'max-age=60'], ['ETag', '"v1"'], ['Content-Type', 'video/mp4']], body, requestTime: at(0), responseTime: at(0) });
    expect([isFresh(entry, at(59)), isFresh(entry, at(60)), isFresh(entry, at(61))]).toEqual([true, false, false]);
    expect(revalidationFields(entry)).toEqual([['If-None-Match', '"v1"']]);
    const again = refreshed(entry, { status: 304, fields: [['Date', date(100)], ['Cache-Control', 'max-age=120'], ['ETag', '"v1"']], body: Buffer.alloc(0), requestTime: at(100), responseTime: at(100) });
    expect([again.body.toString(), isFresh(again, at(219)), isFresh(again, at(221)), ageFieldValue(again, at(100))]).toEqual(['video bytes', true, false, '0']);
    expect(again.fields.filter(([name]) => name.toLowerCase() === 'cache-control')).toEqual([['Cache-Control', 'max-age=120']]);
    // no-cache: stored, but never fresh without asking.
    const noCache = toStored({ status: 200, fields: [['Date', date(0)], ['Cache-Control', 'no-cache'], ['ETag', '"n"']], body, requestTime: at(0), responseTime: at(0) });
    expect(isFresh(noCache, at(0))).toBe(false);
  });
});

describe('step 11: byte ranges (RFC 9110 §14), pure', () => {
  test('step 11: decides byte ranges: A-B, A-, -N, clamped, 416 past the end, the rest ignored', () => {
    const decide = (h: string | undefined) => decideRange(h, 1000);
    expect([decide('bytes=0-99'), decide('bytes=900-'), decide('bytes=-100'), decide('bytes=900-5000'), decide('BYTES=0-0')]).toEqual([
      { kind: 'part', start: 0, end: 99 },
      { kind: 'part', start: 900, end: 999 },
      { kind: 'part', start: 900, end: 999 },
      { kind: 'part', start: 900, end: 999 },
      { kind: 'part', start: 0, end: 0 },
    ]);
    expect([decide('bytes=1000-'), decide('bytes=-0')]).toEqual([{ kind: 'unsatisfiable' }, { kind: 'unsatisfiable' }]);
    expect([decide(undefined), decide('bytes=5-1'), decide('items=0-1'), decide('bytes=0-1,5-6'), decide('bytes=x-y')].map((d) => d.kind)).toEqual(['whole', 'whole', 'whole', 'whole', 'whole']);
    expect([contentRange(0, 99, 1000), unsatisfiedRange(1000)]).toEqual(['bytes 0-99/1000', 'bytes */1000']);
  });
});

describe('step 12: HTTP/1.1 over a raw socket', () => {
  test('step 12: answers GET with an exact status line, Content-Length, X-Cache and Age', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/index.html'));
    const r = await c.read();
    expect(r.statusLine).toBe('HTTP/1.1 200 OK');
    expect(r.body.toString()).toBe(CONTENT['/index.html'].toString());
    expect([r.headers.get('content-length'), r.headers.get('x-cache'), r.headers.get('age'), r.headers.get('content-type')]).toEqual([
      String(CONTENT['/index.html'].length),
      'MISS',
      '0',
      'text/html; charset=utf-8',
    ]);
    expect(r.headers.get('etag')).toMatch(/^"[^"]+"$/);
    await c.send(request('/index.html'));
    const again = await c.read();
    expect([again.statusLine, again.headers.get('x-cache'), again.headers.get('etag')]).toEqual(['HTTP/1.1 200 OK', 'HIT', r.headers.get('etag')]);
  });

  test('step 12: keeps the connection for pipelined requests and closes on Connection: close', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/index.html') + request('/live/feed.txt') + request('/obj-10k.bin', ['Connection: close']));
    const first = await c.read();
    const second = await c.read();
    const third = await c.read();
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect([first.body.toString(), second.body.toString()]).toEqual([CONTENT['/index.html'].toString(), CONTENT['/live/feed.txt'].toString()]);
    expect(fingerprint(third.body)).toBe(fingerprint(CONTENT['/obj-10k.bin']));
    expect([first.headers.get('connection'), third.headers.get('connection')]).toEqual([undefined, 'close']);
    expect((await c.readToEnd()).length).toBe(0); // and then it closes
  });

  test('step 12: answers HEAD with the fields of GET and no body', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/obj-10k.bin', [], 'HEAD'));
    const head = await c.read({ bodyless: true });
    await c.send(request('/obj-10k.bin'));
    const got = await c.read(); // if HEAD had sent a body, this would read its bytes as a status line
    expect([head.statusLine, head.headers.get('content-length'), head.headers.get('etag')]).toEqual(['HTTP/1.1 200 OK', String(10 * 1024), got.headers.get('etag')]);
    expect([got.status, got.body.length, got.headers.get('x-cache')]).toEqual([200, 10 * 1024, 'HIT']);
  });

  test('step 12: answers POST with 405 and Allow', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/index.html', ['Content-Length: 5'], 'POST') + 'hello');
    const r = await c.read();
    expect([r.statusLine, r.headers.get('allow')]).toEqual(['HTTP/1.1 405 Method Not Allowed', 'GET, HEAD']);
    expect(w.origin.stats.requests).toBe(0);
  });

  test('step 12: a malformed request gets 400 and the connection closes; the edge serves on', async ({ transcript }) => {
    const w = await world();
    for (const bad of ['GET /index.html HTTP/1.1\r\nHost video.cdn.test\r\n\r\n', 'GET /index.html HTTP/1.1\r\n\r\n', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n']) {
      const c = await raw(w, transcript);
      await c.send(bad);
      const r = await c.read();
      expect([r.statusLine, r.headers.get('connection')]).toEqual(['HTTP/1.1 400 Bad Request', 'close']);
      expect((await c.readToEnd()).length).toBe(0);
    }
    const c = await raw(w, transcript);
    await c.send(request('/index.html'));
    expect((await c.read()).status).toBe(200);
  });

  test('step 12: 414 for an overlong request line and 431 for huge fields, then close', async ({ transcript }) => {
    const w = await world();
    const long = await raw(w, transcript);
    await long.send(`GET /${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const r414 = await long.read();
    expect([r414.statusLine, r414.headers.get('connection')]).toEqual(['HTTP/1.1 414 URI Too Long', 'close']);
    expect((await long.readToEnd()).length).toBe(0);
    const fat = await raw(w, transcript);
    await fat.send(`GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 500 }, (_, i) => `X-Field-${i}: ${'v'.repeat(60)}\r\n`).join('')}\r\n`);
    const r431 = await fat.read();
    expect([r431.statusLine, r431.headers.get('connection')]).toEqual(['HTTP/1.1 431 Request Header Fields Too Large', 'close']);
    expect((await fat.readToEnd()).length).toBe(0);
  });

  test('step 12: a request that is too slow gets 408 and the connection closes', async ({ transcript }) => {
    const w = await world({ edge: { timeouts: { clientHeaderMs: 300 } } });
    const slow = await raw(w, transcript);
    const started = performance.now();
    await slow.send('GET /index.html HTTP/1.1\r\nHost: video.cdn.test\r\n'); // and never the empty line
    const r = await slow.read();
    expect([r.statusLine, r.headers.get('connection')]).toEqual(['HTTP/1.1 408 Request Timeout', 'close']);
    expect((await slow.readToEnd()).length).toBe(0);
    expect(performance.now() - started).toBeLessThan(3000);
    // A kept-alive connection that says nothing is closed without a word.
    const idle = await raw(w, transcript);
    expect((await idle.readToEnd()).toString()).toBe('');
  });
});

describe('step 13: caching, judged by fetch', () => {
  test('step 13: the second fetch is a HIT and the origin sees one request', async ({ transcript }) => {
    const w = await world({ transcript });
    const first = await get(w.url('/obj-10k.bin'));
    const second = await get(w.url('/obj-10k.bin'));
    expect([first.status, first.headers.get('x-cache'), second.status, second.headers.get('x-cache')]).toEqual([200, 'MISS', 200, 'HIT']);
    expect(fingerprint(second.body)).toBe(fingerprint(CONTENT['/obj-10k.bin']));
    expect([w.origin.stats.requests, w.origin.stats.bytesServed]).toEqual([1, 10 * 1024]);
    expect(w.edge.stats).toMatchObject({ hits: 1, misses: 1, originFetches: 1 });
  });

  test('step 13: Age grows while the edge holds the object', async ({ transcript }) => {
    const w = await world({ transcript });
    const ages: (string | null)[] = [];
    for (const wait of [0, 7, 20]) {
      w.clock.advance(wait);
      ages.push((await get(w.url('/index.html'))).headers.get('age'));
    }
    expect(ages).toEqual(['0', '7', '27']);
    expect(w.origin.stats.requests).toBe(1);
  });

  test('step 13: no-store is never cached', async ({ transcript }) => {
    const w = await world({ transcript });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await get(w.url('/live/feed.txt')));
    expect(answers.map((a) => [a.status, a.headers.get('x-cache'), a.body.toString()])).toEqual(Array(3).fill([200, 'MISS', 'score 1-0\n']));
    expect([w.origin.stats.requests, w.edge.stats.cacheEntries]).toEqual([3, 0]);
  });

  test('step 13: a stale entry is revalidated with If-None-Match; the 304 refreshes it', async ({ transcript }) => {
    const w = await world({ transcript, origin: { maxAgeSeconds: 10 } });
    const first = await get(w.url('/index.html'));
    w.clock.advance(11);
    const second = await get(w.url('/index.html'));
    expect([second.status, second.headers.get('x-cache'), second.headers.get('age'), second.body.toString()]).toEqual([200, 'REVALIDATED', '0', CONTENT['/index.html'].toString()]);
    expect(w.originLog.map((e) => [e.status, e.ifNoneMatch])).toEqual([
      [200, undefined],
      [304, first.headers.get('etag')],
    ]);
    w.clock.advance(9); // fresh again for 10 s from the 304
    const third = await get(w.url('/index.html'));
    expect([third.headers.get('x-cache'), third.headers.get('age')]).toEqual(['HIT', '9']);
    expect([w.origin.stats.requests, w.origin.stats.bytesServed]).toEqual([2, CONTENT['/index.html'].length]);
  });

  test('step 13: an object that changed at the origin is fetched anew once stale', async ({ transcript }) => {
    const w = await world({ transcript, origin: { maxAgeSeconds: 10 } });
    const before = await get(w.url('/index.html'));
    await w.write('/index.html', Buffer.from('<p>version 2</p>\n'));
    expect((await get(w.url('/index.html'))).body.toString()).toBe(CONTENT['/index.html'].toString()); // still fresh: the old copy
    w.clock.advance(11);
    const after = await get(w.url('/index.html'));
    expect([after.headers.get('x-cache'), after.body.toString()]).toEqual(['MISS', '<p>version 2</p>\n']);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  test('step 13: a client that has the current ETag gets 304 from the edge, without asking the origin', async ({ transcript }) => {
    const w = await world({ transcript });
    const first = await get(w.url('/video.mp4'));
    const etag = first.headers.get('etag')!;
    const again = await get(w.url('/video.mp4'), { 'If-None-Match': `"other", ${etag}` });
    expect([again.status, again.headers.get('etag'), again.headers.get('x-cache'), again.body.length]).toEqual([304, etag, 'HIT', 0]);
    const changed = await get(w.url('/video.mp4'), { 'If-None-Match': '"not-this-one"' });
    expect([changed.status, changed.body.length]).toEqual([200, CONTENT['/video.mp4'].length]);
    expect(w.origin.stats.requests).toBe(1);
  });

  test('step 13: the cache stays within cacheBytes, evicting the least recently used', async ({ transcript }) => {
    const extra = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`/part-${i}.bin`, Buffer.alloc(10 * 1024, i)]));
    const content = track(await makeContent(extra));
    const w = await world({ transcript, origin: { root: content.root }, edge: { cacheBytes: 40 * 1024 } });
    for (let i = 0; i < 6; i++) expect((await get(w.url(`/part-${i}.bin`))).body.length).toBe(10 * 1024);
    expect(w.edge.stats.cacheBytes).toBeLessThanOrEqual(40 * 1024);
    expect(w.edge.stats.evictions).toBeGreaterThanOrEqual(2);
    expect([(await get(w.url('/part-5.bin'))).headers.get('x-cache'), (await get(w.url('/part-0.bin'))).headers.get('x-cache')]).toEqual(['HIT', 'MISS']);
  });
});

describe('step 14: coalescing', () => {
  test('step 14: ten concurrent misses for one object cost one origin fetch', async ({ transcript }) => {
    const w = await world({ transcript, origin: { delayMs: 150 } }); // the first fetch is still on its way when the others arrive
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(w.url('/video.mp4'))));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.map((a) => fingerprint(a.body))).toEqual(Array(10).fill(fingerprint(CONTENT['/video.mp4'])));
    expect([w.origin.stats.requests, w.edge.stats.originFetches]).toEqual([1, 1]);
  });
});

describe('step 15: a failing origin', () => {
  test('step 15: a dead origin gives 502 in bounded time while cached objects are still served', async ({ transcript }) => {
    const w = await world({ transcript });
    expect((await get(w.url('/index.html'))).status).toBe(200);
    w.origin.setDown(true);
    const started = performance.now();
    const dead = await get(w.url('/obj-10k.bin'));
    expect(dead.status).toBe(502);
    expect(performance.now() - started).toBeLessThan(3000);
    const cached = await get(w.url('/index.html'));
    expect([cached.status, cached.headers.get('x-cache'), cached.body.toString()]).toEqual([200, 'HIT', CONTENT['/index.html'].toString()]);
  });

  test('step 15: a slow origin gives 504 in bounded time', async ({ transcript }) => {
    const w = await world({ transcript, edge: { timeouts: { originConnectMs: 1000, originResponseMs: 300 } } });
    expect((await get(w.url('/index.html'))).status).toBe(200);
    w.origin.setDelay(4000);
    const started = performance.now();
    const slow = await get(w.url('/obj-10k.bin'));
    expect(slow.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(3000);
    expect((await get(w.url('/index.html'))).headers.get('x-cache')).toBe('HIT');
  });

  test('step 15: a stale object is served (X-Cache: STALE) while the origin is down', async ({ transcript }) => {
    const w = await world({ transcript, origin: { maxAgeSeconds: 10 } });
    await get(w.url('/index.html'));
    w.clock.advance(30);
    w.origin.setDown(true);
    const r = await get(w.url('/index.html'));
    expect([r.status, r.headers.get('x-cache'), r.headers.get('age'), r.body.toString()]).toEqual([200, 'STALE', '30', CONTENT['/index.html'].toString()]);
  });
});

describe('step 16: ranges for video seeking', () => {
  test('step 16: serves a Range from the cache with 206 and the exact bytes', async ({ transcript }) => {
    const w = await world({ transcript });
    const video = CONTENT['/video.mp4'];
    const seek = await get(w.url('/video.mp4'), { Range: 'bytes=100000-100999' });
    expect([seek.status, seek.headers.get('content-range'), seek.headers.get('content-length')]).toEqual([206, `bytes 100000-100999/${video.length}`, '1000']);
    expect(fingerprint(seek.body)).toBe(fingerprint(video.subarray(100_000, 101_000)));
    const tail = await get(w.url('/video.mp4'), { Range: 'bytes=-500' });
    expect([tail.status, tail.headers.get('x-cache'), tail.headers.get('content-range')]).toEqual([206, 'HIT', `bytes ${video.length - 500}-${video.length - 1}/${video.length}`]);
    expect(fingerprint(tail.body)).toBe(fingerprint(video.subarray(video.length - 500)));
    expect(w.origin.stats.requests).toBe(1); // one whole fetch; every seek after it comes from the cache
  });

  test('step 16: 416 for a range past the end, with bytes */size', async ({ transcript }) => {
    const w = await world({ transcript });
    const r = await get(w.url('/video.mp4'), { Range: 'bytes=999999999-' });
    expect([r.status, r.headers.get('content-range')]).toEqual([416, `bytes */${CONTENT['/video.mp4'].length}`]);
  });
});
