/**
 * EDNS (RFC 6891) and its Client Subnet option (RFC 7871). A client that
 * speaks EDNS adds one pseudo-record, OPT, to the additional section; it
 * reuses the fields of a resource record for other things:
 *
 *   NAME      00                 the root, always
 *   TYPE      uint16  41         OPT
 *   CLASS     uint16             the sender's UDP payload size (bytes it can receive)
 *   TTL       uint8              upper 8 bits of an extended RCODE (BADVERS = 16 → 1)
 *             uint8              EDNS version (0)
 *             uint16             flags: DO (0x8000), the rest zero
 *   RDLENGTH  uint16             length of the options
 *   RDATA     options, each:  uint16 OPTION-CODE, uint16 OPTION-LENGTH, OPTION-LENGTH bytes
 *
 * Client Subnet is OPTION-CODE 8; its data (RFC 7871 §6):
 *
 *   offset 0  uint16  FAMILY                  1 IPv4, 2 IPv6
 *   offset 2  uint8   SOURCE PREFIX-LENGTH    bits of the client's address revealed
 *   offset 3  uint8   SCOPE PREFIX-LENGTH     0 in a query; in a response, the bits the answer depends on
 *   offset 4  ADDRESS                         ceil(SOURCE / 8) bytes, the bits past SOURCE zero
 *
 * A recursive resolver puts its client's subnet there (10.2.0.0/16 → 00 01 10 00 0a 02), so an
 * authoritative server far away can still answer for where the client is,
 * not where the resolver is.
 */
import { AddressFamily, ECS_FIXED_BYTES, EDNS_DO_BIT, EdnsOptionCode, RecordType } from './dns-constants.ts';
import { DnsFormatError } from './dns-errors.ts';
import { decodeName } from './dns-name.ts';
import { DnsReader } from './dns-reader.ts';
import type { DnsWriter } from './dns-writer.ts';
import type { ClientSubnet, DnsHeader, EdnsQuery, EdnsReply } from './dns-types.ts';
import { formatIp } from './regions.ts';

/**
 * Reads the records after the question (`offset` is where the question
 * ended) and returns the OPT record's contents, or undefined when there is
 * none. Records other than OPT are skipped. Throws DnsFormatError:
 * `truncated` when the records run past the end, `bad-opt` for an OPT
 * outside the additional section, not named with the root, a second OPT
 * (RFC 6891 §6.1.1) or options that overrun its RDATA, `bad-ecs` for a
 * malformed Client Subnet option.
 */
export function readEdns(message: Buffer, offset: number, header: DnsHeader): EdnsQuery | undefined {
  // TODO: walk the ANCOUNT + NSCOUNT + ARCOUNT records after the question (name, TYPE, CLASS, TTL,
  // TODO: RDLENGTH, RDATA), skipping all but OPT. For the OPT record, check it (additional section only, the
  // TODO: root as its name, only one, RDATA within the message: 'bad-opt' otherwise) and read its fields:
  // TODO: CLASS is the payload size, the TTL holds the extended RCODE, the version and the DO bit.
  // TODO: Its options: readOptions. undefined when there is no OPT record.
  throw new Error('TODO(13-cdn): readEdns');
}

/** The Client Subnet option among the options of an OPT record's RDATA, if any (RFC 6891 §6.1.2: unknown options are ignored). */
function readOptions(message: Buffer, offset: number, length: number): ClientSubnet | undefined {
  // TODO: walk the options (code, length, data) inside the RDATA; an option that overruns the RDATA is
  // TODO: 'bad-opt'. Return the Client Subnet (parseClientSubnet); a second one is 'bad-ecs'. Skip the others.
  throw new Error('TODO(13-cdn): readOptions');
}

/** Bits of an address in each family, by FAMILY number. */
const FAMILY_BITS: Readonly<Record<number, number>> = { [AddressFamily.IPV4]: 32, [AddressFamily.IPV6]: 128 };

/**
 * Reads a Client Subnet option's data (`at`: its offset in the message, for
 * errors). Throws DnsFormatError `bad-ecs` for what RFC 7871 §6 and §7.2.1
 * say to answer with FORMERR: an unknown family, a prefix longer than the
 * address, an address of the wrong length, or bits set past the prefix.
 * FAMILY 0 is allowed with a source prefix of 0 and no address ("do not use
 * my address", §7.1.2).
 */
export function parseClientSubnet(data: Buffer, at = 0): ClientSubnet {
  // TODO: FAMILY, SOURCE and SCOPE PREFIX-LENGTH, then the address bytes (copy them). Refuse with
  // TODO: 'bad-ecs': fewer than 4 bytes, an unknown family (0 only with a /0 prefix), a prefix longer than
  // TODO: the family's address, an address that is not exactly ceil(SOURCE / 8) bytes, bits set past SOURCE.
  throw new Error('TODO(13-cdn): parseClientSubnet');
}

/** The full address of a subnet (its bytes padded with zeros to 4 or 16), or undefined for FAMILY 0. */
export function clientSubnetAddress(subnet: ClientSubnet): Buffer | undefined {
  const bits = FAMILY_BITS[subnet.family];
  if (bits === undefined) return undefined;
  const full = Buffer.alloc(bits / 8);
  subnet.address.copy(full);
  return full;
}

/** `10.2.0.0/16`, for logs. */
export function clientSubnetText(subnet: ClientSubnet): string {
  const address = clientSubnetAddress(subnet);
  return `${address === undefined ? '0' : formatIp(address)}/${subnet.sourcePrefix}`;
}

/**
 * Writes our OPT record (layout above) at the writer's offset: payload size,
 * the upper 8 bits of `rcode`, version 0, the DO bit copied, and the Client
 * Subnet option when there is one: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS as
 * the query sent them, SCOPE PREFIX-LENGTH as given.
 */
export function writeOptRecord(writer: DnsWriter, edns: EdnsReply, rcode: number): void {
  // TODO: the OPT record as drawn at the top of this file: root name, TYPE 41, our payload size as
  // TODO: CLASS, the upper 8 bits of rcode, version 0, the DO bit, then RDLENGTH and the options: the Client
  // TODO: Subnet option when there is one (FAMILY, SOURCE, ADDRESS as the query sent them; our SCOPE).
  throw new Error('TODO(13-cdn): writeOptRecord');
}
