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
  // TODO: listenTcp(serveClient, …) on options.host / options.port (defaults above),
  //       with maxLineBytes: MAX_LINE_BYTES so the line reader enforces the limit,
  //       and return { host, port, close }.
  throw new Error('TODO(03-tcp-lines): startLineServer');
}

/** The conversation with one client, from its first line to QUIT or its disconnect. */
async function serveClient(conn: Connection): Promise<void> {
  // TODO: read lines until the client closes (readLine() resolves null).
  // TODO: answer each line with replyTo(line).text (writeLine adds CR LF); after BYE end the connection.
  // TODO: a FramingError (line too long) gets LINE_TOO_LONG_REPLY and the loop goes on;
  //       a ConnectionClosedError (client gone mid-line) just ends this conversation.
  throw new Error('TODO(03-tcp-lines): serveClient');
}
