/**
 * Every number the DNS puts on the wire, with a name (RFC 1035 §3.2, §4.1;
 * EDNS RFC 6891; Client Subnet RFC 7871). Given complete: the same file in
 * exercises/ and solutions/.
 */

/** The header is always 12 bytes; the question starts right after it. */
export const DNS_HEADER_BYTES = 12;
/** Offset of the question's name in every query and response: what `0xC00C` points at. */
export const QUESTION_OFFSET = DNS_HEADER_BYTES;

/** RR TYPE and QTYPE values (RFC 1035 §3.2.2, §3.2.3; AAAA RFC 3596; OPT RFC 6891). */
export const RecordType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  /** QTYPE only: every type (RFC 1035 calls it `*`). */
  ANY: 255,
} as const;

/** CLASS and QCLASS values (RFC 1035 §3.2.4, §3.2.5). Everything real is IN. */
export const RecordClass = {
  IN: 1,
  CH: 3,
  /** QCLASS only: any class. */
  ANY: 255,
} as const;

/** The 4-bit OPCODE of the header (RFC 1035 §4.1.1; NOTIFY RFC 1996, UPDATE RFC 2136). */
export const Opcode = {
  QUERY: 0,
  IQUERY: 1,
  STATUS: 2,
  NOTIFY: 4,
  UPDATE: 5,
} as const;

/**
 * Response codes (RFC 1035 §4.1.1; BADVERS RFC 6891 §6.1.3). Codes above 15
 * do not fit the header's 4 bits: their upper 8 bits travel in the OPT record.
 */
export const Rcode = {
  NOERROR: 0,
  /** The query was malformed (a bad name, a bad OPT record, QDCOUNT ≠ 1). */
  FORMERR: 1,
  SERVFAIL: 2,
  /** The name does not exist (said by the zone's authoritative server). */
  NXDOMAIN: 3,
  /** This kind of query (OPCODE) is not implemented. */
  NOTIMP: 4,
  /** Policy: we do not answer this (a name outside our zone). */
  REFUSED: 5,
  /** The requester speaks an EDNS version we do not (extended code: header 0, OPT 1). */
  BADVERS: 16,
} as const;

/** Names of the response codes, for logs: `RCODE_NAMES[3]` is `'NXDOMAIN'`. */
export const RCODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(Rcode).map(([name, code]) => [code, name]));

/**
 * The flag bits of the header's second 16-bit word (RFC 1035 §4.1.1; AD and
 * CD RFC 4035 §3.2), and where OPCODE and RCODE sit in it:
 *
 *     bit 15  14 13 12 11  10  9  8  7  6  5  4  3 2 1 0
 *        +--+-----------+--+--+--+--+--+--+--+---------+
 *        |QR|  OPCODE   |AA|TC|RD|RA| Z|AD|CD|  RCODE  |
 *        +--+-----------+--+--+--+--+--+--+--+---------+
 */
export const Flag = {
  /** 1 in a response, 0 in a query. */
  QR: 0x8000,
  /** Authoritative answer: the server owns the zone. */
  AA: 0x0400,
  /** Truncated: the answer did not fit the datagram. */
  TC: 0x0200,
  /** Recursion desired: set by the client, copied into the response. */
  RD: 0x0100,
  /** Recursion available: set by a recursive resolver (never by us). */
  RA: 0x0080,
  /** Authentic data (DNSSEC). */
  AD: 0x0020,
  /** Checking disabled (DNSSEC). */
  CD: 0x0010,
} as const;
export const OPCODE_SHIFT = 11;
export const OPCODE_MASK = 0x0f;
export const RCODE_MASK = 0x0f;

/** A label is 1 to 63 bytes: its length byte has the top two bits 00 (RFC 1035 §2.3.4). */
export const MAX_LABEL_BYTES = 63;
/** A whole name on the wire, length bytes and the final zero included (RFC 1035 §2.3.4). */
export const MAX_NAME_BYTES = 255;
/** The top two bits of a length byte say what it is (RFC 1035 §4.1.4). */
export const LABEL_KIND_MASK = 0xc0;
/** Top bits 00: a label of (byte & 0x3f) bytes follows. */
export const LABEL_KIND_NORMAL = 0x00;
/** Top bits 11: this byte and the next are a pointer; the low 14 bits are an offset in the message. */
export const LABEL_KIND_POINTER = 0xc0;
/** The 14 bits of a pointer's offset: pointers reach only the first 16 KiB of a message. */
export const POINTER_OFFSET_MASK = 0x3fff;

/** EDNS option codes (RFC 6891 §6.1.2; the IANA registry). */
export const EdnsOptionCode = {
  /** Client Subnet (RFC 7871). */
  ECS: 8,
  /** DNS Cookies (RFC 7873): dig sends one; we ignore it. */
  COOKIE: 10,
} as const;

/** Address families of an ECS option (IANA address family numbers). */
export const AddressFamily = {
  /** Only with SOURCE PREFIX-LENGTH 0: "do not use my address" (RFC 7871 §7.1.2). */
  NONE: 0,
  IPV4: 1,
  IPV6: 2,
} as const;

/** The only EDNS version there is. */
export const EDNS_VERSION = 0;
/** The DO bit ("DNSSEC OK") in the low 16 bits of the OPT record's TTL (RFC 3225). */
export const EDNS_DO_BIT = 0x8000;
/** The UDP payload size we announce in our OPT record: what fits any path without fragments (DNS flag day 2020). */
export const EDNS_UDP_PAYLOAD_BYTES = 1232;
/** Without EDNS a UDP DNS message is at most 512 bytes (RFC 1035 §4.2.1). Our answers always fit. */
export const CLASSIC_UDP_PAYLOAD_BYTES = 512;

/** Fixed part of a resource record after its name: TYPE, CLASS, TTL, RDLENGTH (2 + 2 + 4 + 2). */
export const RECORD_FIXED_BYTES = 10;
/** Fixed part of an ECS option's data before the address: FAMILY, SOURCE and SCOPE PREFIX-LENGTH. */
export const ECS_FIXED_BYTES = 4;

/** How long resolvers may cache our answers, unless configured otherwise: short, so clients move when edges change. */
export const DEFAULT_TTL_SECONDS = 20;
/** The CDN's zone unless configured otherwise. */
export const DEFAULT_ZONE = 'cdn.test';
/** The names under the zone that the edges serve, unless configured otherwise. */
export const DEFAULT_NAMES: readonly string[] = ['video'];
/** Edge K listens on 127.0.1.K: an A record alone then picks an edge. */
export const DEFAULT_EDGE_COUNT = 3;

/** The SOA record's timers (RFC 1035 §3.3.13), in seconds: we have no secondaries, so they matter little. */
export const SOA_TIMERS = { serial: 1, refresh: 3600, retry: 600, expire: 86_400 } as const;
