/**
 * The two ways an HTTP exchange goes wrong at the edge, one class each, with
 * the status code the client gets. Given complete: the same file in
 * exercises/ and solutions/.
 */

/**
 * The client's request cannot be served as sent: malformed (400), too long
 * (414, 431), too slow (408), a method or version we do not do (405, 501,
 * 505). Answered with `status` and `Connection: close`.
 */
export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
  constructor(
    /** The status code to answer with. */
    readonly status: number,
    /** One sentence for the client (it becomes the response body). */
    readonly reason: string,
  ) {
    super(`${status}: ${reason}`);
  }
}

/** Why the origin could not give us a response. */
export type OriginFailure =
  /** Refused, reset or closed before a whole response: 502 Bad Gateway. */
  | 'unreachable'
  /** No whole response within the time limit: 504 Gateway Timeout. */
  | 'timeout'
  /** It answered something that is not HTTP/1.x (or too large to hold): 502 Bad Gateway. */
  | 'bad-response';

/** The origin failed; the client gets {@link OriginError.status}. */
export class OriginError extends Error {
  override name = 'OriginError';
  constructor(
    readonly failure: OriginFailure,
    message: string,
  ) {
    super(message);
  }

  /** 504 when the origin was too slow, 502 for every other failure. */
  get status(): 502 | 504 {
    return this.failure === 'timeout' ? 504 : 502;
  }
}
