/**
 * The HTTP tracker: `GET /announce?…` and `GET /scrape?…` answered in
 * bencode, `GET /` with a status page. {@link answerHttp} is the whole logic
 * as a pure function; {@link createHttpTracker} only plugs it into node:http.
 */
import http from 'node:http';
import {
  encodeHttpAnnounceResponse,
  encodeHttpFailure,
  encodeHttpScrapeResponse,
  parseHttpAnnounce,
  parseHttpScrape,
} from './http-announce.ts';
import { parseQuery } from './query.ts';
import { TrackerRequestError } from './request-error.ts';
import { renderStatusPage } from './status-page.ts';
import type { TrackerState } from './types.ts';

/** An HTTP answer before it goes on the wire. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Swarms listed on the status page and in a scrape of everything, at most. */
const MAX_LISTED_SWARMS = 1000;

/** What trackers traditionally label their bencoded answers with. */
const BENCODE = 'text/plain';

/**
 * Answers one request. `rawUrl` is the request target exactly as sent (still
 * percent-encoded: decoding must happen byte by byte, see query.ts); `ip` is
 * the client's address. A request the tracker refuses still gets status 200
 * with a bencoded `failure reason`: that is where BitTorrent clients look.
 */
export function answerHttp(method: string, rawUrl: string, ip: string, state: TrackerState): HttpAnswer {
  // TODO: split rawUrl at `?`; `/announce` → parseHttpAnnounce(parseQuery(…)) → state.swarms.announce → encode;
  // TODO: `/scrape` → counts of the asked (or all) swarms; `/` → renderStatusPage; anything else → 404.
  // TODO: a TrackerRequestError becomes status 200 with encodeHttpFailure(error.reason).
  throw new Error('TODO(09-tracker): answerHttp');
}

/** An http.Server answering with {@link answerHttp}; a bug in one request costs that request a 500, never the server. */
export function createHttpTracker(state: TrackerState): http.Server {
  // TODO: http.createServer((req, res) => …answerHttp(req.method, req.url, clientIp(req.socket.remoteAddress), state)…);
  // TODO: a thrown bug becomes a 500 for that request only; set headersTimeout/requestTimeout so idle clients are cut off.
  throw new Error('TODO(09-tracker): createHttpTracker');
}

/** The client's address as peers should see it: `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) → `127.0.0.1`. */
export function clientIp(remoteAddress: string | undefined): string {
  // TODO: no address (the socket is already gone) → '0.0.0.0'; ::ffff:a.b.c.d → a.b.c.d (unmapIPv4 from 'wirelab').
  throw new Error('TODO(09-tracker): clientIp');
}
