/**
 * The 12-byte header every DNS message starts with (RFC 1035 §4.1.1). All
 * fields are big-endian:
 *
 *   offset 0   uint16  ID        chosen by the client, copied into the response
 *   offset 2   uint16  flags     QR(1) OPCODE(4) AA(1) TC(1) RD(1) RA(1) Z(1) AD(1) CD(1) RCODE(4)
 *   offset 4   uint16  QDCOUNT   entries in the question section (1 in practice)
 *   offset 6   uint16  ANCOUNT   records in the answer section
 *   offset 8   uint16  NSCOUNT   records in the authority section
 *   offset 10  uint16  ARCOUNT   records in the additional section (the OPT record counts)
 *
 * The flags word, bit 15 first:
 *
 *     15 14 13 12 11 10  9  8  7  6  5  4  3  2  1  0
 *   +--+-----------+--+--+--+--+--+--+--+-----------+
 *   |QR|  OPCODE   |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 *   +--+-----------+--+--+--+--+--+--+--+-----------+
 */
import { DNS_HEADER_BYTES, Flag, OPCODE_MASK, OPCODE_SHIFT, RCODE_MASK } from './dns-constants.ts';
import { DnsReader } from './dns-reader.ts';
import type { DnsHeader } from './dns-types.ts';

/** Reads the header at the start of `message`. Throws DnsFormatError `truncated` when it is shorter than 12 bytes. */
export function parseHeader(message: Buffer): DnsHeader {
  const reader = new DnsReader(message);
  const id = reader.u16();
  const flags = reader.u16();
  return {
    id,
    qr: (flags & Flag.QR) !== 0,
    opcode: (flags >> OPCODE_SHIFT) & OPCODE_MASK,
    aa: (flags & Flag.AA) !== 0,
    tc: (flags & Flag.TC) !== 0,
    rd: (flags & Flag.RD) !== 0,
    ra: (flags & Flag.RA) !== 0,
    ad: (flags & Flag.AD) !== 0,
    cd: (flags & Flag.CD) !== 0,
    rcode: flags & RCODE_MASK,
    qdcount: reader.u16(),
    ancount: reader.u16(),
    nscount: reader.u16(),
    arcount: reader.u16(),
  };
}

/** Writes a header: 12 bytes at the offsets above. Only the low 4 bits of `rcode` fit; the Z bit is 0. */
export function encodeHeader(header: DnsHeader): Buffer {
  const out = Buffer.alloc(DNS_HEADER_BYTES);
  const flags =
    (header.qr ? Flag.QR : 0) |
    ((header.opcode & OPCODE_MASK) << OPCODE_SHIFT) |
    (header.aa ? Flag.AA : 0) |
    (header.tc ? Flag.TC : 0) |
    (header.rd ? Flag.RD : 0) |
    (header.ra ? Flag.RA : 0) |
    (header.ad ? Flag.AD : 0) |
    (header.cd ? Flag.CD : 0) |
    (header.rcode & RCODE_MASK);
  out.writeUInt16BE(header.id, 0);
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(header.qdcount, 4);
  out.writeUInt16BE(header.ancount, 6);
  out.writeUInt16BE(header.nscount, 8);
  out.writeUInt16BE(header.arcount, 10);
  return out;
}
