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
import type { BencodeDictionary, BencodeValue } from '../08-metainfo/bencode-types.ts';
import { decodeBencode } from './bencode-decode.ts';
import { parseCompactPeers, parseCompactPeers6 } from './compact-peer-list.ts';
import { TrackerFailureError, TrackerUnreachableError } from './tracker-errors.ts';
import type { AnnounceParams, AnnounceResponse, PeerAddress } from './types.ts';

/** An answer longer than this is refused: a peer list of 200 peers takes a few KiB. */
export const MAX_HTTP_ANSWER_BYTES = 1024 * 1024;

/** What the URL escapes leave alone (RFC 3986 §2.3 "unreserved"); every other byte becomes %XX. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Percent-encodes raw bytes one by one: `%` and two hex digits for each byte
 * that is not unreserved. Never through UTF-8 (encodeURIComponent would turn
 * the byte 0xe9 into `%C3%A9`, two bytes, and the info_hash would be wrong).
 */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const c = String.fromCharCode(byte);
    out += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The announce URL with our query appended (after `&` when the URL already
 * has a query, as private trackers' passkeys do). `event` is left out for a
 * regular re-announce (`none`), `numwant` when not asked for.
 */
export function announceUrlWithQuery(url: string, params: AnnounceParams): string {
  const fields: [string, string][] = [
    ['info_hash', percentEncodeBytes(params.infoHash)],
    ['peer_id', percentEncodeBytes(params.peerId)],
    ['port', String(params.port)],
    ['uploaded', String(params.uploaded)],
    ['downloaded', String(params.downloaded)],
    ['left', String(params.left)],
    ['compact', '1'],
  ];
  if (params.event !== 'none') fields.push(['event', params.event]);
  if (params.numWant !== undefined) fields.push(['numwant', String(params.numWant)]);
  const query = fields.map(([k, v]) => `${k}=${v}`).join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/**
 * Reads a tracker's bencoded answer. Throws {@link TrackerFailureError} when
 * it holds `failure reason`, a ProtocolError when it is not a valid answer.
 * `warning message` is tolerated (the announce still counted). Peers may come
 * compact (a byte string, 6 bytes each) or as a list of `{ip, port}`
 * dictionaries; IPv6 peers (`peers6`, 18 bytes each) are added.
 */
export function parseHttpAnnounceAnswer(body: Uint8Array, url: string): AnnounceResponse {
  const answer = decodeBencode(body);
  if (!isDictionary(answer)) throw new ProtocolError('the tracker answered something other than a bencoded dictionary', 'bep3', body);
  const failure = answer['failure reason'];
  if (failure !== undefined) throw new TrackerFailureError(url, failure instanceof Uint8Array ? Buffer.from(failure).toString('utf8') : String(failure));

  const interval = answer['interval'];
  if (typeof interval !== 'number' || interval < 0) throw new ProtocolError('the answer has no interval (a whole number of seconds)', 'bep3', body);
  const peers = [...readPeers(answer['peers']), ...(answer['peers6'] instanceof Uint8Array ? parseCompactPeers6(answer['peers6']) : [])];
  const response: AnnounceResponse = { intervalSeconds: interval, peers };
  if (typeof answer['complete'] === 'number') response.seeders = answer['complete'];
  if (typeof answer['incomplete'] === 'number') response.leechers = answer['incomplete'];
  return response;
}

/** `peers`: compact bytes, or a list of dictionaries with `ip` and `port` (entries without them are skipped). */
function readPeers(value: BencodeValue | undefined): PeerAddress[] {
  if (value instanceof Uint8Array) return parseCompactPeers(value);
  if (!Array.isArray(value)) return [];
  const peers: PeerAddress[] = [];
  for (const entry of value) {
    if (!isDictionary(entry)) continue;
    const ip = entry['ip'];
    const port = entry['port'];
    if (ip instanceof Uint8Array && ip.length > 0 && typeof port === 'number' && port >= 1 && port <= 65_535) {
      peers.push({ host: Buffer.from(ip).toString('utf8'), port });
    }
  }
  return peers;
}

/**
 * One announce over HTTP: GET the URL with the query, read at most
 * MAX_HTTP_ANSWER_BYTES, parse. Rejects with TimeoutError after `timeoutMs`,
 * TrackerUnreachableError when no connection could be made, the signal's
 * reason when aborted, or what {@link parseHttpAnnounceAnswer} throws.
 */
export async function httpAnnounce(url: string, params: AnnounceParams, options: { timeoutMs: number; signal?: AbortSignal }): Promise<AnnounceResponse> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(announceUrlWithQuery(url, params), { signal, redirect: 'follow' });
    body = await readLimited(response);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (deadline.aborted) throw new TimeoutError(`an answer from the tracker ${url}`, options.timeoutMs);
    if (!(error instanceof TypeError)) throw error;
    // fetch reports every network failure as TypeError('fetch failed') with the system error as its cause.
    const cause = (error as { cause?: unknown }).cause;
    throw new TrackerUnreachableError(url, cause instanceof Error ? cause.message : error.message, { cause: error });
  }
  if (response.status === 200) return parseHttpAnnounceAnswer(body, url);
  // Some trackers refuse with a 4xx and a bencoded failure reason: that reason is the better message.
  try {
    parseHttpAnnounceAnswer(body, url);
  } catch (error) {
    if (error instanceof TrackerFailureError) throw error;
  }
  throw new ProtocolError(`the tracker answered HTTP ${response.status} ${response.statusText}`, 'bep3', body);
}

/** The body, refused beyond MAX_HTTP_ANSWER_BYTES (a hostile tracker cannot fill our memory). */
async function readLimited(response: Response): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, total);
    total += value.length;
    if (total > MAX_HTTP_ANSWER_BYTES) {
      await reader.cancel();
      throw new ProtocolError(`the answer is longer than ${MAX_HTTP_ANSWER_BYTES} bytes`, 'bep3');
    }
    chunks.push(value);
  }
}

function isDictionary(value: BencodeValue | undefined): value is BencodeDictionary {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value);
}
