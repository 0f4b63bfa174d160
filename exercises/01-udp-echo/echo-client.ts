/**
 * A UDP echo client. UDP promises nothing: the datagram or its echo may be
 * lost, and nobody tells us. So the client waits a bounded time, sends again
 * a bounded number of times, and then gives up with a clear error. It never
 * waits forever.
 */
import { isIPv6 } from 'node:net';
import { bindUdp, TimeoutError } from 'wirelab';

/** Where the echo server is and how patient to be. */
export interface EchoOptions {
  /** The echo server's address (`'::1'` for IPv6). */
  host: string;
  /** The echo server's port. */
  port: number;
  /** How long to wait for the echo after each send, in milliseconds. @default 1000 */
  timeoutMs?: number;
  /** How many times to send again after the first try. @default 3 */
  retries?: number;
}

/**
 * Sends `message` to the echo server and resolves with the echo it sent back.
 *
 * Waits `timeoutMs` for each try and sends again up to `retries` times; after
 * the last try it rejects with the library's `TimeoutError`, so the longest it
 * can take is about `(retries + 1) * timeoutMs`. Datagrams from anyone but the
 * server are ignored.
 *
 * @example
 * const reply = await echo('hello', { host: '127.0.0.1', port: 7007, timeoutMs: 500, retries: 2 });
 * console.log(reply.toString()); // hello
 */
export async function echo(message: string | Uint8Array, options: EchoOptions): Promise<Buffer> {
  // TODO: bind a fresh UDP socket of the server's family (isIPv6(options.host) tells which).
  // TODO: send the message, then wait at most timeoutMs for a datagram from the server;
  //       on a timeout send again, `retries` more times, then let TimeoutError reach the caller.
  // TODO: close the socket whatever happened (try/finally) and return the echoed bytes.
  throw new Error('TODO(01-udp-echo): echo');
}
