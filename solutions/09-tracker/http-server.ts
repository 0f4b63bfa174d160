/**
 * The HTTP tracker: `GET /announce?…` and `GET /scrape?…` answered in
 * bencode, `GET /` with a status page. {@link answerHttp} is the whole logic
 * as a pure function; {@link createHttpTracker} only plugs it into node:http.
 */
import http from 'node:http';
import { unmapIPv4 } from 'wirelab';
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
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'only GET is served here\n');
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  try {
    switch (path) {
      case '/announce': {
        const { request, compact, noPeerId } = parseHttpAnnounce(parseQuery(rawQuery), ip);
        const result = state.swarms.announce(request, state.now());
        return bencoded(encodeHttpAnnounceResponse(result, state.intervalSeconds, { compact, noPeerId }));
      }
      case '/scrape': {
        const asked = parseHttpScrape(parseQuery(rawQuery));
        const hashes = asked.length > 0 ? asked : state.swarms.summaries(MAX_LISTED_SWARMS).map((s) => Buffer.from(s.infoHashHex, 'hex'));
        return bencoded(encodeHttpScrapeResponse(hashes.map((infoHash) => ({ infoHash, counts: state.swarms.scrape(infoHash) }))));
      }
      case '/':
      case '/index.html':
        return {
          status: 200,
          contentType: 'text/html; charset=utf-8',
          body: Buffer.from(renderStatusPage(state.swarms.summaries(MAX_LISTED_SWARMS), state.swarms.peerCount), 'utf8'),
        };
      default:
        return text(404, 'not found: this tracker serves /announce, /scrape and /\n');
    }
  } catch (error) {
    if (error instanceof TrackerRequestError) return bencoded(encodeHttpFailure(error.reason));
    throw error;
  }
}

/** An http.Server answering with {@link answerHttp}; a bug in one request costs that request a 500, never the server. */
export function createHttpTracker(state: TrackerState): http.Server {
  const server = http.createServer((req, res) => {
    let answer: HttpAnswer;
    try {
      answer = answerHttp(req.method ?? 'GET', req.url ?? '/', clientIp(req.socket.remoteAddress), state);
    } catch (error) {
      answer = text(500, `internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  });
  // Bounded waits: a client that opens a connection and says nothing is cut off.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/** The client's address as peers should see it: `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) → `127.0.0.1`. */
export function clientIp(remoteAddress: string | undefined): string {
  return remoteAddress === undefined ? '0.0.0.0' : unmapIPv4(remoteAddress);
}

function bencoded(body: Buffer): HttpAnswer {
  return { status: 200, contentType: BENCODE, body };
}

function text(status: number, body: string): HttpAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body: Buffer.from(body, 'utf8') };
}
