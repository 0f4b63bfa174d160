/**
 * Reliability of the reference DNS server of exercise 13 (run against
 * solutions/): whatever bytes come in, the parsers fail only with
 * DnsFormatError, the answer function never throws, every response it sends
 * is a message dns-packet can decode, with the query's id, and the server
 * keeps answering. Seeded (fast-check and mulberry32), a few seconds in all.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { answerQuery } from '@impl/13-cdn/dns-answer.ts';
import { readEdns } from '@impl/13-cdn/dns-edns.ts';
import { DnsFormatError } from '@impl/13-cdn/dns-errors.ts';
import { parseHeader } from '@impl/13-cdn/dns-header.ts';
import { decodeName } from '@impl/13-cdn/dns-name.ts';
import { parseQuestion } from '@impl/13-cdn/dns-question.ts';
import { startDnsServer } from '@impl/13-cdn/dns-server.ts';
import { buildZone } from '@impl/13-cdn/dns-zone.ts';
import { mulberry32 } from 'wirelab';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { DnsJudge, buildQuery, decodeResponse } from '../helpers/dns-judge.ts';
import { mutate } from '../helpers/mutate.ts';

const track = closeAfterEach();
const zone = buildZone();

/** Runs every parser over `bytes`; anything thrown but DnsFormatError fails. */
function onlyFormatErrors(bytes: Buffer): void {
  const attempt = (run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof DnsFormatError)) throw error;
      expect(error.offset).toBeGreaterThanOrEqual(0);
      expect(error.offset).toBeLessThanOrEqual(bytes.length + 2);
    }
  };
  attempt(() => {
    const header = parseHeader(bytes);
    const question = parseQuestion(bytes, 12);
    readEdns(bytes, question.end, header);
  });
  for (let at = 0; at < Math.min(bytes.length, 40); at += 7) attempt(() => decodeName(bytes, at));
}

/** answerQuery never throws; an answer is a decodable response with the query's id. */
function answersSanely(bytes: Buffer, source = '10.2.0.1'): void {
  const answer = answerQuery(bytes, source, zone);
  if (answer === undefined) return;
  const decoded = decodeResponse(answer.response);
  expect(decoded.id).toBe(bytes.readUInt16BE(0));
  expect(decoded.flag_qr).toBe(true);
  expect(answer.response.length).toBeLessThanOrEqual(512);
}

/** Queries dns-packet builds: names in and out of the zone, several types, with and without a subnet. */
const validQuery = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    name: fc.oneof(
      fc.constantFrom('video.cdn.test', 'VIDEO.CDN.TEST', 'cdn.test', 'nope.cdn.test', 'example.com', 'a.b.c.video.cdn.test'),
      fc.array(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.')),
    ),
    type: fc.constantFrom('A', 'AAAA', 'MX', 'TXT', 'SOA', 'NS', 'ANY', 'CNAME') as fc.Arbitrary<'A'>,
    rd: fc.boolean(),
    subnet: fc.option(
      fc.oneof(
        fc.record({ ip: fc.ipV4().map((ip) => ip.replace(/\.\d+$/, '.0')), prefix: fc.integer({ min: 0, max: 24 }) }).map(({ ip, prefix }) => ({ ip: maskIPv4(ip, prefix), prefix })),
        fc.constant({ ip: '2001:db8::', prefix: 32 }),
      ),
      { nil: undefined },
    ),
  })
  .map((o) => buildQuery(o));

/** The address with the bits past `prefix` cleared (a well-formed ECS address). */
function maskIPv4(ip: string, prefix: number): string {
  const n = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const masked = prefix === 0 ? 0 : n - (n % 2 ** (32 - prefix));
  return [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256).join('.');
}

describe('the DNS parsers and answer function under fuzz', () => {
  test('random bytes: only DnsFormatError, and answers that decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (a) => {
        const bytes = Buffer.from(a);
        onlyFormatErrors(bytes);
        answersSanely(bytes);
      }),
      { numRuns: 3000, seed: 13 },
    );
    // Random bytes after a plausible header (a query, one question): deeper into the name reader.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.integer({ min: 0, max: 3 }), (a, arcount) => {
        const bytes = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, arcount]), Buffer.from(a)]);
        onlyFormatErrors(bytes);
        answersSanely(bytes);
      }),
      { numRuns: 3000, seed: 14 },
    );
  });

  test('valid queries with bytes flipped, dropped, added or cut off', () => {
    fc.assert(
      fc.property(validQuery, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom(...(['flip', 'drop', 'insert', 'cut', 'pointer'] as const)), (good, at, byte, how) => {
        const bad = mutate(good, at, byte, how);
        onlyFormatErrors(bad);
        answersSanely(bad);
      }),
      { numRuns: 4000, seed: 15 },
    );
  });

  test('every valid query gets its question back, and an answer when it asks for video A', () => {
    fc.assert(
      fc.property(validQuery, (query) => {
        const answer = answerQuery(query, '10.3.0.9', zone);
        expect(answer).toBeDefined();
        const decoded = decodeResponse(answer!.response);
        const asked = decodeResponse(query);
        expect(decoded.questions).toEqual(asked.questions);
        const name = asked.questions![0]!.name.toLowerCase();
        const type: string = asked.questions![0]!.type;
        const answered = (name === 'video.cdn.test' && ['A', 'ANY'].includes(type)) || (name === 'cdn.test' && ['SOA', 'ANY'].includes(type));
        expect(decoded.answers?.length, `${name} ${type}`).toBe(answered ? 1 : 0);
      }),
      { numRuns: 1500, seed: 16 },
    );
  });
});

describe('the DNS server under fuzz', () => {
  test('thousands of random and broken datagrams: no warning, and it answers afterwards', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const server = track(await startDnsServer({ port: 0 }));
      const judge = track(await DnsJudge.open(server));
      const random = mulberry32(0xd115);
      const good = buildQuery({ subnet: { ip: '10.2.0.0', prefix: 16 } });
      for (let batch = 0; batch < 40; batch++) {
        for (let i = 0; i < 50; i++) {
          let junk: Buffer;
          if (i % 2 === 0) junk = Buffer.from(Array.from({ length: Math.floor(random() * 100) }, () => Math.floor(random() * 256)));
          else {
            junk = Buffer.from(good);
            for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) junk[Math.floor(random() * junk.length)] = Math.floor(random() * 256);
            if (random() < 0.3) junk = junk.subarray(0, Math.floor(random() * junk.length));
          }
          await judge.send(junk);
        }
        // A socket's receive buffer holds only so many datagrams: pause for one answer per batch.
        const reply = await judge.ask(buildQuery({ id: 0xf000 + batch, subnet: { ip: '10.3.0.0', prefix: 16 } }));
        expect(decodeResponse(reply.data).answers?.map((a) => ('data' in a ? a.data : undefined))).toEqual(['127.0.1.3']);
      }
      expect(server.stats.datagrams).toBeGreaterThanOrEqual(2000);
      expect(warnings, 'the server reported a bug while answering').toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  }, 60_000);
});
