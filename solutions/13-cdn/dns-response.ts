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
  const writer = new DnsWriter();
  writer.bytes(
    encodeHeader({
      id: response.id,
      qr: true,
      opcode: response.opcode,
      aa: response.aa,
      tc: false,
      rd: response.rd,
      ra: false,
      ad: false,
      cd: false,
      rcode: response.rcode & RCODE_MASK,
      qdcount: response.question === undefined ? 0 : 1,
      ancount: response.answers.length,
      nscount: response.authority.length,
      arcount: response.edns === undefined ? 0 : 1,
    }),
  );
  if (response.question !== undefined) {
    // The question stands at offset 12 in the query and in the response alike,
    // so its label offsets are valid pointer targets here too.
    writer.bytes(response.question.bytes);
    writer.rememberName(response.question.labels, response.question.offsets);
  }
  for (const record of response.answers) writeRecord(writer, record);
  for (const record of response.authority) writeRecord(writer, record);
  if (response.edns !== undefined) writeOptRecord(writer, response.edns, response.rcode);
  return writer.finish();
}

/** Writes one record (layout above); RDLENGTH is filled in once the RDATA is written, since compression decides its size. */
function writeRecord(writer: DnsWriter, record: DnsRecord): void {
  writer.name(record.name);
  writer.u16(record.type);
  writer.u16(RecordClass.IN);
  writer.u32(record.ttl);
  const lengthAt = writer.offset;
  writer.u16(0);
  const start = writer.offset;
  switch (record.type) {
    case RecordType.A:
    case RecordType.AAAA: {
      const bytes = parseIp(record.address);
      const wanted = record.type === RecordType.A ? 4 : 16;
      if (bytes?.length !== wanted) throw new RangeError(`${record.address} is not an ${record.type === RecordType.A ? 'IPv4' : 'IPv6'} address`);
      writer.bytes(bytes);
      break;
    }
    case RecordType.SOA:
      writer.name(record.mname);
      writer.name(record.rname);
      for (const value of [record.serial, record.refresh, record.retry, record.expire, record.minimum]) writer.u32(value);
      break;
  }
  writer.patchU16(lengthAt, writer.offset - start);
}
