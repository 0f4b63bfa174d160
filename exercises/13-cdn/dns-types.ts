/**
 * The shapes the DNS half of the CDN passes around: what the parsers read,
 * what the encoder writes, the zone, and the server's options. Given
 * complete: the same file in exercises/ and solutions/.
 */
import type { RecordType } from './dns-constants.ts';
import type { RegionMap } from './regions.ts';

/** The 12-byte header (RFC 1035 §4.1.1), field by field. */
export interface DnsHeader {
  /** Chosen by the client; the response carries the same one. */
  id: number;
  /** true in a response. */
  qr: boolean;
  /** 0 for a standard query (see `Opcode`). */
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The low 4 bits of the response code (see `Rcode`). */
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/** A domain name read from a message. */
export interface DecodedName {
  /**
   * The labels in presentation form, in the case they were sent: a dot inside
   * a label is written `\.`, a backslash `\\`, a byte that is not printable
   * ASCII `\DDD` (three decimal digits). The root name has no labels.
   */
  labels: string[];
  /**
   * Where each label's length byte stands in the message, pointers followed:
   * the name made of labels i… can be pointed at with offsets[i].
   */
  offsets: number[];
  /** The offset right after the name where it started: after its first pointer, or after its zero byte. */
  end: number;
}

/** The question section's one entry (RFC 1035 §4.1.2). */
export interface DnsQuestion extends DecodedName {
  /** The name as text, `video.cdn.test` (no final dot; `.` for the root). */
  name: string;
  /** QTYPE (see `RecordType`). */
  type: number;
  /** QCLASS (see `RecordClass`). */
  class: number;
  /** The whole question as received (name, QTYPE, QCLASS): the response echoes it byte for byte. */
  bytes: Buffer;
}

/** The Client Subnet option (RFC 7871 §6) as sent. */
export interface ClientSubnet {
  /** 1 IPv4, 2 IPv6 (0 only with a source prefix of 0). */
  family: number;
  /** How many leading bits of the address the client reveals. */
  sourcePrefix: number;
  /** In a query 0; in a response, how many leading bits the answer depends on. */
  scopePrefix: number;
  /** The address bytes exactly as sent: ceil(sourcePrefix / 8) of them, zero past the prefix. */
  address: Buffer;
}

/** The query's OPT pseudo-record (RFC 6891 §6.1.2, §6.1.3), read. */
export interface EdnsQuery {
  /** The requester's UDP payload size (the OPT record's CLASS). */
  udpPayloadSize: number;
  /** Upper 8 bits of the requester's extended RCODE (0 in a query). */
  extendedRcode: number;
  /** EDNS version; only 0 exists. */
  version: number;
  /** The DO bit: the requester wants DNSSEC records (we have none, but copy the bit). */
  dnssecOk: boolean;
  /** The Client Subnet option, when the query carries one. */
  clientSubnet?: ClientSubnet;
}

/** Fields every record of a response has. The CLASS is always IN. */
interface RecordBase {
  /** The owner name, as plain text (`video.cdn.test`). */
  name: string;
  /** Seconds a resolver may cache it. */
  ttl: number;
}

/** An A (IPv4) or AAAA (IPv6) record. */
export interface AddressRecord extends RecordBase {
  type: typeof RecordType.A | typeof RecordType.AAAA;
  /** `127.0.1.2` or `::1`. */
  address: string;
}

/** The zone's SOA record (RFC 1035 §3.3.13); in a negative answer it tells resolvers how long to remember "no". */
export interface SoaRecord extends RecordBase {
  type: typeof RecordType.SOA;
  /** The primary name server's name. */
  mname: string;
  /** The administrator's mailbox, `hostmaster.cdn.test` for hostmaster@cdn.test. */
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  /** How long resolvers may cache a negative answer (RFC 2308 §4). */
  minimum: number;
}

/** A record our server can put in a response. */
export type DnsRecord = AddressRecord | SoaRecord;

/** The OPT record of a response. */
export interface EdnsReply {
  /** The UDP payload size we can receive. */
  udpPayloadSize: number;
  /** Copied from the query (RFC 3225 §3). */
  dnssecOk: boolean;
  /** The query's option echoed, SCOPE PREFIX-LENGTH set to the bits the answer depends on. */
  clientSubnet?: ClientSubnet;
}

/** Everything a response holds, before it is encoded. */
export interface DnsResponse {
  /** The query's id. */
  id: number;
  /** The query's opcode. */
  opcode: number;
  /** Authoritative answer: true for answers from our zone (NOERROR, NXDOMAIN). */
  aa: boolean;
  /** Copied from the query. */
  rd: boolean;
  /** The response code; a code above 15 (BADVERS) puts its upper bits in the OPT record. */
  rcode: number;
  /** The query's question, echoed byte for byte; absent when it could not be read. */
  question?: Pick<DnsQuestion, 'bytes' | 'labels' | 'offsets'>;
  answers: readonly DnsRecord[];
  /** The authority section: the zone's SOA in a negative answer. */
  authority: readonly DnsRecord[];
  /** Present exactly when the query had an OPT record. */
  edns?: EdnsReply;
}

/** What the server serves, checked and ready to use (built by `buildZone`). */
export interface DnsZone {
  /** The zone's name in lower case, `cdn.test`. */
  apex: string;
  /** The names the edges serve, in lower case, `video.cdn.test`. */
  names: ReadonlySet<string>;
  /** Edge K's address is edges[K - 1]. */
  edges: readonly string[];
  /** Which edge serves which client addresses. */
  regions: RegionMap;
  /** The edge of clients in no region. */
  defaultEdge: number;
  /** TTL of every record we send, in seconds. */
  ttlSeconds: number;
  /** The zone's SOA record, for negative answers. */
  soa: SoaRecord;
}

/** What the answer function decided, with the bytes to send. */
export interface DnsAnswer {
  /** The response datagram. */
  response: Buffer;
  /** The response code (see `Rcode`; BADVERS is 16). */
  rcode: number;
  /** The question's name as sent, when it could be read. */
  name?: string;
  /** QTYPE, when the question could be read. */
  type?: number;
  /** The client subnet that chose the edge (`10.2.0.0/16`); absent when the source address did. */
  subnet?: string;
  /** The edge chosen (1…N), when the answer holds an address. */
  edge?: number;
  /** The address sent, when the answer holds one. */
  address?: string;
}

/** The zone's configuration: what `buildZone` checks and `startDnsServer` takes. */
export interface DnsZoneOptions {
  /**
   * The CDN's zone: its server answers for names under it and refuses all others.
   * @default 'cdn.test'
   */
  zone?: string;
  /**
   * Names under the zone that the edges serve (`video` → `video.cdn.test`).
   * @default ['video']
   */
  names?: readonly string[];
  /**
   * Edge addresses: edge K is `edges[K - 1]`. An IPv4 address is sent in an A
   * record, an IPv6 one in an AAAA record.
   * @default ['127.0.1.1', '127.0.1.2', '127.0.1.3']
   */
  edges?: readonly string[];
  /**
   * Client subnet → edge number. The longest matching prefix wins.
   * @default 10.K.0.0/16 → K for every edge K
   * @example { '10.1.0.0/16': 1, '10.2.0.0/16': 2, '2001:db8::/32': 2 }
   */
  regions?: Readonly<Record<string, number>>;
  /**
   * The edge of clients in no region.
   * @default 1
   */
  defaultEdge?: number;
  /**
   * TTL of the records we send, in seconds: short, so clients move soon when the map changes.
   * @default 20
   */
  ttlSeconds?: number;
}

/** One query the server handled, for `-v` logs. */
export interface DnsQueryEvent extends Omit<DnsAnswer, 'response' | 'rcode'> {
  /** Who asked. */
  client: { host: string; port: number };
  /** The response code sent; undefined when the datagram was dropped (too short, or a response). */
  rcode?: number;
}

/** Options of `startDnsServer`. */
export interface DnsServerOptions extends DnsZoneOptions {
  /**
   * Address to listen on; `'::1'` or `'::'` for IPv6 (`'::'` takes IPv4 clients too on most systems).
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * UDP port; 0 lets the system choose (read it from `server.port`).
   * @default 0
   */
  port?: number;
  /** Called after every datagram, answered or dropped. An exception it throws is reported and ignored. */
  onQuery?: (event: DnsQueryEvent) => void;
}

/** Counters of a running server. */
export interface DnsServerStats {
  /** Datagrams received. */
  datagrams: number;
  /** Responses sent. */
  responses: number;
  /** Datagrams dropped without an answer. */
  dropped: number;
}

/** A running DNS server. */
export interface DnsServer {
  /** The address it listens on. */
  readonly host: string;
  /** The UDP port it listens on. */
  readonly port: number;
  readonly stats: Readonly<DnsServerStats>;
  /** Stops listening; resolves once the socket is closed. */
  close(): Promise<void>;
}
