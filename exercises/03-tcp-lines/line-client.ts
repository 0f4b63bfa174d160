/**
 * A client for the line server: send a batch of lines, collect one reply per
 * line. All lines go out in one write (pipelining): the server must cope with
 * several lines in one read, and we do not pay a round trip per line.
 */
import { connectTcp } from 'wirelab';
import { BYE_REPLY } from './line-protocol.ts';

/** Where the server is and how long to wait. */
export interface SendLinesOptions {
  /** The server's address. @default '127.0.0.1' */
  host?: string;
  /** The server's port. */
  port: number;
  /** Limit for connecting and for each reply, in milliseconds. @default 5000 */
  timeoutMs?: number;
}

/**
 * Sends `lines` (each without a line end; CR LF is added) and resolves with
 * the server's replies, one per line, in order, without their line ends.
 *
 * Stops early when the server says BYE or closes the connection, so
 * `sendLines(['a', 'QUIT', 'b'])` resolves with `['OK A', 'BYE']`. Rejects with
 * the library's `TimeoutError` if a reply takes longer than `timeoutMs`, and
 * with a `RangeError` if a line contains CR or LF (it would become two lines).
 *
 * @example
 * await sendLines(['hello', 'QUIT'], { port: 7070 }) // ['OK HELLO', 'BYE']
 */
export async function sendLines(lines: readonly string[], options: SendLinesOptions): Promise<string[]> {
  // TODO: refuse lines that contain CR or LF (RangeError).
  // TODO: connectTcp to the server (timeoutMs for the connect, readTimeoutMs for the replies).
  // TODO: send every line with CR LF, all in one write; then read one reply per line,
  //       stopping early at BYE or when the server closes (readLine() resolves null).
  // TODO: end and close the connection whatever happened (finally), and return the replies.
  throw new Error('TODO(03-tcp-lines): sendLines');
}
