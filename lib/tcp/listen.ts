/**
 * A TCP server that hands each accepted connection to an async handler. The
 * handler is the whole conversation with one client; if it throws, only that
 * connection is dropped and the server keeps serving the others.
 */
import net from 'node:net';
import { ConnectionClosedError } from '../errors.ts';
import type { Transcript } from '../transcript/transcript.ts';
import { Connection } from './connection.ts';
import type { ConnectionOptions } from './options.ts';

/**
 * Handles one client from accept to goodbye. When it returns, the connection is
 * ended (FIN); until then it may still write after the client has ended its side.
 */
export type ConnectionHandler = (conn: Connection) => void | Promise<void>;

/** Options of {@link listenTcp}. */
export interface ListenOptions extends Omit<ConnectionOptions, 'role'> {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (the OS picks a free port; read it from `server.port`) */
  port?: number;
  /** Records every connection's chunks, what we write as `server`. */
  transcript?: Transcript;
  /**
   * How long `close()` lets open connections finish before destroying them.
   * @default 2000
   */
  graceMs?: number;
  /**
   * Called when a handler throws (the connection is then destroyed).
   * @default logs to stderr, except `ConnectionClosedError` (the client left; not a server bug)
   */
  onError?: (error: unknown, conn: Connection) => void;
}

/** A listening TCP server. */
export interface TcpServer {
  /** The address listened on. */
  readonly host: string;
  /** The port listened on (the real one when 0 was asked for). */
  readonly port: number;
  /** Connections currently open. */
  readonly connections: ReadonlySet<Connection>;
  /** Stops accepting, waits for open connections to end (destroying them after `graceMs`). */
  close(): Promise<void>;
}

/**
 * Listens for TCP connections and runs `handler` for each one.
 * Rejects with the system error (`code` `EADDRINUSE`, `EACCES`, …) if it cannot listen.
 *
 * @example
 * // poke it with: nc -C 127.0.0.1 <port>
 * const server = await listenTcp(async (conn) => {
 *   for await (const line of conn.lines()) await conn.writeLine(line.toUpperCase());
 * });
 */
export async function listenTcp(handler: ConnectionHandler, options: ListenOptions = {}): Promise<TcpServer> {
  const host = options.host ?? '127.0.0.1';
  const graceMs = options.graceMs ?? 2000;
  const onError = options.onError ?? logHandlerError;
  const connections = new Set<Connection>();
  // Half-open allowed: a client may end its side and still read our answer;
  // our side ends when the handler returns.
  const server = net.createServer({ allowHalfOpen: true });

  server.on('connection', (socket) => {
    const conn = new Connection(socket, { ...options, role: 'server' });
    connections.add(conn);
    void conn.closed.then(() => connections.delete(conn));
    Promise.resolve()
      .then(() => handler(conn))
      .then(
        () => {
          if (!socket.destroyed && !socket.writableEnded) socket.end();
        },
        (error: unknown) => {
          try {
            onError(error, conn);
          } finally {
            conn.destroy();
          }
        },
      );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, errors are per connection (handled there); keep the process alive.
  server.on('error', (error) => console.error(`wirelab: TCP server on ${host}: ${error.message}`));
  const address = server.address() as net.AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    connections,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const grace = setTimeout(() => {
          for (const conn of connections) conn.destroy();
        }, graceMs);
        await Promise.all([...connections].map((conn) => conn.closed));
        clearTimeout(grace);
        await stopped;
      })();
      return closing;
    },
  };
}

function logHandlerError(error: unknown, conn: Connection): void {
  if (error instanceof ConnectionClosedError) return;
  console.error(`wirelab: connection handler for ${conn.peer} failed:`, error);
}
