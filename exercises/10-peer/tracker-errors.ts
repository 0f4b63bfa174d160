/**
 * How an announce can fail, one class per kind. Given complete: the same file
 * in exercises/ and solutions/. (A tracker that stays silent gives the
 * library's TimeoutError; an answer that cannot be read, its ProtocolError.)
 */
import { WirelabError } from 'wirelab';

/** The tracker answered, and refused: HTTP `failure reason`, or a UDP error (action 3). */
export class TrackerFailureError extends WirelabError {
  override name = 'TrackerFailureError';
  constructor(
    /** The announce URL. */
    readonly url: string,
    /** The tracker's own words. */
    readonly reason: string,
  ) {
    super(`the tracker ${url} refused the announce: ${reason}`);
  }
}

/** No connection to an HTTP tracker (refused, reset, no route); `cause` holds the system error. */
export class TrackerUnreachableError extends WirelabError {
  override name = 'TrackerUnreachableError';
  constructor(
    /** The announce URL. */
    readonly url: string,
    /** Why, as the system put it (`connect ECONNREFUSED 127.0.0.1:6969`). */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach the tracker ${url}: ${problem}`, options);
  }
}
