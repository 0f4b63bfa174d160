/**
 * The origin: the master copy of the content, a plain HTTP/1.1 file server
 * (node:http) in front of a folder. Given complete: the same file in
 * exercises/ and solutions/. Your edge fetches its misses from here.
 *
 * What it gives a cache to work with (RFC 9110, RFC 9111):
 *   - `ETag` (strong: a hash of the bytes) and `Last-Modified`;
 *   - `Cache-Control: max-age=N` (configurable, and per path: `no-store` for
 *     a live feed, say);
 *   - `If-None-Match` → `304 Not Modified` (and `If-Modified-Since` when no
 *     tag is given), `Range: bytes=…` → `206` or `416`, `HEAD`;
 *   - a `Date` from the clock you give it, so tests can move time.
 * And what tests and the CDN experiment need: counters of requests and body
 * bytes sent ("bytes the origin served"), a delay ("far away"), and a switch
 * that makes it drop every connection ("down").
 *
 *   curl -v http://127.0.0.1:PORT/video.mp4 -H 'Range: bytes=0-99'
 */
import { stat, readFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { noneMatchHits, strongEtag } from './entity-tags.ts';
import { fileForPath, mediaType, originRange } from './origin-content.ts';

/** How to run the origin. */
export interface OriginOptions {
  /** The folder served: `GET /a/b.txt` reads `<root>/a/b.txt`. */
  root: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (the system picks; read `origin.port`) */
  port?: number;
  /** `Cache-Control: max-age=…` of every file. @default 60 */
  maxAgeSeconds?: number;
  /**
   * The `Cache-Control` value for a URL path, overriding max-age (return
   * undefined to keep the default): `(p) => p.startsWith('/live/') ? 'no-store' : undefined`.
   */
  cacheControl?: (urlPath: string) => string | undefined;
  /** Wait this long before answering each request ("far away"). @default 0 */
  delayMs?: number;
  /** The clock of `Date` headers, in ms since the epoch. @default Date.now */
  now?: () => number;
  /** Called once per answered request, for `-v` logging. */
  onRequest?: (event: OriginRequestEvent) => void;
}

/** One answered request. */
export interface OriginRequestEvent {
  method: string;
  path: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  /** The request's If-None-Match, when it was a revalidation. */
  ifNoneMatch?: string;
}

/** What the origin has done so far. */
export interface OriginStats {
  /** Requests answered (any status). */
  requests: number;
  /** Body bytes sent: what a CDN exists to reduce. */
  bytesServed: number;
  /** Requests answered 304 Not Modified (revalidations). */
  notModified: number;
}

/** A running origin. */
export interface Origin {
  readonly host: string;
  readonly port: number;
  /** Live counters (read them, do not change them). */
  readonly stats: OriginStats;
  /** Changes the delay before each answer (a slow origin: more than the edge's time limit). */
  setDelay(ms: number): void;
  /** While down, every new connection is dropped at once and open ones are cut: the edge sees a dead origin. */
  setDown(down: boolean): void;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

/** Starts an origin serving `options.root`. */
export async function startOrigin(options: OriginOptions): Promise<Origin> {
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeSeconds ?? 60;
  const stats: OriginStats = { requests: 0, bytesServed: 0, notModified: 0 };
  let delayMs = options.delayMs ?? 0;
  let down = false;

  const server = http.createServer((req, res) => {
    const answered = (status: number, body?: Uint8Array): void => {
      const bytes = req.method === 'HEAD' || body === undefined ? 0 : body.length;
      stats.requests++;
      stats.bytesServed += bytes;
      if (status === 304) stats.notModified++;
      res.statusCode = status;
      res.setHeader('Date', new Date(now()).toUTCString());
      res.end(bytes > 0 ? body : undefined);
      const ifNoneMatch = req.headers['if-none-match'];
      options.onRequest?.({ method: req.method ?? '', path: req.url ?? '', status, bytes, ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) });
    };
    const later = setTimeout(() => {
      answer(req, res, answered, options.root, options.cacheControl, maxAge).catch((error: unknown) => {
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        answered(500, Buffer.from(`origin error: ${error instanceof Error ? error.message : String(error)}\n`));
      });
    }, delayMs);
    res.once('close', () => clearTimeout(later));
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket: net.Socket) => {
    if (down) socket.destroy();
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: address.address,
    port: address.port,
    stats,
    setDelay: (ms) => void (delayMs = ms),
    setDown: (value) => {
      down = value;
      if (down) server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers one request from the folder. */
async function answer(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  answered: (status: number, body?: Uint8Array) => void,
  root: string,
  cacheControl: OriginOptions['cacheControl'],
  maxAge: number,
): Promise<void> {
  const text = (status: number, message: string): void => {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    answered(status, Buffer.from(`${message}\n`));
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return text(405, 'this origin serves GET and HEAD');
  }
  const urlPath = (req.url ?? '/').split('?')[0]!;
  const file = fileForPath(root, urlPath);
  if (file === undefined) return text(403, 'that path is outside the content folder');
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return text(404, `no file ${urlPath}`);
  const body = await readFile(file);
  const etag = strongEtag(body);
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
  // Validators and freshness go on 200, 206 and 304 alike (RFC 9110 §15.4.5).
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', lastModified.toUTCString());
  res.setHeader('Cache-Control', cacheControl?.(urlPath) ?? `max-age=${maxAge}`);
  res.setHeader('Accept-Ranges', 'bytes');

  const ifNoneMatch = req.headers['if-none-match'];
  const ifModifiedSince = req.headers['if-modified-since'];
  const unchanged =
    ifNoneMatch !== undefined
      ? noneMatchHits(ifNoneMatch, etag) // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
      : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= lastModified.getTime();
  if (unchanged) return answered(304);

  res.setHeader('Content-Type', mediaType(file));
  const range = req.method === 'GET' ? originRange(req.headers.range, body.length) : ({ kind: 'whole' } as const);
  if (range.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${body.length}`);
    return text(416, `that range is outside the ${body.length} bytes of ${urlPath}`);
  }
  if (range.kind === 'part') {
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${body.length}`);
    res.setHeader('Content-Length', range.end - range.start + 1);
    return answered(206, body.subarray(range.start, range.end + 1));
  }
  res.setHeader('Content-Length', body.length);
  answered(200, body);
}
