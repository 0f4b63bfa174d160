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
  const { host, port, timeoutMs = 1000, retries = 3 } = options;
  // A fresh socket per call, so an echo meant for an earlier call can never be
  // taken for ours. Its family must match the server's: an IPv4 socket cannot
  // reach ::1. The wildcard address lets the OS pick the outgoing interface.
  const socket = await bindUdp({ host: isIPv6(host) ? '::' : '0.0.0.0', port: 0 });
  const server = { host, port };
  try {
    for (let attempt = 0; attempt <= retries; attempt++) {
      await socket.send(message, server);
      try {
        // `from`: only the server's datagram is the echo; a stranger's stays unread.
        return (await socket.receive({ from: server, timeoutMs })).data;
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
        // Lost on the way there or on the way back: we cannot tell, so send again.
      }
    }
    throw new TimeoutError(`echo from ${host}:${port} (${retries + 1} tries)`, timeoutMs);
  } finally {
    await socket.close();
  }
}

