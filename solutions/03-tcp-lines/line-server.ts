/**
 * The line server: many clients at once, each with its own conversation, one
 * reply line for every line received. TCP delivers a byte stream, not
 * messages, so a line may arrive in pieces or several lines in one read; the
 * connection's line reader puts them back together.
 */
import { ConnectionClosedError, FramingError, listenTcp, type Connection } from 'wirelab';
import { LINE_TOO_LONG_REPLY, MAX_LINE_BYTES, replyTo } from './line-protocol.ts';

/** Where to listen. */
export interface LineServerOptions {
  /** Address to listen on; `'::1'` for IPv6. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 lets the operating system pick a free one. @default 0 */
  port?: number;
}

/** A running line server. */
export interface LineServer {
  /** The address it listens on. */
  readonly host: string;
  /** The port it listens on (the real one, also when 0 was asked for). */
  readonly port: number;
  /** Stops accepting and waits for the open conversations to end. */
  close(): Promise<void>;
}

/**
 * Starts the line server (see `line-protocol.ts` for what it answers).
 * One client that misbehaves or vanishes mid-line never disturbs the others.
 *
 * @example
 * const server = await startLineServer({ port: 0 });
 * console.log(`nc -C ${server.host} ${server.port}`);
 */
export async function startLineServer(options: LineServerOptions = {}): Promise<LineServer> {
  const server = await listenTcp(serveClient, {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    maxLineBytes: MAX_LINE_BYTES,
    // A client gone mid-line is not a server bug: nothing to log.
    onError: (error) => {
      if (!(error instanceof ConnectionClosedError)) console.error('line server:', error);
    },
    graceMs: 500,
  });
  return { host: server.host, port: server.port, close: () => server.close() };
}

/** The conversation with one client, from its first line to QUIT or its disconnect. */
async function serveClient(conn: Connection): Promise<void> {
  for (;;) {
    let line: string | null;
    try {
      line = await conn.readLine();
    } catch (error) {
      // An overlong line is the client's mistake, answered on the wire; the
      // reader has skipped the rest of it, so the conversation goes on.
      if (error instanceof FramingError) {
        await conn.writeLine(LINE_TOO_LONG_REPLY);
        continue;
      }
      // Gone in the middle of a line (or reset): nothing left to answer.
      if (error instanceof ConnectionClosedError) return;
      throw error;
    }
    if (line === null) return; // the client closed its side: we are done too
    const reply = replyTo(line);
    await conn.writeLine(reply.text);
    if (reply.close) {
      await conn.end();
      return;
    }
  }
}
