/**
 * One announce to an HTTP tracker (BEP 3, compact peers BEP 23): a GET whose
 * query says who we are and how far we got; a bencoded dictionary back.
 *
 *   GET /announce?info_hash=%12%34…&peer_id=-WL0100-%A1…&port=6881&uploaded=0
 *       &downloaded=0&left=1048576&compact=1&event=started
 *
 *   d8:completei1e10:incompletei2e8:intervali1800e5:peers12:<6 bytes><6 bytes>e
 *   d14:failure reason20:unregistered torrente
 *
 * HTTP itself goes through fetch: the lesson is the query and the answer;
 * exercise 13 is where HTTP's framing is written by hand.
 */
import { ProtocolError, TimeoutError } from 'wirelab';
import { decodeBencode } from './bencode-decode.ts';
import { parseCompactPeers, parseCompactPeers6 } from './compact-peer-list.ts';
import { TrackerFailureError, TrackerUnreachableError } from './tracker-errors.ts';
import type { AnnounceParams, AnnounceResponse } from './types.ts';

/** An answer longer than this is refused: a peer list of 200 peers takes a few KiB. */
export const MAX_HTTP_ANSWER_BYTES = 1024 * 1024;

/**
 * Percent-encodes raw bytes one by one: `%` and two hex digits for each byte
 * that is not unreserved. Never through UTF-8 (encodeURIComponent would turn
 * the byte 0xe9 into `%C3%A9`, two bytes, and the info_hash would be wrong).
 */
export function percentEncodeBytes(bytes: Uint8Array): string {
  // TODO: A–Z a–z 0–9 - . _ ~ stay as they are (RFC 3986 unreserved); any other byte becomes %XX.
  throw new Error(`TODO(10-peer): percent-encode ${bytes.length} bytes`);
}

/**
 * The announce URL with our query appended (after `&` when the URL already
 * has a query, as private trackers' passkeys do). `event` is left out for a
 * regular re-announce (`none`), `numwant` when not asked for.
 */
export function announceUrlWithQuery(url: string, params: AnnounceParams): string {
  // TODO: info_hash, peer_id (percentEncodeBytes), port, uploaded, downloaded, left, compact=1, then event and numwant
  // TODO: when they apply. Build the string yourself: URLSearchParams would encode the bytes as UTF-8 text.
  throw new Error(`TODO(10-peer): the query for ${url} (event ${params.event})`);
}

/**
 * Reads a tracker's bencoded answer. Throws {@link TrackerFailureError} when
 * it holds `failure reason`, a ProtocolError when it is not a valid answer.
 * `warning message` is tolerated (the announce still counted). Peers may come
 * compact (a byte string, 6 bytes each) or as a list of `{ip, port}`
 * dictionaries; IPv6 peers (`peers6`, 18 bytes each) are added.
 */
export function parseHttpAnnounceAnswer(body: Uint8Array, url: string): AnnounceResponse {
  // TODO: decodeBencode (given). Not a dictionary → ProtocolError(…, 'bep3', body). `failure reason` → TrackerFailureError
  // TODO: with its text. `interval` (a number ≥ 0) is required. `peers`: bytes → parseCompactPeers; a list → the
  // TODO: entries with a text `ip` and a port 1–65535. `peers6` bytes → parseCompactPeers6. complete/incomplete →
  // TODO: seeders/leechers when present.
  void decodeBencode;
  void parseCompactPeers;
  void parseCompactPeers6;
  void ProtocolError;
  void TrackerFailureError;
  throw new Error(`TODO(10-peer): read the ${body.length}-byte answer of ${url}`);
}

/**
 * One announce over HTTP: GET the URL with the query, read at most
 * MAX_HTTP_ANSWER_BYTES, parse. Rejects with TimeoutError after `timeoutMs`,
 * TrackerUnreachableError when no connection could be made, the signal's
 * reason when aborted, or what {@link parseHttpAnnounceAnswer} throws.
 */
export async function httpAnnounce(url: string, params: AnnounceParams, options: { timeoutMs: number; signal?: AbortSignal }): Promise<AnnounceResponse> {
  // TODO: fetch(announceUrlWithQuery(url, params), { signal }) with AbortSignal.timeout(timeoutMs) (joined to options.signal
  // TODO: with AbortSignal.any). Read the body yourself (response.body.getReader()) and give up past MAX_HTTP_ANSWER_BYTES.
  // TODO: Turn what fetch throws into the errors above: the caller's abort → its reason; the time limit → TimeoutError;
  // TODO: a TypeError (fetch failed: its `cause` is the system error) → TrackerUnreachableError.
  // TODO: Status 200 → parseHttpAnnounceAnswer; another status → its failure reason if it has one, else a ProtocolError.
  void TimeoutError;
  void TrackerUnreachableError;
  throw new Error(`TODO(10-peer): announce to ${url} within ${options.timeoutMs} ms (port ${params.port})`);
}
