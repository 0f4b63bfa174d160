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
import type { ClientSubnet, DnsAnswer, DnsQuestion, DnsRecord, DnsResponse, DnsZone, EdnsReply } from './dns-types.ts';
import { chooseEdge, parseIp } from './regions.ts';

/** What the zone says about one question, before it is encoded. */
interface Decision {
  rcode: number;
  answers: DnsRecord[];
  authority: DnsRecord[];
  /** Bits of the client subnet the answer depends on (0: none). */
  scopePrefix: number;
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
  if (message.length < DNS_HEADER_BYTES) return undefined;
  const header = parseHeader(message);
  if (header.qr) return undefined;
  const base = { id: header.id, opcode: header.opcode, rd: header.rd, aa: false, answers: [], authority: [] };
  if (header.opcode !== Opcode.QUERY) return finish({ ...base, rcode: Rcode.NOTIMP });
  if (header.qdcount !== 1) return finish({ ...base, rcode: Rcode.FORMERR });

  let question: DnsQuestion;
  try {
    question = parseQuestion(message, QUESTION_OFFSET);
  } catch (error) {
    if (error instanceof DnsFormatError) return finish({ ...base, rcode: Rcode.FORMERR });
    throw error;
  }
  const asked = { name: question.name, type: question.type };

  let edns;
  try {
    edns = readEdns(message, question.end, header);
  } catch (error) {
    if (!(error instanceof DnsFormatError)) throw error;
    // A broken OPT record still says "I speak EDNS": answer with one, so the
    // client can tell a format error from a server that knows no EDNS.
    const reply = OPT_ERROR_KINDS.has(error.kind) ? { udpPayloadSize: EDNS_UDP_PAYLOAD_BYTES, dnssecOk: false } : undefined;
    return finish({ ...base, rcode: Rcode.FORMERR, question, edns: reply }, asked);
  }
  const reply: EdnsReply | undefined = edns && { udpPayloadSize: EDNS_UDP_PAYLOAD_BYTES, dnssecOk: edns.dnssecOk };
  if (edns !== undefined && edns.version !== EDNS_VERSION) return finish({ ...base, rcode: Rcode.BADVERS, question, edns: reply }, asked);

  const decision = decide(question, edns?.clientSubnet, source, zone);
  if (reply !== undefined && edns?.clientSubnet !== undefined) {
    // RFC 7871 §7.2.1: echo FAMILY, SOURCE PREFIX-LENGTH and ADDRESS; SCOPE says how much of it mattered.
    reply.clientSubnet = { ...edns.clientSubnet, scopePrefix: decision.scopePrefix };
  }
  const aa = decision.rcode !== Rcode.REFUSED;
  const { rcode, answers, authority, subnet, edge, address } = decision;
  return finish({ ...base, aa, rcode, question, answers, authority, edns: reply }, { ...asked, subnet, edge, address });
}

/** Encodes the response and says what was decided, for the server's log. */
function finish(response: DnsResponse, log: Omit<DnsAnswer, 'response' | 'rcode'> = {}): DnsAnswer {
  return { response: encodeResponse(response), rcode: response.rcode, ...log };
}

/** Looks the question up in the zone (the table at the top of this file). */
function decide(question: DnsQuestion, subnet: ClientSubnet | undefined, source: string, zone: DnsZone): Decision {
  const refused: Decision = { rcode: Rcode.REFUSED, answers: [], authority: [], scopePrefix: 0 };
  if (question.class !== RecordClass.IN && question.class !== RecordClass.ANY) return refused;
  const name = question.name.toLowerCase();
  if (name !== zone.apex && !name.endsWith(`.${zone.apex}`)) return refused;
  const noData: Decision = { rcode: Rcode.NOERROR, answers: [], authority: [zone.soa], scopePrefix: 0 };
  if (name === zone.apex) {
    const wantsSoa = question.type === RecordType.SOA || question.type === RecordType.ANY;
    return wantsSoa ? { ...noData, answers: [{ ...zone.soa, name: question.name }], authority: [] } : noData;
  }
  if (!zone.names.has(name)) return { ...noData, rcode: Rcode.NXDOMAIN };

  // The client's subnet when the query carries one (and reveals at least one
  // bit), else the address the query came from.
  const subnetAddress = subnet !== undefined && subnet.sourcePrefix > 0 ? clientSubnetAddress(subnet) : undefined;
  const clientAddress = subnetAddress ?? parseIp(source);
  const choice = clientAddress === undefined ? { edge: zone.defaultEdge, scopePrefix: 0 } : chooseEdge(zone.regions, clientAddress, zone.defaultEdge);
  const scopePrefix = subnetAddress === undefined ? 0 : choice.scopePrefix;
  const used = subnetAddress === undefined ? {} : { subnet: clientSubnetText(subnet!) };
  const address = zone.edges[choice.edge - 1]!;
  const type = parseIp(address)?.length === 4 ? RecordType.A : RecordType.AAAA;
  if (question.type !== type && question.type !== RecordType.ANY) return { ...noData, scopePrefix, ...used };
  return {
    rcode: Rcode.NOERROR,
    answers: [{ name: question.name, type, ttl: zone.ttlSeconds, address }],
    authority: [],
    scopePrefix,
    ...used,
    edge: choice.edge,
    address,
  };
}
