/**
 * The whole DNS server as one pure function: a query's bytes, the address it
 * came from and the zone in; the response's bytes out (or nothing). The
 * socket layer (dns-server.ts) only moves datagrams.
 *
 * What each kind of query gets:
 *
 *   fewer than 12 bytes, or QR set (a response)   nothing: there is no one to answer, or it
 *                                                 is an answer itself (answering answers can
 *                                                 loop between two servers forever)
 *   OPCODE other than QUERY                       NOTIMP
 *   QDCOUNT ≠ 1, a question that cannot be read    FORMERR (with the question when it was read)
 *   a bad OPT record or Client Subnet option      FORMERR, with an OPT record (RFC 6891 §7)
 *   EDNS version above 0                          BADVERS (RFC 6891 §6.1.3)
 *   a class other than IN, a name outside the zone REFUSED: we are nobody's resolver
 *   a name of the zone the edges serve, type A     NOERROR, AA, the nearest edge's address
 *   …of another type (AAAA, MX…)                  NOERROR, AA, no answer, the SOA ("NODATA")
 *   the zone's own name                           its SOA for type SOA, else NODATA
 *   any other name in the zone                    NXDOMAIN, AA, the SOA in the authority
 *                                                 section (RFC 2308: it says how long
 *                                                 resolvers may remember that "no")
 *
 * Names compare without regard to case; the response echoes the question as
 * sent, so a resolver that mixes the case of its queries (the "0x20" defence
 * against forged answers) finds its own spelling back.
 */
import { DNS_HEADER_BYTES, EDNS_UDP_PAYLOAD_BYTES, EDNS_VERSION, Opcode, QUESTION_OFFSET, Rcode, RecordClass, RecordType } from './dns-constants.ts';
import { clientSubnetAddress, clientSubnetText, readEdns } from './dns-edns.ts';
import { DnsFormatError, OPT_ERROR_KINDS } from './dns-errors.ts';
import { parseHeader } from './dns-header.ts';
import { parseQuestion } from './dns-question.ts';
import { encodeResponse } from './dns-response.ts';
import type { ClientSubnet, DnsAnswer, DnsQuestion, DnsRecord, DnsResponse, DnsZone, EdnsQuery } from './dns-types.ts';
import { chooseEdge, parseIp } from './regions.ts';

/** What the zone says about one question, before it is encoded. */
interface Decision {
  rcode: number;
  answers: DnsRecord[];
  authority: DnsRecord[];
  /** Bits of the client subnet the answer depends on (0: none). */
  scopePrefix: number;
  /** The subnet that chose the edge, for the log. */
  subnet?: string;
  edge?: number;
  address?: string;
}

/**
 * Answers one datagram. Returns undefined for a datagram to drop (shorter
 * than a header, or a response). Never throws for bad input: every parse
 * error becomes FORMERR.
 */
export function answerQuery(message: Buffer, source: string, zone: DnsZone): DnsAnswer | undefined {
  // TODO: undefined (silence) for fewer than 12 bytes and for responses (QR set).
  // TODO: NOTIMP for an opcode other than QUERY; FORMERR for QDCOUNT ≠ 1 or a question that cannot be
  // TODO: read (no question echoed then). readEdns: a DnsFormatError is FORMERR, with an OPT record when
  // TODO: its kind is in OPT_ERROR_KINDS. EDNS version above 0: BADVERS. Otherwise decide(), and echo the
  // TODO: Client Subnet option with SCOPE set to the decision's scopePrefix. AA for all but REFUSED.
  // TODO: Answer with an OPT record exactly when the query had one. finish() encodes each outcome.
  // TODO: Only DnsFormatError may become FORMERR: anything else is a bug, let it throw.
  throw new Error('TODO(13-cdn): answerQuery');
}

/** Encodes the response with `rcode`, and says what was decided, for the server's log. */
function finish(response: DnsResponse, rcode: number, question?: DnsQuestion, decision?: Decision): DnsAnswer {
  response.rcode = rcode;
  return {
    response: encodeResponse(response),
    rcode,
    name: question?.name,
    type: question?.type,
    subnet: decision?.subnet,
    edge: decision?.edge,
    address: decision?.address,
  };
}

/** Looks the question up in the zone (the table at the top of this file). */
function decide(question: DnsQuestion, subnet: ClientSubnet | undefined, source: string, zone: DnsZone): Decision {
  // TODO: the table at the top of this file: REFUSED for a class other than IN (or ANY) and for names
  // TODO: outside the zone (compare without case, label by label: xcdn.test is not in cdn.test); the apex
  // TODO: has its SOA; an unknown name is NXDOMAIN with the SOA in the authority section. For a name the
  // TODO: edges serve, the client is the subnet's address when the option reveals at least one bit, else
  // TODO: `source`; chooseEdge picks the edge. Answer with its address when QTYPE is its family's type (or
  // TODO: ANY), else NODATA. scopePrefix is 0 unless the subnet chose.
  throw new Error('TODO(13-cdn): decide');
}
