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

/** `host:port` as people type it; an IPv6 host in brackets. */
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/;

/**
 * Parses `host:port` (`127.0.0.1:2525`, `localhost:25`, `[::1]:2525`), the
 * inverse of {@link formatHostPort}; undefined for anything else, or a port
 * outside 1 to 65535.
 */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = HOST_PORT.exec(text);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}
