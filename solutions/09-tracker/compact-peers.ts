/**
 * Compact peer lists (BEP 23), shared by the HTTP and the UDP tracker: each
 * IPv4 peer is 6 bytes, the address then the port, both big-endian.
 *
 *   offset 0  uint32  IPv4 address (127.0.0.1 = 7f 00 00 01)
 *   offset 4  uint16  TCP port
 */
import { COMPACT_PEER_BYTES } from './constants.ts';
import type { PeerInfo } from './types.ts';

/** Packs IPv4 peers as 6 bytes each (BEP 23). */
export function compactPeers(peers: readonly PeerInfo[]): Buffer {
  const ipv4 = peers.filter((p) => parseIpv4(p.ip) !== undefined);
  const out = Buffer.alloc(ipv4.length * COMPACT_PEER_BYTES);
  ipv4.forEach((p, i) => {
    out.writeUInt32BE(parseIpv4(p.ip)!, i * COMPACT_PEER_BYTES);
    out.writeUInt16BE(p.port, i * COMPACT_PEER_BYTES + 4);
  });
  return out;
}

/** `1.2.3.4` → 0x01020304, or undefined for anything that is not a dotted IPv4 address. */
export function parseIpv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}
