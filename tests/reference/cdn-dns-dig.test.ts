/**
 * The reference DNS server of exercise 13 judged by `dig`, the resolver
 * test tool every DNS operator uses (Debian's bind9-dnsutils, from ISC's
 * BIND): it builds its own queries (EDNS with a cookie option, `+subnet=`
 * for the Client Subnet option, `+edns=1` for a version we do not speak)
 * and prints what it decoded; the tests read that output.
 *
 * Runs where `dig` is on the PATH (Debian/Ubuntu: `apt-get install
 * bind9-dnsutils`); skipped elsewhere, since npm has no dig.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDnsServer } from '@impl/13-cdn/dns-server.ts';
import type { DnsServer } from '@impl/13-cdn/dns-types.ts';
import { findTool, runTool } from '../helpers/cli-process.ts';
import { hasIPv6Loopback } from '../helpers/udp-responder.ts';

const dig = await findTool(['dig'], ['-v']);
const ipv6 = await hasIPv6Loopback();

/** What dig printed, taken apart. */
interface DigAnswer {
  status: string;
  flags: string[];
  /** Records of the ANSWER SECTION as `name ttl class type data`, white space folded. */
  answer: string[];
  authority: string[];
  /** The `; CLIENT-SUBNET: 10.2.0.0/16/16` line's value, if any. */
  subnet?: string;
  /** Whether an OPT PSEUDOSECTION was printed (the response had an OPT record). */
  edns: boolean;
  output: string;
}

/** Runs `dig @server -p port ARGS +tries=1 +time=3` and parses what it printed. */
async function ask(server: { host: string; port: number }, ...args: string[]): Promise<DigAnswer> {
  const run = await runTool(dig!, [`@${server.host}`, '-p', String(server.port), ...args, '+tries=1', '+time=3'], 15_000);
  const output = run.stdout.toString();
  expect(run.code, `dig exited with ${run.code}:\n${output}${run.stderr.toString()}`).toBe(0);
  const section = (title: string): string[] => {
    const start = output.indexOf(`;; ${title} SECTION:`);
    if (start < 0) return [];
    const lines = output.slice(start).split('\n').slice(1);
    return lines.slice(0, lines.findIndex((l) => l.trim() === '')).map((l) => l.trim().split(/\s+/).join(' '));
  };
  return {
    status: /status: (\w+)/.exec(output)?.[1] ?? '(no status line)',
    flags: (/;; flags: ([^;]*);/.exec(output)?.[1] ?? '').trim().split(/\s+/),
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    subnet: /; CLIENT-SUBNET: (\S+)/.exec(output)?.[1],
    edns: output.includes('OPT PSEUDOSECTION'),
    output,
  };
}

describe.skipIf(dig === undefined)(`the DNS server of exercise 13 judged by dig${dig === undefined ? ' (skipped: dig is not installed; apt-get install bind9-dnsutils)' : ''}`, () => {
  let server: DnsServer;
  beforeAll(async () => {
    server = await startDnsServer({ port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('answers video.cdn.test with the edge of the client subnet, and echoes the subnet with its scope', async () => {
    const r = await ask(server, 'video.cdn.test', '+subnet=10.2.0.0/16');
    expect({ status: r.status, aa: r.flags.includes('aa'), answer: r.answer, subnet: r.subnet }, r.output).toEqual({
      status: 'NOERROR',
      aa: true,
      answer: ['video.cdn.test. 20 IN A 127.0.1.2'],
      subnet: '10.2.0.0/16/16',
    });
    expect((await ask(server, 'video.cdn.test', '+subnet=10.3.1.0/24')).answer).toEqual(['video.cdn.test. 20 IN A 127.0.1.3']);
    const hidden = await ask(server, 'video.cdn.test', '+subnet=0');
    expect({ answer: hidden.answer, subnet: hidden.subnet }, 'a /0 subnet: the source address (127.0.0.1) decides, scope 0').toEqual({ answer: ['video.cdn.test. 20 IN A 127.0.1.1'], subnet: '0.0.0.0/0/0' });
  });

  test('without EDNS: the source address decides and the response has no OPT record', async () => {
    const r = await ask(server, 'VIDEO.cdn.TEST', '+noedns');
    expect({ status: r.status, answer: r.answer, edns: r.edns }, r.output).toEqual({ status: 'NOERROR', answer: ['VIDEO.cdn.TEST. 20 IN A 127.0.1.1'], edns: false });
  });

  test('NXDOMAIN with the SOA, NODATA for AAAA, REFUSED outside the zone', async () => {
    const missing = await ask(server, 'nope.cdn.test');
    expect({ status: missing.status, aa: missing.flags.includes('aa'), authority: missing.authority }, missing.output).toEqual({
      status: 'NXDOMAIN',
      aa: true,
      authority: ['cdn.test. 20 IN SOA ns.cdn.test. hostmaster.cdn.test. 1 3600 600 86400 20'],
    });
    const noData = await ask(server, 'video.cdn.test', 'AAAA');
    expect({ status: noData.status, answer: noData.answer, authority: noData.authority.length }, noData.output).toEqual({ status: 'NOERROR', answer: [], authority: 1 });
    const refused = await ask(server, 'example.com');
    expect({ status: refused.status, aa: refused.flags.includes('aa') }, refused.output).toEqual({ status: 'REFUSED', aa: false });
    const soa = await ask(server, 'cdn.test', 'SOA');
    expect(soa.answer, soa.output).toEqual(['cdn.test. 20 IN SOA ns.cdn.test. hostmaster.cdn.test. 1 3600 600 86400 20']);
  });

  test('BADVERS for EDNS version 1 (dig then retries with version 0)', async () => {
    const strict = await ask(server, 'video.cdn.test', '+edns=1', '+noednsnegotiation');
    expect({ status: strict.status, edns: strict.edns }, strict.output).toEqual({ status: 'BADVERS', edns: true });
    const negotiated = await ask(server, 'video.cdn.test', '+edns=1');
    expect(negotiated.answer, negotiated.output).toEqual(['video.cdn.test. 20 IN A 127.0.1.1']);
  });

  test.skipIf(!ipv6)(`answers over IPv6 on ::1${ipv6 ? '' : ' (skipped: no ::1 here)'}`, async () => {
    const six = await startDnsServer({ host: '::1', port: 0 });
    try {
      const r = await ask(six, 'video.cdn.test', '+subnet=10.2.0.0/16');
      expect(r.answer, r.output).toEqual(['video.cdn.test. 20 IN A 127.0.1.2']);
    } finally {
      await six.close();
    }
  });
});
