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
  if (message.length < DNS_HEADER_BYTES) return undefined;
  const header = parseHeader(message);
  if (header.qr) return undefined;
  // Filled in as we learn more; every exit below encodes it as it stands then.
  const response: DnsResponse = { id: header.id, opcode: header.opcode, aa: false, rd: header.rd, rcode: Rcode.NOERROR, answers: [], authority: [] };
  if (header.opcode !== Opcode.QUERY) return finish(response, Rcode.NOTIMP);
  if (header.qdcount !== 1) return finish(response, Rcode.FORMERR);

  let question: DnsQuestion;
  try {
    question = parseQuestion(message, QUESTION_OFFSET);
  } catch (error) {
    if (error instanceof DnsFormatError) return finish(response, Rcode.FORMERR);
    throw error;
  }
  response.question = question;

  let edns: EdnsQuery | undefined;
  try {
    edns = readEdns(message, question.end, header);
  } catch (error) {
    if (!(error instanceof DnsFormatError)) throw error;
    // A broken OPT record still says "I speak EDNS": answer with one, so the
    // client can tell a format error from a server that knows no EDNS.
    if (OPT_ERROR_KINDS.has(error.kind)) response.edns = { udpPayloadSize: EDNS_UDP_PAYLOAD_BYTES, dnssecOk: false };
    return finish(response, Rcode.FORMERR, question);
  }
  if (edns !== undefined) response.edns = { udpPayloadSize: EDNS_UDP_PAYLOAD_BYTES, dnssecOk: edns.dnssecOk };
  if (edns !== undefined && edns.version !== EDNS_VERSION) return finish(response, Rcode.BADVERS, question);

  const decision = decide(question, edns?.clientSubnet, source, zone);
  const subnet = edns?.clientSubnet;
  if (response.edns !== undefined && subnet !== undefined) {
    // RFC 7871 §7.2.1: echo FAMILY, SOURCE PREFIX-LENGTH and ADDRESS; SCOPE says how much of it mattered.
    response.edns.clientSubnet = { family: subnet.family, sourcePrefix: subnet.sourcePrefix, scopePrefix: decision.scopePrefix, address: subnet.address };
  }
  response.aa = decision.rcode !== Rcode.REFUSED;
  response.answers = decision.answers;
  response.authority = decision.authority;
  return finish(response, decision.rcode, question, decision);
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
  if (question.class !== RecordClass.IN && question.class !== RecordClass.ANY) return { rcode: Rcode.REFUSED, answers: [], authority: [], scopePrefix: 0 };
  const name = question.name.toLowerCase();
  if (name !== zone.apex && !name.endsWith(`.${zone.apex}`)) return { rcode: Rcode.REFUSED, answers: [], authority: [], scopePrefix: 0 };
  if (name === zone.apex) {
    if (question.type === RecordType.SOA || question.type === RecordType.ANY) return { rcode: Rcode.NOERROR, answers: [zone.soa], authority: [], scopePrefix: 0 };
    return { rcode: Rcode.NOERROR, answers: [], authority: [zone.soa], scopePrefix: 0 };
  }
  if (!zone.names.has(name)) return { rcode: Rcode.NXDOMAIN, answers: [], authority: [zone.soa], scopePrefix: 0 };

  // The client's subnet when the query carries one (and reveals at least one
  // bit), else the address the query came from.
  const subnetAddress = subnet !== undefined && subnet.sourcePrefix > 0 ? clientSubnetAddress(subnet) : undefined;
  const clientAddress = subnetAddress ?? parseIp(source);
  const choice = clientAddress === undefined ? { edge: zone.defaultEdge, scopePrefix: 0 } : chooseEdge(zone.regions, clientAddress, zone.defaultEdge);
  const decision: Decision = { rcode: Rcode.NOERROR, answers: [], authority: [], scopePrefix: 0 };
  if (subnetAddress !== undefined) {
    decision.scopePrefix = choice.scopePrefix;
    decision.subnet = clientSubnetText(subnet!);
  }
  const address = zone.edges[choice.edge - 1]!;
  const type = parseIp(address)?.length === 4 ? RecordType.A : RecordType.AAAA;
  if (question.type !== type && question.type !== RecordType.ANY) {
    decision.authority = [zone.soa]; // NODATA: the name exists, without records of this type
    return decision;
  }
  decision.answers = [{ name: question.name, type, ttl: zone.ttlSeconds, address }];
  decision.edge = choice.edge;
  decision.address = address;
  return decision;
}
