/**
 * The independent side of the DNS tests: queries built and responses decoded
 * by the `dns-packet` package from npm (not by the code under test), a UDP
 * client that records every datagram into the test's transcript, and a
 * transcript decoder that shows DNS messages as one readable line each:
 *
 *   C: query #4660 video.cdn.test A rd ecs=10.2.0.0/16
 *   S: response #4660 NOERROR aa rd | video.cdn.test A 127.0.1.2 ttl=20 | ecs=10.2.0.0/16 scope=16
 */
import dnsPacket, { type Answer, type DecodedPacket, type RecordType } from 'dns-packet';
import { bindUdp, type Datagram, type Transcript, type TranscriptDecoder, type UdpSocket } from '../../lib/index.ts';

/** A decoded message, with the two fields dns-packet decodes but its types leave out. */
export type DecodedDns = DecodedPacket & { rcode: string; opcode: string };

/** What a test query asks. */
export interface QueryOptions {
  /** @default 0x1234 */
  id?: number;
  /** @default 'video.cdn.test' */
  name?: string;
  /** @default 'A' */
  type?: RecordType;
  /** Recursion desired. @default true */
  rd?: boolean;
  /** Adds an OPT record (EDNS). @default true when `subnet` is given */
  edns?: boolean;
  /** A Client Subnet option, as a recursive resolver sends it. */
  subnet?: { ip: string; prefix: number; family?: number };
}

/** A query encoded by dns-packet. */
export function buildQuery(options: QueryOptions = {}): Buffer {
  const { subnet } = options;
  const opt: Answer = {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: subnet === undefined ? [] : [{ code: 8, family: subnet.family ?? (subnet.ip.includes(':') ? 2 : 1), sourcePrefixLength: subnet.prefix, scopePrefixLength: 0, ip: subnet.ip }],
  };
  return dnsPacket.encode({
    type: 'query',
    id: options.id ?? 0x1234,
    flags: options.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name: options.name ?? 'video.cdn.test', type: options.type ?? 'A', class: 'IN' }],
    additionals: (options.edns ?? subnet !== undefined) ? [opt] : [],
  });
}

/** Decodes a response with dns-packet. */
export function decodeResponse(bytes: Buffer): DecodedDns {
  return dnsPacket.decode(bytes) as DecodedDns;
}

/** The OPT record of a decoded message, if any. */
export function optOf(message: DecodedDns): Extract<Answer, { type: 'OPT' }> | undefined {
  return message.additionals?.find((a): a is Extract<Answer, { type: 'OPT' }> => a.type === 'OPT');
}

/** The Client Subnet option of a decoded message, as dns-packet reads it. */
export function subnetOf(message: DecodedDns): { family?: number; sourcePrefixLength?: number; scopePrefixLength?: number; ip?: string } | undefined {
  return optOf(message)?.options.find((o) => o.code === 8) as { family?: number; sourcePrefixLength?: number; scopePrefixLength?: number; ip?: string } | undefined;
}

/** `name TYPE data ttl=N` for each record of a section. */
function describeRecords(records: readonly Answer[] | undefined): string[] {
  return (records ?? [])
    .filter((r) => r.type !== 'OPT')
    .map((r) => {
      const data = 'data' in r ? (typeof r.data === 'object' && r.data !== null && !Buffer.isBuffer(r.data) ? Object.values(r.data).join(' ') : String(r.data)) : '';
      return `${r.name} ${r.type} ${data} ttl=${'ttl' in r ? r.ttl : '?'}`;
    });
}

/** One line for a DNS message (throws when dns-packet cannot decode it: the transcript then shows hex). */
export function describeDns(bytes: Buffer): string {
  const m = decodeResponse(bytes);
  const flags = (['aa', 'tc', 'rd', 'ra'] as const).filter((f) => m[`flag_${f}`]);
  const opt = optOf(m);
  const subnet = subnetOf(m);
  const edns = opt === undefined ? [] : [`edns${opt.ednsVersion}`, ...(subnet ? [`ecs=${subnet.ip}/${subnet.sourcePrefixLength}${m.flag_qr ? ` scope=${subnet.scopePrefixLength}` : ''}`] : [])];
  const question = (m.questions ?? []).map((q) => `${q.name} ${q.type}`);
  if (!m.flag_qr) return [`query #${m.id}`, ...question, ...flags, ...edns].join(' ');
  const answer = describeRecords(m.answers);
  const authority = describeRecords(m.authorities).map((r) => `authority ${r}`);
  return [[`response #${m.id}`, m.rcode, ...flags].join(' '), ...question, ...answer, ...authority, ...edns].join(' | ');
}

/** Transcript decoder: each datagram as {@link describeDns}. */
export const dnsDecoder: TranscriptDecoder = (bytes) => ({ text: describeDns(bytes), length: bytes.length });

/** A UDP client talking to the server under test, recording into the transcript. */
export class DnsJudge {
  private nextId = 0x4000;

  private constructor(
    private readonly socket: UdpSocket,
    private readonly server: { host: string; port: number },
  ) {}

  /** Opens a client socket (on `localAddress` when given) for `server`. */
  static async open(server: { host: string; port: number }, transcript?: Transcript, localAddress?: string): Promise<DnsJudge> {
    if (transcript) transcript.decoder = dnsDecoder;
    const host = localAddress ?? (server.host.includes(':') ? '::1' : '127.0.0.1');
    return new DnsJudge(await bindUdp({ host, port: 0, transcript }), server);
  }

  /** A fresh query id for this client. */
  id(): number {
    return this.nextId++;
  }

  /** Sends `query` and waits for the response carrying its id (resent once after a second). */
  async ask(query: Buffer, timeoutMs = 1500): Promise<Datagram> {
    const id = query.readUInt16BE(0);
    return this.socket.request(query, this.server, { timeoutMs, retries: 1, match: (d) => d.data.length >= 2 && d.data.readUInt16BE(0) === id });
  }

  /** Sends bytes without waiting for anything. */
  send(bytes: Buffer): Promise<void> {
    return this.socket.send(bytes, this.server);
  }

  /** The next datagram from the server. */
  receive(timeoutMs = 1500): Promise<Datagram> {
    return this.socket.receive({ from: this.server, timeoutMs });
  }

  close(): Promise<void> {
    return this.socket.close();
  }
}
