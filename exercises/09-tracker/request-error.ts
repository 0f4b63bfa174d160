/**
 * A request the tracker cannot serve. Given complete: the same file in
 * exercises/ and solutions/.
 */

/**
 * Thrown by the parsers when a request is well-formed enough to answer but
 * wrong (a missing `info_hash`, a port of 0): the HTTP tracker answers it with
 * `failure reason`, the UDP tracker with an error datagram (action 3).
 */
export class TrackerRequestError extends Error {
  override name = 'TrackerRequestError';
  constructor(
    /** The sentence sent back to the client. */
    readonly reason: string,
  ) {
    super(reason);
  }
}
