/** Opening a TCP connection, with a time limit and an AbortSignal. */
import net from 'node:net';
import { formatHostPort } from '../address.ts';
import { Connection } from './connection.ts';
import type { ConnectionOptions } from './options.ts';
import { waitFor } from '../wait.ts';

/** Options of {@link connectTcp}. */
export interface ConnectOptions extends ConnectionOptions {
  /** @default '127.0.0.1' */
  host?: string;
  port: number;
  /**
   * Time limit of the connect itself (`TimeoutError`); reads use `readTimeoutMs`.
   * @default 5000
   */
  timeoutMs?: number;
  /** Aborts the connect attempt (rejects with `signal.reason`). */
  signal?: AbortSignal;
  /**
   * Keep our side open for writing after the server ends its side. Off by
   * default, so a client that reads to the end does not keep the process alive.
   * @default false
   */
  allowHalfOpen?: boolean;
}

/**
 * Connects to a TCP server. Rejects with `TimeoutError`, the signal's reason, or
 * the system error (`code` `ECONNREFUSED`, …).
 *
 * @example
 * const conn = await connectTcp({ port: 2525, lineEnding: 'crlf' });
 * console.log(await conn.readLine()); // "220 mail.test ESMTP"
 */
export async function connectTcp(options: ConnectOptions): Promise<Connection> {
  const host = options.host ?? '127.0.0.1';
  const where = formatHostPort(host, options.port);
  const socket = net.connect({ host, port: options.port, allowHalfOpen: options.allowHalfOpen ?? false });
  try {
    return await waitFor<Connection>(`a TCP connection to ${where}`, { timeoutMs: options.timeoutMs ?? 5000, signal: options.signal }, (resolve, reject) => {
      // Wrap in the same tick as 'connect' so no error event can slip between.
      const onConnect = (): void => resolve(new Connection(socket, { ...options, role: options.role ?? 'client' }));
      socket.once('connect', onConnect);
      socket.once('error', reject);
      return () => {
        socket.off('connect', onConnect);
        socket.off('error', reject);
      };
    });
  } catch (error) {
    socket.destroy();
    throw error;
  }
}
