/**
 * The question section's entry (RFC 1035 §4.1.2): a name, then two 16-bit
 * fields. In a query it starts right after the header:
 *
 *   offset 12       QNAME   labels … 00   (video.cdn.test: 16 bytes)
 *   offset 12 + n   uint16  QTYPE         1 A, 28 AAAA, 6 SOA, 255 ANY …
 *   offset 14 + n   uint16  QCLASS        1 IN
 */
import { decodeName, nameText } from './dns-name.ts';
import { DnsReader } from './dns-reader.ts';
import type { DnsQuestion } from './dns-types.ts';

/** Reads the question that starts at `offset` (12 in a query). Throws DnsFormatError for a bad name or a message that ends early. */
export function parseQuestion(message: Buffer, offset: number): DnsQuestion {
  const name = decodeName(message, offset);
  const reader = new DnsReader(message, name.end);
  const type = reader.u16();
  const klass = reader.u16();
  return {
    name: nameText(name.labels),
    labels: name.labels,
    offsets: name.offsets,
    end: reader.offset,
    type,
    class: klass,
    bytes: message.subarray(offset, reader.offset),
  };
}
