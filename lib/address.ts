/** Addresses as people read them, shared by the TCP and UDP layers, the CLI and the solutions (exported from 'wirelab'). */
import { isIPv4 } from 'node:net';

/** `::ffff:1.2.3.4` (an IPv4 peer seen by a dual-stack IPv6 socket) → `1.2.3.4`; other addresses unchanged. */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** `host:port`, with IPv6 hosts in brackets as in URLs: `[::1]:4000`. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
