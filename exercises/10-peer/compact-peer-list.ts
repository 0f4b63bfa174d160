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
  // TODO: every whole 6 bytes: the four address bytes as "a.b.c.d", then the big-endian port. Skip port 0;
  // TODO: ignore a partial entry at the end.
  void COMPACT_PEER_BYTES;
  throw new Error(`TODO(10-peer): read ${bytes.length} bytes of compact peers`);
}

/** IPv6 peers, 18 bytes each, as short text (`::1`, `2001:db8::7`). */
export function parseCompactPeers6(bytes: Uint8Array): PeerAddress[] {
  // TODO: every whole 18 bytes: eight 16-bit groups in hex, then the port. new SocketAddress({ address, family: 'ipv6' }).address
  // TODO: gives the short form (::1).
  void SocketAddress;
  void COMPACT_PEER6_BYTES;
  throw new Error(`TODO(10-peer): read ${bytes.length} bytes of compact IPv6 peers`);
}
