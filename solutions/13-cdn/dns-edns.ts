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
  const reader = new DnsReader(message, offset);
  const beforeAdditional = header.ancount + header.nscount;
  const total = beforeAdditional + header.arcount;
  let edns: EdnsQuery | undefined;
  for (let index = 0; index < total; index++) {
    const start = reader.offset;
    const name = decodeName(message, start);
    reader.offset = name.end;
    const type = reader.u16();
    const klass = reader.u16();
    const ttl = reader.u32();
    const rdlength = reader.u16();
    if (type !== RecordType.OPT) {
      reader.skip(rdlength);
      continue;
    }
    if (index < beforeAdditional) throw new DnsFormatError('bad-opt', start, 'an OPT record outside the additional section');
    if (name.labels.length !== 0) throw new DnsFormatError('bad-opt', start, 'an OPT record must be named with the root (a single 00 byte)');
    if (edns !== undefined) throw new DnsFormatError('bad-opt', start, 'a second OPT record (at most one is allowed)');
    if (rdlength > reader.remaining) throw new DnsFormatError('bad-opt', reader.offset, `RDLENGTH ${rdlength}, but only ${reader.remaining} bytes are left`);
    edns = {
      udpPayloadSize: klass,
      extendedRcode: ttl >>> 24,
      version: (ttl >>> 16) & 0xff,
      dnssecOk: (ttl & EDNS_DO_BIT) !== 0,
    };
    const clientSubnet = readOptions(message, reader.offset, rdlength);
    if (clientSubnet !== undefined) edns.clientSubnet = clientSubnet;
    reader.skip(rdlength);
  }
  return edns;
}

/** The Client Subnet option among the options of an OPT record's RDATA, if any (RFC 6891 §6.1.2: unknown options are ignored). */
function readOptions(message: Buffer, offset: number, length: number): ClientSubnet | undefined {
  const reader = new DnsReader(message.subarray(0, offset + length), offset);
  let clientSubnet: ClientSubnet | undefined;
  while (reader.remaining > 0) {
    const at = reader.offset;
    if (reader.remaining < 4) throw new DnsFormatError('bad-opt', at, `${reader.remaining} stray bytes where an option (code, length) should start`);
    const code = reader.u16();
    const optionLength = reader.u16();
    if (optionLength > reader.remaining) throw new DnsFormatError('bad-opt', at, `option ${code} of ${optionLength} bytes overruns the OPT record`);
    const data = reader.bytes(optionLength);
    if (code !== EdnsOptionCode.ECS) continue;
    if (clientSubnet !== undefined) throw new DnsFormatError('bad-ecs', at, 'a second Client Subnet option');
    clientSubnet = parseClientSubnet(data, at + 4);
  }
  return clientSubnet;
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
  if (data.length < ECS_FIXED_BYTES) throw new DnsFormatError('bad-ecs', at, `Client Subnet needs at least ${ECS_FIXED_BYTES} bytes, got ${data.length}`);
  const family = data.readUInt16BE(0);
  const sourcePrefix = data[2]!;
  const scopePrefix = data[3]!;
  const address = Buffer.from(data.subarray(ECS_FIXED_BYTES));
  const bits = family === AddressFamily.NONE && sourcePrefix === 0 ? 0 : FAMILY_BITS[family];
  if (bits === undefined) throw new DnsFormatError('bad-ecs', at, `unknown address family ${family} (1 is IPv4, 2 IPv6)`);
  if (sourcePrefix > bits) throw new DnsFormatError('bad-ecs', at + 2, `source prefix /${sourcePrefix} is longer than the ${bits}-bit address`);
  const wanted = Math.ceil(sourcePrefix / 8);
  if (address.length !== wanted) throw new DnsFormatError('bad-ecs', at + 4, `a /${sourcePrefix} prefix takes ${wanted} address bytes, got ${address.length}`);
  const spare = wanted * 8 - sourcePrefix;
  if (spare > 0 && (address[wanted - 1]! & ((1 << spare) - 1)) !== 0) {
    throw new DnsFormatError('bad-ecs', at + 4 + wanted - 1, `address bits set past the /${sourcePrefix} prefix`);
  }
  return { family, sourcePrefix, scopePrefix, address };
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
  writer.u8(0); // the root name
  writer.u16(RecordType.OPT);
  writer.u16(edns.udpPayloadSize);
  writer.u8(rcode >>> 4);
  writer.u8(0); // version 0
  writer.u16(edns.dnssecOk ? EDNS_DO_BIT : 0);
  const subnet = edns.clientSubnet;
  if (subnet === undefined) {
    writer.u16(0);
    return;
  }
  writer.u16(4 + ECS_FIXED_BYTES + subnet.address.length);
  writer.u16(EdnsOptionCode.ECS);
  writer.u16(ECS_FIXED_BYTES + subnet.address.length);
  writer.u16(subnet.family);
  writer.u8(subnet.sourcePrefix);
  writer.u8(subnet.scopePrefix);
  writer.bytes(subnet.address);
}
