/**
 * The region map: which edge serves which client addresses. Pure, and shared
 * by the DNS server (which edge to name in an answer) and the CDN experiment
 * (which clients live near which edge).
 *
 * A region is a CIDR block, `10.2.0.0/16`: the addresses whose first 16 bits
 * are those of 10.2.0.0. When blocks nest, the longest prefix (the smallest
 * block) wins, as in a router's forwarding table. Addresses are handled as
 * bytes (4 for IPv4, 16 for IPv6), so both families work the same way.
 */
import net from 'node:net';

/** A block of addresses: `bytes` with every bit past `prefix` zero. */
export interface Cidr {
  /** 4 bytes (IPv4) or 16 (IPv6). */
  readonly bytes: Buffer;
  /** How many leading bits are fixed (0–32 or 0–128). */
  readonly prefix: number;
}

/** One entry of the map: clients in `cidr` go to edge `edge`. */
export interface Region {
  readonly cidr: Cidr;
  readonly edge: number;
}

/** Every region, in any order (the longest matching prefix wins, not the first). */
export type RegionMap = readonly Region[];

/** The edge for a client, and how far the decision holds. */
export interface EdgeChoice {
  /** The edge number (1…N). */
  edge: number;
  /**
   * How many leading bits of the client's address decided: every address
   * sharing them gets the same edge. This is the SCOPE PREFIX-LENGTH of a
   * Client Subnet answer (RFC 7871 §7.2.1).
   */
  scopePrefix: number;
  /** The region that matched; undefined when the default edge was chosen. */
  region?: Region;
}

/**
 * An IP address as bytes: 4 for IPv4, 16 for IPv6, or undefined if `text`
 * is not an address. An IPv4-mapped IPv6 address (`::ffff:10.2.0.7`, what a
 * dual-stack socket reports for an IPv4 client) gives the 4 IPv4 bytes.
 */
export function parseIp(text: string): Buffer | undefined {
  if (net.isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  const address = text.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) names an interface, not address bits
  if (!net.isIPv6(address)) return undefined;
  const [head = '', tail] = address.split('::');
  const words = (part: string): number[] =>
    part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ipv4Words(group) : [parseInt(group, 16)]));
  const before = words(head);
  const after = tail === undefined ? [] : words(tail);
  const all = [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
  const out = Buffer.alloc(16);
  all.forEach((word, i) => out.writeUInt16BE(word, 2 * i));
  const mapped = out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return mapped ? Buffer.from(out.subarray(12)) : out;
}

/** `10.2.0.7` as two 16-bit words, for an IPv4 address written inside an IPv6 one. */
function ipv4Words(dotted: string): number[] {
  const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}

/** An address as text: dotted for 4 bytes, RFC 5952 form for 16 (lower case, the longest run of zero words as `::`). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1; // a single zero word is not shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Reads `10.2.0.0/16` or `2001:db8::/32` (a bare address is a /32 or /128).
 * Throws RangeError, saying what is wrong, for anything else, including bits
 * set past the prefix (`10.2.3.0/16`: did you mean 10.2.0.0/16?).
 */
export function parseCidr(text: string): Cidr {
  // TODO: ADDRESS/PREFIX (a bare address is a /32 or /128) as bytes and a prefix length. RangeError,
  // TODO: saying what is wrong, for a bad address or prefix, or for bits set past the prefix.
  throw new Error('TODO(13-cdn): parseCidr');
}

/** `10.2.0.0/16`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.bytes)}/${cidr.prefix}`;
}

/** Whether `address` (bytes) lies in `cidr`; an address of the other family never does. */
export function cidrContains(cidr: Cidr, address: Uint8Array): boolean {
  // TODO: true when the address has the block's family and its first `prefix` bits are the block's.
  throw new Error('TODO(13-cdn): cidrContains');
}

/** `address` with every bit past `prefix` cleared: the network it belongs to. */
export function maskTo(address: Uint8Array, prefix: number): Buffer {
  const out = Buffer.from(address);
  for (let bit = prefix; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return out;
}

/** How many leading bits two addresses of the same length share. */
function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const diff = a[i]! ^ b[i]!;
    if (diff !== 0) return i * 8 + Math.clz32(diff) - 24;
  }
  return a.length * 8;
}

/** Reads `10.2.0.0/16=2` (the CLI's `--region SUBNET=EDGE`). Throws RangeError when it is not that. */
export function parseRegionSpec(text: string): { cidr: string; edge: number } {
  const match = /^([^=]+)=(\d+)$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not SUBNET=EDGE (like 10.2.0.0/16=2)`);
  parseCidr(match[1]!);
  return { cidr: match[1]!.trim(), edge: Number(match[2]) };
}

/** The default map for `edgeCount` edges: clients in 10.K.0.0/16 go to edge K. */
export function defaultRegions(edgeCount: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: Math.min(edgeCount, 255) }, (_, i) => [`10.${i + 1}.0.0/16`, i + 1]));
}

/**
 * Checks a map given as `{ 'CIDR': edge }` against the number of edges and
 * turns it into regions. Throws RangeError for a bad block or an edge number
 * outside 1…edgeCount.
 */
export function compileRegionMap(regions: Readonly<Record<string, number>>, edgeCount: number): RegionMap {
  // TODO: one Region per entry: the block parsed, the edge checked to be a whole number from 1 to
  // TODO: edgeCount (RangeError otherwise).
  throw new Error('TODO(13-cdn): compileRegionMap');
}

/**
 * The edge for a client address (bytes, see {@link parseIp}): the edge of the
 * longest region that contains it, else `defaultEdge`. The scope is the
 * shortest prefix of the address that still decides alone: at least the
 * matched region's prefix, and long enough to leave out every smaller region
 * nearby (10.2.3.0/24 inside 10.2.0.0/16 makes 10.2.9.9 decide at /21, not /16).
 */
export function chooseEdge(map: RegionMap, address: Uint8Array, defaultEdge: number): EdgeChoice {
  // TODO: the edge of the region with the LONGEST prefix that contains the address; none: defaultEdge.
  // TODO: scopePrefix: the fewest leading bits that decide alone. At least the matched region's prefix (0 for
  // TODO: none), and longer when a longer region does not contain the address but shares those bits with it:
  // TODO: then one bit past what they share (commonPrefixBits).
  throw new Error('TODO(13-cdn): chooseEdge');
}
