/**
 * One base class and one subclass per kind of failure, each with typed fields,
 * so a caller (or a graded test) can tell a timeout from a protocol error
 * without parsing messages.
 */

/** Base class of every error the wirelab library throws on purpose. */
export class WirelabError extends Error {
  override name = 'WirelabError';
}

/** A wait took longer than its limit. */
export class TimeoutError extends WirelabError {
  override name = 'TimeoutError';
  constructor(
    /** What was being waited for, e.g. `"echo from 127.0.0.1:4000"`. */
    readonly waitingFor: string,
    /** The limit that ran out, in milliseconds. */
    readonly ms: number,
  ) {
    super(`timed out after ${ms} ms waiting for ${waitingFor}`);
  }
}

/**
 * The bytes on the wire could not be cut into frames: a line longer than its
 * limit, or a length prefix over its limit. (A stream that ends mid-frame is
 * a {@link ConnectionClosedError}.)
 */
export class FramingError extends WirelabError {
  override name = 'FramingError';
  constructor(
    message: string,
    /** Which limit or rule was broken, for programs that react to it. */
    readonly kind: 'line-too-long' | 'frame-too-large',
    /** The limit in bytes, where one applies. */
    readonly limit?: number,
  ) {
    super(message);
  }
}

/** The peer said something the protocol does not allow (or a reply we did not expect). */
export class ProtocolError extends WirelabError {
  override name = 'ProtocolError';
  constructor(
    message: string,
    /** The protocol, e.g. `"smtp"`, `"pop3"`, `"bep15"`. */
    readonly protocol: string,
    /** What the peer sent, as text or bytes, when there is something to show. */
    readonly received?: string | Uint8Array,
  ) {
    super(message);
  }
}

/** The connection ended (or was reset) while a read or write was still waiting. */
export class ConnectionClosedError extends WirelabError {
  override name = 'ConnectionClosedError';
  constructor(
    /** What was being waited for when the peer went away. */
    readonly during: string,
  ) {
    super(`connection closed while ${during}`);
  }
}
