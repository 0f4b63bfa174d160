/**
 * Compact peer lists (BEP 23), shared by the HTTP and the UDP tracker: each
 * IPv4 peer is 6 bytes, the address then the port, both big-endian.
 *
 *   offset 0  uint32  IPv4 address (127.0.0.1 = 7f 00 00 01)
 *   offset 4  uint16  TCP port
 */
import { COMPACT_PEER_BYTES } from './constants.ts';
import type { PeerInfo } from './types.ts';

/** Packs IPv4 peers as 6 bytes each (BEP 23); peers with other addresses are left out. */
export function compactPeers(peers: readonly PeerInfo[]): Buffer {
  const out = Buffer.allocUnsafe(peers.length * COMPACT_PEER_BYTES);
  let at = 0;
  for (const p of peers) {
    const address = parseIpv4(p.ip);
    if (address === undefined) continue;
    out.writeUInt32BE(address, at);
    out.writeUInt16BE(p.port, at + 4);
    at += COMPACT_PEER_BYTES;
  }
  return out.subarray(0, at);
}

/** `1.2.3.4` → 0x01020304, or undefined for anything that is not a dotted IPv4 address. */
export function parseIpv4(ip: string): number | undefined {
  // A hand-written scan rather than split + regex: this runs for every peer of every answer.
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + part;
}
