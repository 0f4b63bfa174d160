/**
 * Reading compact peer lists, the reverse of exercise 09's compactPeers:
 * what both tracker transports hand a client. A trailing partial entry is
 * ignored rather than losing every good peer before it; port 0 is skipped
 * (nobody can be reached there).
 *
 * IPv4 (BEP 23; the BEP 15 announce answer), 6 bytes a peer:
 *
 *   offset 0  uint32  IPv4 address (127.0.0.1 = 7f 00 00 01)
 *   offset 4  uint16  TCP port
 *
 * IPv6 (BEP 7 `peers6`; BEP 15 over IPv6), 18 bytes a peer:
 *
 *   offset 0   16 B    IPv6 address
 *   offset 16  uint16  TCP port
 */
import { SocketAddress } from 'node:net';
import { COMPACT_PEER_BYTES } from '../09-tracker/constants.ts';
import { COMPACT_PEER6_BYTES } from '../09-tracker/compact-peers6.ts';
import type { PeerAddress } from './types.ts';

/** IPv4 peers, 6 bytes each. */
export function parseCompactPeers(bytes: Uint8Array): PeerAddress[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const peers: PeerAddress[] = [];
  for (let at = 0; at + COMPACT_PEER_BYTES <= b.length; at += COMPACT_PEER_BYTES) {
    const port = b.readUInt16BE(at + 4);
    if (port !== 0) peers.push({ host: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port });
  }
  return peers;
}

/** IPv6 peers, 18 bytes each, as short text (`::1`, `2001:db8::7`). */
export function parseCompactPeers6(bytes: Uint8Array): PeerAddress[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const peers: PeerAddress[] = [];
  for (let at = 0; at + COMPACT_PEER6_BYTES <= b.length; at += COMPACT_PEER6_BYTES) {
    const port = b.readUInt16BE(at + 16);
    if (port === 0) continue;
    const groups: string[] = [];
    for (let g = 0; g < 8; g++) groups.push(b.readUInt16BE(at + 2 * g).toString(16));
    // SocketAddress writes the address the standard short way (RFC 5952: longest zero run as ::).
    peers.push({ host: new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address, port });
  }
  return peers;
}
