/**
 * The corners of the protocol the graded tests of exercise 13 leave out, on
 * the reference solution: EDNS versions and flags, opcodes we do not
 * implement, IPv6 edges, ANY, and configuration errors. Responses are decoded
 * by dns-packet.
 */
import dnsPacket from 'dns-packet';
import { describe, expect, test } from 'vitest';
import { answerQuery } from '@impl/13-cdn/dns-answer.ts';
import { startDnsServer } from '@impl/13-cdn/dns-server.ts';
import { DnsWriter } from '@impl/13-cdn/dns-writer.ts';
import { buildZone } from '@impl/13-cdn/dns-zone.ts';
import { parseRegionSpec } from '@impl/13-cdn/regions.ts';
import { buildQuery, decodeResponse, optOf, subnetOf } from '../helpers/dns-judge.ts';

const zone = buildZone();

function answer(query: Buffer, source = '10.2.0.1', z = zone) {
  const a = answerQuery(query, source, z);
  expect(a, 'expected a response').toBeDefined();
  return decodeResponse(a!.response);
}

describe('EDNS corners', () => {
  test('BADVERS for EDNS version 1: header RCODE 0, extended RCODE 1 in our OPT (RFC 6891 §6.1.3)', () => {
    const query = dnsPacket.encode({
      type: 'query',
      id: 0x0e0e,
      questions: [{ name: 'video.cdn.test', type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] }],
    });
    const r = answer(query);
    expect({ rcode: r.rcode, extended: optOf(r)?.extendedRcode, version: optOf(r)?.ednsVersion, answers: r.answers }).toEqual({ rcode: 'NOERROR', extended: 1, version: 0, answers: [] });
  });

  test('the DO bit is copied, and we announce a 1232-byte payload', () => {
    const query = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [{ name: 'video.cdn.test', type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
    });
    const opt = optOf(answer(query));
    expect({ do: opt?.flag_do, size: opt?.udpPayloadSize }).toEqual({ do: true, size: 1232 });
  });

  test('a subnet of another family than the regions: the default edge, scope 0', () => {
    const r = answer(buildQuery({ subnet: { ip: '2001:db8::', prefix: 32 } }));
    expect({ data: r.answers?.map((a) => ('data' in a ? a.data : '')), scope: subnetOf(r)?.scopePrefixLength }).toEqual({ data: ['127.0.1.1'], scope: 0 });
  });
});

describe('other queries', () => {
  test('NOTIMP for an opcode other than QUERY (NOTIFY, UPDATE)', () => {
    for (const opcode of [4, 5]) {
      const query = buildQuery();
      query[2] = (query[2]! & 0x87) | (opcode << 3);
      const r = answer(query);
      expect({ rcode: r.rcode, questions: r.questions }).toEqual({ rcode: 'NOTIMP', questions: [] });
    }
  });

  test('ANY gets the A record; an IPv6 edge is sent in AAAA and its A query is NODATA', () => {
    expect(answer(buildQuery({ type: 'ANY' as 'A' })).answers?.map((a) => a.type)).toEqual(['A']);
    const mixed = buildZone({ edges: ['127.0.1.1', '::1'], regions: { '10.2.0.0/16': 2 } });
    const six = answer(buildQuery({ type: 'AAAA' }), '10.2.0.1', mixed);
    expect(six.answers?.map((a) => `${a.type} ${'data' in a ? String(a.data) : ''}`)).toEqual(['AAAA ::1']);
    const four = answer(buildQuery(), '10.2.0.1', mixed);
    expect({ rcode: four.rcode, answers: four.answers, authority: four.authorities?.map((a) => a.type) }).toEqual({ rcode: 'NOERROR', answers: [], authority: ['SOA'] });
  });

  test('the writer grows past 512 bytes', () => {
    const w = new DnsWriter(16);
    const names = Array.from({ length: 40 }, (_, i) => `${'x'.repeat(30)}${i}.z${i}`);
    for (const name of names) w.name(name);
    const out = w.finish();
    expect(out.length, 'nothing to compress: every name written in full').toBe(names.reduce((sum, n) => sum + n.length + 2, 0));
    const packetName = (dnsPacket as unknown as { name: { decode(b: Buffer, at: number): string } }).name;
    expect(packetName.decode(out, out.length - names.at(-1)!.length - 2)).toBe(names.at(-1));
  });
});

describe('configuration', () => {
  test('bad options are one clear RangeError', async () => {
    const cases: Array<[string, Parameters<typeof buildZone>[0], RegExp]> = [
      ['edge 4 of 3', { regions: { '10.9.0.0/16': 4 } }, /edge 4 does not exist/],
      ['host bits', { regions: { '10.2.3.0/16': 2 } }, /did you mean 10\.2\.0\.0\/16/],
      ['no edges', { edges: [] }, /at least one edge/],
      ['a bad edge', { edges: ['edge-one'] }, /not an IP address/],
      ['a bad zone', { zone: 'cdn..test' }, /not a valid domain name/],
      ['a bad default edge', { defaultEdge: 9 }, /default edge 9/],
      ['a negative TTL', { ttlSeconds: -1 }, /TTL -1/],
    ];
    for (const [why, options, message] of cases) expect(() => buildZone(options), why).toThrow(message);
    await expect(startDnsServer({ port: 0, regions: { 'nonsense': 1 } })).rejects.toThrow(RangeError);
    expect(parseRegionSpec('10.2.0.0/16=2')).toEqual({ cidr: '10.2.0.0/16', edge: 2 });
    expect(() => parseRegionSpec('10.2.0.0/16')).toThrow(/SUBNET=EDGE/);
  });

  test('a taken port is the system error', async () => {
    const first = await startDnsServer({ port: 0 });
    try {
      await expect(startDnsServer({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
