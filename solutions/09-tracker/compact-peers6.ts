/**
 * Compact IPv6 peers (BEP 7 `peers6` over HTTP; BEP 15 over an IPv6 UDP
 * socket): 18 bytes a peer, the 16-byte address then the 2-byte port.
 * Given complete: the same file in exercises/ and solutions/ (IPv6 is a bonus
 * here; the graded tests run on IPv4).
 *
 *   offset 0   16 B    IPv6 address (::1 = 15 zero bytes, then 01)
 *   offset 16  uint16  TCP port
 */
import { isIPv6 } from 'node:net';
import type { PeerInfo } from './types.ts';

/** One compact IPv6 peer. */
export const COMPACT_PEER6_BYTES = 18;

/** Packs IPv6 peers as 18 bytes each; peers with IPv4 addresses are left out. */
export function compactPeers6(peers: readonly PeerInfo[]): Buffer {
  const out = Buffer.alloc(peers.length * COMPACT_PEER6_BYTES);
  let at = 0;
  for (const p of peers) {
    const address = parseIpv6(p.ip);
    if (address === undefined) continue;
    address.copy(out, at);
    out.writeUInt16BE(p.port, at + 16);
    at += COMPACT_PEER6_BYTES;
  }
  return out.subarray(0, at);
}

/** `::1` → its 16 bytes, or undefined for anything that is not an IPv6 address (a `%zone` is dropped). */
export function parseIpv6(ip: string): Buffer | undefined {
  const address = ip.replace(/%.*$/, '');
  if (!isIPv6(address)) return undefined;
  // An embedded IPv4 tail (::ffff:1.2.3.4) is written as the two groups it stands for.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}
