/**
 * The ping datagram of the classic pinger lab, as plain ASCII text so you can
 * read it in a packet capture or type it into `nc -u`:
 *
 *   PING 3 1764100000123
 *
 * The server echoes it back unchanged; the client recognises the echo of its
 * current ping by the sequence number.
 */

/** The word every ping starts with. */
export const PING_WORD = 'PING';

/** The one separator between the fields: a single space (0x20). */
export const FIELD_SEPARATOR = ' ';

/** One ping, decoded. */
export interface PingMessage {
  /** Sequence number: 1 for the first ping of a run, then 2, 3, … */
  readonly seq: number;
  /** When the ping was sent: whole milliseconds since 1970-01-01T00:00:00Z (`Date.now()`). */
  readonly timestamp: number;
}

/**
 * Encodes one ping as the bytes of a datagram.
 *
 * Wire format (ASCII, no line ending: the datagram is the frame):
 *
 *   "PING"        4 bytes, the word PING
 *   " "           1 byte
 *   <seq>         1+ bytes, the sequence number in decimal, no leading zeros
 *   " "           1 byte
 *   <timestamp>   1+ bytes, integer milliseconds since the Unix epoch, in decimal
 *
 * @example encodePing(3, 1764100000123).toString() // 'PING 3 1764100000123'
 */
export function encodePing(seq: number, timestamp: number): Buffer {
  // TODO: join PING_WORD, the sequence number and the timestamp with FIELD_SEPARATOR, as ASCII bytes.
  throw new Error('TODO(02-udp-pinger): encodePing');
}

/**
 * Decodes a ping (or its echo); returns null for anything that is not exactly
 * in the format {@link encodePing} writes, because a datagram can come from
 * anyone and carry anything.
 *
 * @example parsePing(Buffer.from('PING 3 1764100000123')) // { seq: 3, timestamp: 1764100000123 }
 */
export function parsePing(data: Uint8Array | string): PingMessage | null {
  // TODO: turn the bytes into text, check that it is exactly PING <digits> <digits>
  //       (a regular expression is the easy way), and return the two numbers; otherwise null.
  throw new Error('TODO(02-udp-pinger): parsePing');
}
