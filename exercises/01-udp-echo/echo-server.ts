/**
 * A UDP echo server: every datagram that arrives is sent straight back to the
 * address and port it came from, byte for byte. UDP has no connections, so
 * "the client" is simply whoever sent the datagram we are looking at.
 */
import { bindUdp } from 'wirelab';

/** Where to listen. */
export interface EchoServerOptions {
  /** Address to bind; `'::1'` for IPv6. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 lets the operating system pick a free one. @default 0 */
  port?: number;
}

/** A running echo server. */
export interface EchoServer {
  /** The address the socket is bound to. */
  readonly host: string;
  /** The port the socket got (the real one, also when 0 was asked for). */
  readonly port: number;
  /** Stops echoing and releases the port. */
  close(): Promise<void>;
}

/**
 * Starts a UDP echo server that sends every datagram back to its sender.
 *
 * Empty datagrams and bytes that are not text are echoed too: an echo server
 * does not interpret what it carries.
 *
 * @example
 * const server = await startEchoServer({ port: 0 });
 * console.log(`echoing on ${server.host}:${server.port}`);
 * await server.close();
 */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  // TODO: bind a UDP socket with bindUdp() on options.host / options.port (defaults above).
  // TODO: in the background, for every datagram received, send its data back to datagram.host:datagram.port.
  //       One sender we cannot answer must not stop the server.
  // TODO: return { host, port, close } where close() closes the socket and waits for the loop to end.
  throw new Error('TODO(01-udp-echo): startEchoServer');
}
