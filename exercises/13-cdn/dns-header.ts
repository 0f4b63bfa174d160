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
  // TODO: read the six 16-bit fields with a DnsReader (so a short message is a DnsFormatError),
  // TODO: and split the flags word into its fields with the names in dns-constants.ts.
  throw new Error('TODO(13-cdn): parseHeader');
}

/** Writes a header: 12 bytes at the offsets above. Only the low 4 bits of `rcode` fit; the Z bit is 0. */
export function encodeHeader(header: DnsHeader): Buffer {
  // TODO: 12 bytes; the flags word built from the booleans, the opcode and the low 4 bits of rcode.
  throw new Error('TODO(13-cdn): encodeHeader');
}
