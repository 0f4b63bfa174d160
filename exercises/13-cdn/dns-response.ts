/**
 * Encoding a whole response (RFC 1035 §4.1): the header, the query's
 * question echoed byte for byte, the answer and authority records, and the
 * OPT record when the query had one. Names are compressed: the question's
 * name is remembered, so a record for it is named `C0 0C` and a record for
 * the zone points into the middle of it.
 *
 * A resource record (§4.1.3), here an A record answering video.cdn.test:
 *
 *   offset 0   NAME      C0 0C          a pointer to offset 12, the question's name
 *   offset 2   uint16    TYPE           1 (A)
 *   offset 4   uint16    CLASS          1 (IN)
 *   offset 6   uint32    TTL            seconds a resolver may keep it (20)
 *   offset 10  uint16    RDLENGTH       4
 *   offset 12  RDATA     7F 00 01 02    127.0.1.2
 *
 * An SOA record's RDATA (§3.3.13): MNAME, RNAME (both names, compressed too),
 * then SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM (uint32 each).
 */
import { RCODE_MASK, RecordClass, RecordType } from './dns-constants.ts';
import { writeOptRecord } from './dns-edns.ts';
import { encodeHeader } from './dns-header.ts';
import { DnsWriter } from './dns-writer.ts';
import type { DnsRecord, DnsResponse } from './dns-types.ts';
import { parseIp } from './regions.ts';

/** Encodes `response` into one datagram. Throws RangeError for a record that cannot be written (an A record without an IPv4 address). */
export function encodeResponse(response: DnsResponse): Buffer {
  // TODO: a DnsWriter; the header (QR set, RA clear, the counts of what follows, the low 4 bits of rcode);
  // TODO: the question copied byte for byte, and remembered so that names can point into it; then every
  // TODO: answer and authority record, then the OPT record when there is one (writeOptRecord).
  throw new Error('TODO(13-cdn): encodeResponse');
}

/** Writes one record (layout above); RDLENGTH is filled in once the RDATA is written, since compression decides its size. */
function writeRecord(writer: DnsWriter, record: DnsRecord): void {
  // TODO: NAME (compressed by the writer), TYPE, CLASS IN, TTL, RDLENGTH, RDATA. RDATA: the 4 or 16
  // TODO: address bytes (RangeError if the address is not of the record's family); for SOA two names and
  // TODO: five 32-bit numbers. RDLENGTH is known only once RDATA is written.
  throw new Error('TODO(13-cdn): writeRecord');
}
