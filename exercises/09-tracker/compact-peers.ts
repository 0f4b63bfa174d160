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
  // TODO: one COMPACT_PEER_BYTES slot per IPv4 peer (skip others): writeUInt32BE(address), writeUInt16BE(port).
  throw new Error('TODO(09-tracker): compactPeers');
}

/** `1.2.3.4` → 0x01020304, or undefined for anything that is not a dotted IPv4 address. */
export function parseIpv4(ip: string): number | undefined {
  // TODO: four decimal parts 0…255; combine as a·2^24 + b·2^16 + c·2^8 + d.
  throw new Error('TODO(09-tracker): parseIpv4');
}
