/**
 * Exercise 13, part 2: the caching edge. The pure parts (request parser,
 * LRU, cache policy, ranges) are judged without sockets; the edge itself by
 * a raw-socket client written from RFC 9112 (tests/helpers/http-raw.ts:
 * exact status lines and fields, pipelining, malformed and slow requests)
 * and by Node's own `fetch` (undici, not our code), in front of the given
 * origin (origin.ts, the same file in exercises/ and solutions/). Time is a
 * manual clock shared by origin and edge, so ages grow without waiting.
 */
import { describe, expect } from 'vitest';
import { parseRequestHead } from '@impl/13-cdn/http-request.ts';
import { HttpRequestError } from '@impl/13-cdn/http-errors.ts';
import { LruCache } from '@impl/13-cdn/lru-cache.ts';
import { parseCacheControl } from '@impl/13-cdn/cache-control.ts';
import { ageFieldValue, correctedInitialAge, isFresh, refreshed, revalidationFields, storability, toStored } from '@impl/13-cdn/cache-policy.ts';
import { contentRange, decideRange, unsatisfiedRange } from '@impl/13-cdn/byte-range.ts';
import { startEdge } from '@impl/13-cdn/edge.ts';
import { startOrigin, type Origin, type OriginOptions, type OriginRequestEvent } from '@impl/13-cdn/origin.ts';
import type { Edge, EdgeOptions } from '@impl/13-cdn/edge-types.ts';
import type { Transcript } from '../lib/index.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { CONTENT, ManualClock, fingerprint, liveIsNoStore, makeContent } from './helpers/cdn-content.ts';
import { RawHttpClient, request } from './helpers/http-raw.ts';

const test = graded('13-cdn', {
  'step 11: parses the request line, the header fields and Host': 2,
  'step 11: refuses malformed heads with 400, a missing Host included': 2,
  'step 11: 414 for an overlong request line, 431 for too many or too large fields, 505 for HTTP/2.0': 2,
  'step 11: tells a kept-alive connection from one that closes': 1,
  'step 12: the LRU evicts the least recently used entries until the bytes fit': 2,
  'step 12: a get makes an entry the most recent; one larger than the cache is not stored': 2,
  'step 13: reads Cache-Control: max-age, s-maxage, no-store, no-cache, private': 1,
  'step 13: stores a 200 with max-age, never no-store, private or a 404': 2,
  'step 13: computes Age as RFC 9111 §4.2.3 says': 2,
  'step 13: fresh while the age is under max-age; revalidates with If-None-Match; a 304 refreshes': 2,
  'step 14: decides byte ranges: A-B, A-, -N, clamped, 416 past the end, the rest ignored': 2,
  'step 15: answers GET with an exact status line, Content-Length, X-Cache and Age': 2,
  'step 15: keeps the connection for pipelined requests and closes on Connection: close': 2,
  'step 15: answers HEAD with the fields of GET and no body': 1,
  'step 15: answers POST with 405 and Allow': 1,
  'step 15: a malformed request gets 400 and the connection closes; the edge serves on': 2,
  'step 15: 414 for an overlong request line and 431 for huge fields, then close': 2,
  'step 15: a request that is too slow gets 408 and the connection closes': 2,
  'step 16: the second fetch is a HIT and the origin sees one request': 2,
  'step 16: Age grows while the edge holds the object': 2,
  'step 16: no-store is never cached': 2,
  'step 16: a stale entry is revalidated with If-None-Match; the 304 refreshes it': 3,
  'step 16: an object that changed at the origin is fetched anew once stale': 1,
  'step 16: a client that has the current ETag gets 304 from the edge, without asking the origin': 1,
  'step 16: the cache stays within cacheBytes, evicting the least recently used': 1,
  'step 17: ten concurrent misses for one object cost one origin fetch': 3,
  'step 18: a dead origin gives 502 in bounded time while cached objects are still served': 3,
  'step 18: a slow origin gives 504 in bounded time': 2,
  'step 18: a stale object is served (X-Cache: STALE) while the origin is down': 1,
  'step 19: serves a Range from the cache with 206 and the exact bytes': 2,
  'step 19: 416 for a range past the end, with bytes */size': 1,
});

const track = closeAfterEach();

/** The world of one test: a content folder, the origin in front of it, an edge in front of that. */
interface World {
  origin: Origin;
  edge: Edge;
  clock: ManualClock;
  /** Every request the origin answered. */
  originLog: OriginRequestEvent[];
  url(path: string): string;
  write(path: string, body: Buffer): Promise<void>;
}

async function world(options: { origin?: Partial<OriginOptions>; edge?: Partial<EdgeOptions>; transcript?: Transcript } = {}): Promise<World> {
  const content = track(await makeContent());
  const clock = new ManualClock();
  const originLog: OriginRequestEvent[] = [];
  const origin = track(
    await startOrigin({ root: content.root, maxAgeSeconds: 60, cacheControl: liveIsNoStore, now: clock.now, onRequest: (e) => originLog.push(e), ...options.origin }),
  );
  const edge = track(
    await startEdge({
      origin: { host: origin.host, port: origin.port },
      now: clock.now,
      timeouts: { originConnectMs: 2000, originResponseMs: 3000, clientHeaderMs: 3000 },
      ...(options.transcript ? { transcript: options.transcript } : {}),
      ...options.edge,
    }),
  );
  return { origin, edge, clock, originLog, url: (p) => `http://127.0.0.1:${edge.port}${p}`, write: content.write };
}

async function raw(w: World, transcript: Transcript): Promise<RawHttpClient> {
  return track(await RawHttpClient.open(w.edge.port, transcript));
}

/** The status an invalid head is refused with (or "accepted"). */
function refusal(text: string): number | 'accepted' {
  try {
    parseRequestHead(text);
    return 'accepted';
  } catch (error) {
    if (error instanceof HttpRequestError) return error.status;
    throw error;
  }
}

/** A fetch that never reuses a connection the edge may have closed. */
async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe('step 11: the request head (RFC 9112), pure', () => {
  test('step 11: parses the request line, the header fields and Host', () => {
    const r = parseRequestHead('GET /video.mp4?q=1 HTTP/1.1\r\nHost: video.cdn.test\r\nRange: bytes=0-99\r\nX-Tag: a\r\nx-tag:b \r\n\r\n');
    expect(r && { method: r.method, target: r.target, version: r.version, host: r.host, keepAlive: r.keepAlive, contentLength: r.contentLength }).toEqual({
      method: 'GET',
      target: '/video.mp4?q=1',
      version: '1.1',
      host: 'video.cdn.test',
      keepAlive: true,
      contentLength: 0,
    });
    expect(r?.headers.get('range')).toBe('bytes=0-99');
    expect(r?.headers.get('x-tag')).toBe('a, b');
    // Lines may end in a bare LF; the absolute form names the host in the target.
    const absolute = parseRequestHead('HEAD http://video.cdn.test/a.txt HTTP/1.1\nHost: elsewhere\n\n');
    expect(absolute && [absolute.method, absolute.target, absolute.host]).toEqual(['HEAD', '/a.txt', 'video.cdn.test']);
    // Not complete until the empty line.
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: x\r\n')).toBeUndefined();
  });

  test('step 11: refuses malformed heads with 400, a missing Host included', () => {
    const cases: Record<string, string> = {
      'no Host in HTTP/1.1': 'GET /a HTTP/1.1\r\n\r\n',
      'two Hosts': 'GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'two spaces': 'GET  /a HTTP/1.1\r\nHost: x\r\n\r\n',
      'no version': 'GET /a\r\nHost: x\r\n\r\n',
      'not a version': 'GET /a HTTX/1.1\r\nHost: x\r\n\r\n',
      'method not a token': 'G(T /a HTTP/1.1\r\nHost: x\r\n\r\n',
      'target not a path': 'GET a HTTP/1.1\r\nHost: x\r\n\r\n',
      'space before colon': 'GET /a HTTP/1.1\r\nHost : x\r\n\r\n',
      'no colon': 'GET /a HTTP/1.1\r\nHost x\r\n\r\n',
      'folded line': 'GET /a HTTP/1.1\r\nHost: x\r\n  more\r\n\r\n',
      'control in value': 'GET /a HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n',
      'bad Content-Length': 'GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n',
      'Content-Length and Transfer-Encoding': 'GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    };
    const got = Object.fromEntries(Object.entries(cases).map(([name, text]) => [name, refusal(text)]));
    expect(got).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, 400])));
    expect(refusal('GET /a HTTP/1.0\r\n\r\n')).toBe('accepted'); // HTTP/1.0 has no Host requirement
  });

  test('step 11: 414 for an overlong request line, 431 for too many or too large fields, 505 for HTTP/2.0', () => {
    expect(refusal(`GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toBe(414);
    const many = Array.from({ length: 101 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    expect(refusal(`GET / HTTP/1.1\r\nHost: x\r\n${many}\r\n`)).toBe(431);
    expect(refusal(`GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(17_000)}\r\n\r\n`)).toBe(431);
    expect(refusal('GET / HTTP/2.0\r\nHost: x\r\n\r\n')).toBe(505);
  });

  test('step 11: tells a kept-alive connection from one that closes', () => {
    const keep = (text: string) => parseRequestHead(text)?.keepAlive;
    expect({
      '1.1': keep('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      '1.1 close': keep('GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n'),
      '1.0': keep('GET / HTTP/1.0\r\n\r\n'),
      '1.0 keep-alive': keep('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'),
    }).toEqual({ '1.1': true, '1.1 close': false, '1.0': false, '1.0 keep-alive': true });
  });
});

describe('step 12: an LRU bounded in bytes, pure', () => {
  test('step 12: the LRU evicts the least recently used entries until the bytes fit', () => {
    const lru = new LruCache<string>({ maxBytes: 10 });
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 3);
    lru.set('c', 'C', 2);
    expect([lru.keys(), lru.bytes]).toEqual([['a', 'b', 'c'], 9]);
    lru.set('d', 'D', 5); // 14 > 10: a (4) goes, 10 fits
    expect([lru.keys(), lru.bytes, lru.evictions]).toEqual([['b', 'c', 'd'], 10, 1]);
    lru.set('e', 'E', 6); // b, c and d must go... until 6 fits: b (3), c (2), d (5)
    expect([lru.keys(), lru.bytes, lru.get('b')]).toEqual([['e'], 6, undefined]);
    lru.set('e', 'E2', 1); // replacing counts the new size only
    expect([lru.get('e'), lru.bytes, lru.size]).toEqual(['E2', 1, 1]);
  });

  test('step 12: a get makes an entry the most recent; one larger than the cache is not stored', () => {
    const lru = new LruCache<number>({ maxBytes: 100 });
    lru.set('old', 1, 40);
    lru.set('mid', 2, 40);
    expect(lru.get('old')).toBe(1); // now the most recent: mid is the one to go
    lru.set('new', 3, 40);
    expect(lru.keys()).toEqual(['old', 'new']);
    expect(lru.peek('old')).toBe(1); // peek does not count as a use
    expect(lru.keys()).toEqual(['old', 'new']);
    expect(lru.set('huge', 4, 101)).toBe(false);
    expect([lru.has('huge'), lru.keys(), lru.bytes]).toEqual([false, ['old', 'new'], 80]);
    expect(lru.delete('old')).toBe(true);
    expect(lru.bytes).toBe(40);
  });
});

describe('step 13: what a cache may reuse (RFC 9111), pure', () => {
  const T = Date.UTC(2025, 0, 1, 12, 0, 0);
  const at = (s: number) => T + s * 1000;
  const date = (s: number) => new Date(at(s)).toUTCString();

  test('step 13: reads Cache-Control: max-age, s-maxage, no-store, no-cache, private', () => {
    expect(parseCacheControl('max-age=60, s-maxage=30, MUST-REVALIDATE')).toMatchObject({ maxAge: 60, sMaxAge: 30, mustRevalidate: true, noStore: false });
    expect(parseCacheControl('no-store')).toMatchObject({ noStore: true });
    expect(parseCacheControl('no-cache, private="Set-Cookie"')).toMatchObject({ noCache: true, private: true });
    expect(parseCacheControl('max-age="20"').maxAge).toBe(20);
    expect(parseCacheControl('max-age=soon').maxAge).toBe(0); // unreadable: stale at once, the safe reading
    expect(parseCacheControl(undefined)).toMatchObject({ noStore: false, noCache: false, private: false });
  });

  test('step 13: stores a 200 with max-age, never no-store, private or a 404', () => {
    const store = (status: number, cc: string) => storability(status, [['Cache-Control', cc], ['ETag', '"v1"']]).store;
    expect({
      '200 max-age': store(200, 'max-age=60'),
      'no-store': store(200, 'max-age=60, no-store'),
      private: store(200, 'private, max-age=60'),
      '404': store(404, 'max-age=60'),
    }).toEqual({ '200 max-age': true, 'no-store': false, private: false, '404': false });
  });

  test('step 13: computes Age as RFC 9111 §4.2.3 says', () => {
    // Generated at 0 (Date), already 10 s old by its Age field, asked at 1, arrived at 3:
    // apparent age 3, corrected age value 10 + 2 = 12 → 12.
    expect(correctedInitialAge({ ageValue: 10, dateValue: at(0), requestTime: at(1), responseTime: at(3) })).toBe(12);
    // A Date from a clock that runs ahead counts for nothing (apparent age 0); the round trip still counts.
    expect(correctedInitialAge({ ageValue: 0, dateValue: at(100), requestTime: at(0), responseTime: at(0.5) })).toBe(0.5);
    // The origin's clock is 5 s behind ours: apparent age 5 wins over Age 2 + delay 1.
    expect(correctedInitialAge({ ageValue: 2, dateValue: at(-5), requestTime: at(-1), responseTime: at(0) })).toBe(5);
    const entry = toStored({ status: 200, fields: [['Date', date(-3)], ['Age', '2'], ['Cache-Control', 'max-age=60']], body: Buffer.from('x'), requestTime: at(-1), responseTime: at(0) });
    expect(ageFieldValue(entry, at(10))).toBe('13'); // 3 already, plus 10 s held
    expect(ageFieldValue(entry, at(10.9))).toBe('13'); // whole seconds, rounded down
  });

  test('step 13: fresh while the age is under max-age; revalidates with If-None-Match; a 304 refreshes', () => {
    const body = Buffer.from('video bytes');
    const entry = toStored({ status: 200, fields: [['Date', date(0)], ['Cache-Control', 'max-age=60'], ['ETag', '"v1"'], ['Content-Type', 'video/mp4']], body, requestTime: at(0), responseTime: at(0) });
    expect([isFresh(entry, at(59)), isFresh(entry, at(60)), isFresh(entry, at(61))]).toEqual([true, false, false]);
    expect(revalidationFields(entry)).toEqual([['If-None-Match', '"v1"']]);
    const again = refreshed(entry, { status: 304, fields: [['Date', date(100)], ['Cache-Control', 'max-age=120'], ['ETag', '"v1"']], body: Buffer.alloc(0), requestTime: at(100), responseTime: at(100) });
    expect([again.body.toString(), isFresh(again, at(219)), isFresh(again, at(221)), ageFieldValue(again, at(100))]).toEqual(['video bytes', true, false, '0']);
    expect(again.fields.filter(([name]) => name.toLowerCase() === 'cache-control')).toEqual([['Cache-Control', 'max-age=120']]);
    // no-cache: stored, but never fresh without asking.
    const noCache = toStored({ status: 200, fields: [['Date', date(0)], ['Cache-Control', 'no-cache'], ['ETag', '"n"']], body, requestTime: at(0), responseTime: at(0) });
    expect(isFresh(noCache, at(0))).toBe(false);
  });
});

describe('step 14: byte ranges (RFC 9110 §14), pure', () => {
  test('step 14: decides byte ranges: A-B, A-, -N, clamped, 416 past the end, the rest ignored', () => {
    const decide = (h: string | undefined) => decideRange(h, 1000);
    expect([decide('bytes=0-99'), decide('bytes=900-'), decide('bytes=-100'), decide('bytes=900-5000'), decide('BYTES=0-0')]).toEqual([
      { kind: 'part', start: 0, end: 99 },
      { kind: 'part', start: 900, end: 999 },
      { kind: 'part', start: 900, end: 999 },
      { kind: 'part', start: 900, end: 999 },
      { kind: 'part', start: 0, end: 0 },
    ]);
    expect([decide('bytes=1000-'), decide('bytes=-0')]).toEqual([{ kind: 'unsatisfiable' }, { kind: 'unsatisfiable' }]);
    expect([decide(undefined), decide('bytes=5-1'), decide('items=0-1'), decide('bytes=0-1,5-6'), decide('bytes=x-y')].map((d) => d.kind)).toEqual(['whole', 'whole', 'whole', 'whole', 'whole']);
    expect([contentRange(0, 99, 1000), unsatisfiedRange(1000)]).toEqual(['bytes 0-99/1000', 'bytes */1000']);
  });
});

describe('step 15: HTTP/1.1 over a raw socket', () => {
  test('step 15: answers GET with an exact status line, Content-Length, X-Cache and Age', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/index.html'));
    const r = await c.read();
    expect(r.statusLine).toBe('HTTP/1.1 200 OK');
    expect(r.body.toString()).toBe(CONTENT['/index.html'].toString());
    expect([r.headers.get('content-length'), r.headers.get('x-cache'), r.headers.get('age'), r.headers.get('content-type')]).toEqual([
      String(CONTENT['/index.html'].length),
      'MISS',
      '0',
      'text/html; charset=utf-8',
    ]);
    expect(r.headers.get('etag')).toMatch(/^"[^"]+"$/);
    await c.send(request('/index.html'));
    const again = await c.read();
    expect([again.statusLine, again.headers.get('x-cache'), again.headers.get('etag')]).toEqual(['HTTP/1.1 200 OK', 'HIT', r.headers.get('etag')]);
  });

  test('step 15: keeps the connection for pipelined requests and closes on Connection: close', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/index.html') + request('/live/feed.txt') + request('/obj-10k.bin', ['Connection: close']));
    const first = await c.read();
    const second = await c.read();
    const third = await c.read();
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect([first.body.toString(), second.body.toString()]).toEqual([CONTENT['/index.html'].toString(), CONTENT['/live/feed.txt'].toString()]);
    expect(fingerprint(third.body)).toBe(fingerprint(CONTENT['/obj-10k.bin']));
    expect([first.headers.get('connection'), third.headers.get('connection')]).toEqual([undefined, 'close']);
    expect((await c.readToEnd()).length).toBe(0); // and then it closes
  });

  test('step 15: answers HEAD with the fields of GET and no body', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/obj-10k.bin', [], 'HEAD'));
    const head = await c.read({ bodyless: true });
    await c.send(request('/obj-10k.bin'));
    const got = await c.read(); // if HEAD had sent a body, this would read its bytes as a status line
    expect([head.statusLine, head.headers.get('content-length'), head.headers.get('etag')]).toEqual(['HTTP/1.1 200 OK', String(10 * 1024), got.headers.get('etag')]);
    expect([got.status, got.body.length, got.headers.get('x-cache')]).toEqual([200, 10 * 1024, 'HIT']);
  });

  test('step 15: answers POST with 405 and Allow', async ({ transcript }) => {
    const w = await world();
    const c = await raw(w, transcript);
    await c.send(request('/index.html', ['Content-Length: 5'], 'POST') + 'hello');
    const r = await c.read();
    expect([r.statusLine, r.headers.get('allow')]).toEqual(['HTTP/1.1 405 Method Not Allowed', 'GET, HEAD']);
    expect(w.origin.stats.requests).toBe(0);
  });

  test('step 15: a malformed request gets 400 and the connection closes; the edge serves on', async ({ transcript }) => {
    const w = await world();
    for (const bad of ['GET /index.html HTTP/1.1\r\nHost video.cdn.test\r\n\r\n', 'GET /index.html HTTP/1.1\r\n\r\n', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n']) {
      const c = await raw(w, transcript);
      await c.send(bad);
      const r = await c.read();
      expect([r.statusLine, r.headers.get('connection')]).toEqual(['HTTP/1.1 400 Bad Request', 'close']);
      expect((await c.readToEnd()).length).toBe(0);
    }
    const c = await raw(w, transcript);
    await c.send(request('/index.html'));
    expect((await c.read()).status).toBe(200);
  });

  test('step 15: 414 for an overlong request line and 431 for huge fields, then close', async ({ transcript }) => {
    const w = await world();
    const long = await raw(w, transcript);
    await long.send(`GET /${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const r414 = await long.read();
    expect([r414.statusLine, r414.headers.get('connection')]).toEqual(['HTTP/1.1 414 URI Too Long', 'close']);
    expect((await long.readToEnd()).length).toBe(0);
    const fat = await raw(w, transcript);
    await fat.send(`GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 500 }, (_, i) => `X-Field-${i}: ${'v'.repeat(60)}\r\n`).join('')}\r\n`);
    const r431 = await fat.read();
    expect([r431.statusLine, r431.headers.get('connection')]).toEqual(['HTTP/1.1 431 Request Header Fields Too Large', 'close']);
    expect((await fat.readToEnd()).length).toBe(0);
  });

  test('step 15: a request that is too slow gets 408 and the connection closes', async ({ transcript }) => {
    const w = await world({ edge: { timeouts: { clientHeaderMs: 300 } } });
    const slow = await raw(w, transcript);
    const started = performance.now();
    await slow.send('GET /index.html HTTP/1.1\r\nHost: video.cdn.test\r\n'); // and never the empty line
    const r = await slow.read();
    expect([r.statusLine, r.headers.get('connection')]).toEqual(['HTTP/1.1 408 Request Timeout', 'close']);
    expect((await slow.readToEnd()).length).toBe(0);
    expect(performance.now() - started).toBeLessThan(3000);
    // A kept-alive connection that says nothing is closed without a word.
    const idle = await raw(w, transcript);
    expect((await idle.readToEnd()).toString()).toBe('');
  });
});

describe('step 16: caching, judged by fetch', () => {
  test('step 16: the second fetch is a HIT and the origin sees one request', async ({ transcript }) => {
    const w = await world({ transcript });
    const first = await get(w.url('/obj-10k.bin'));
    const second = await get(w.url('/obj-10k.bin'));
    expect([first.status, first.headers.get('x-cache'), second.status, second.headers.get('x-cache')]).toEqual([200, 'MISS', 200, 'HIT']);
    expect(fingerprint(second.body)).toBe(fingerprint(CONTENT['/obj-10k.bin']));
    expect([w.origin.stats.requests, w.origin.stats.bytesServed]).toEqual([1, 10 * 1024]);
    expect(w.edge.stats).toMatchObject({ hits: 1, misses: 1, originFetches: 1 });
  });

  test('step 16: Age grows while the edge holds the object', async ({ transcript }) => {
    const w = await world({ transcript });
    const ages: (string | null)[] = [];
    for (const wait of [0, 7, 20]) {
      w.clock.advance(wait);
      ages.push((await get(w.url('/index.html'))).headers.get('age'));
    }
    expect(ages).toEqual(['0', '7', '27']);
    expect(w.origin.stats.requests).toBe(1);
  });

  test('step 16: no-store is never cached', async ({ transcript }) => {
    const w = await world({ transcript });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await get(w.url('/live/feed.txt')));
    expect(answers.map((a) => [a.status, a.headers.get('x-cache'), a.body.toString()])).toEqual(Array(3).fill([200, 'MISS', 'score 1-0\n']));
    expect([w.origin.stats.requests, w.edge.stats.cacheEntries]).toEqual([3, 0]);
  });

  test('step 16: a stale entry is revalidated with If-None-Match; the 304 refreshes it', async ({ transcript }) => {
    const w = await world({ transcript, origin: { maxAgeSeconds: 10 } });
    const first = await get(w.url('/index.html'));
    w.clock.advance(11);
    const second = await get(w.url('/index.html'));
    expect([second.status, second.headers.get('x-cache'), second.headers.get('age'), second.body.toString()]).toEqual([200, 'REVALIDATED', '0', CONTENT['/index.html'].toString()]);
    expect(w.originLog.map((e) => [e.status, e.ifNoneMatch])).toEqual([
      [200, undefined],
      [304, first.headers.get('etag')],
    ]);
    w.clock.advance(9); // fresh again for 10 s from the 304
    const third = await get(w.url('/index.html'));
    expect([third.headers.get('x-cache'), third.headers.get('age')]).toEqual(['HIT', '9']);
    expect([w.origin.stats.requests, w.origin.stats.bytesServed]).toEqual([2, CONTENT['/index.html'].length]);
  });

  test('step 16: an object that changed at the origin is fetched anew once stale', async ({ transcript }) => {
    const w = await world({ transcript, origin: { maxAgeSeconds: 10 } });
    const before = await get(w.url('/index.html'));
    await w.write('/index.html', Buffer.from('<p>version 2</p>\n'));
    expect((await get(w.url('/index.html'))).body.toString()).toBe(CONTENT['/index.html'].toString()); // still fresh: the old copy
    w.clock.advance(11);
    const after = await get(w.url('/index.html'));
    expect([after.headers.get('x-cache'), after.body.toString()]).toEqual(['MISS', '<p>version 2</p>\n']);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  test('step 16: a client that has the current ETag gets 304 from the edge, without asking the origin', async ({ transcript }) => {
    const w = await world({ transcript });
    const first = await get(w.url('/video.mp4'));
    const etag = first.headers.get('etag')!;
    const again = await get(w.url('/video.mp4'), { 'If-None-Match': `"other", ${etag}` });
    expect([again.status, again.headers.get('etag'), again.headers.get('x-cache'), again.body.length]).toEqual([304, etag, 'HIT', 0]);
    const changed = await get(w.url('/video.mp4'), { 'If-None-Match': '"not-this-one"' });
    expect([changed.status, changed.body.length]).toEqual([200, CONTENT['/video.mp4'].length]);
    expect(w.origin.stats.requests).toBe(1);
  });

  test('step 16: the cache stays within cacheBytes, evicting the least recently used', async ({ transcript }) => {
    const extra = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`/part-${i}.bin`, Buffer.alloc(10 * 1024, i)]));
    const content = track(await makeContent(extra));
    const w = await world({ transcript, origin: { root: content.root }, edge: { cacheBytes: 40 * 1024 } });
    for (let i = 0; i < 6; i++) expect((await get(w.url(`/part-${i}.bin`))).body.length).toBe(10 * 1024);
    expect(w.edge.stats.cacheBytes).toBeLessThanOrEqual(40 * 1024);
    expect(w.edge.stats.evictions).toBeGreaterThanOrEqual(2);
    expect([(await get(w.url('/part-5.bin'))).headers.get('x-cache'), (await get(w.url('/part-0.bin'))).headers.get('x-cache')]).toEqual(['HIT', 'MISS']);
  });
});

describe('step 17: coalescing', () => {
  test('step 17: ten concurrent misses for one object cost one origin fetch', async ({ transcript }) => {
    const w = await world({ transcript, origin: { delayMs: 150 } }); // the first fetch is still on its way when the others arrive
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(w.url('/video.mp4'))));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.map((a) => fingerprint(a.body))).toEqual(Array(10).fill(fingerprint(CONTENT['/video.mp4'])));
    expect([w.origin.stats.requests, w.edge.stats.originFetches]).toEqual([1, 1]);
  });
});

describe('step 18: a failing origin', () => {
  test('step 18: a dead origin gives 502 in bounded time while cached objects are still served', async ({ transcript }) => {
    const w = await world({ transcript });
    expect((await get(w.url('/index.html'))).status).toBe(200);
    w.origin.setDown(true);
    const started = performance.now();
    const dead = await get(w.url('/obj-10k.bin'));
    expect(dead.status).toBe(502);
    expect(performance.now() - started).toBeLessThan(3000);
    const cached = await get(w.url('/index.html'));
    expect([cached.status, cached.headers.get('x-cache'), cached.body.toString()]).toEqual([200, 'HIT', CONTENT['/index.html'].toString()]);
  });

  test('step 18: a slow origin gives 504 in bounded time', async ({ transcript }) => {
    const w = await world({ transcript, edge: { timeouts: { originConnectMs: 1000, originResponseMs: 300 } } });
    expect((await get(w.url('/index.html'))).status).toBe(200);
    w.origin.setDelay(4000);
    const started = performance.now();
    const slow = await get(w.url('/obj-10k.bin'));
    expect(slow.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(3000);
    expect((await get(w.url('/index.html'))).headers.get('x-cache')).toBe('HIT');
  });

  test('step 18: a stale object is served (X-Cache: STALE) while the origin is down', async ({ transcript }) => {
    const w = await world({ transcript, origin: { maxAgeSeconds: 10 } });
    await get(w.url('/index.html'));
    w.clock.advance(30);
    w.origin.setDown(true);
    const r = await get(w.url('/index.html'));
    expect([r.status, r.headers.get('x-cache'), r.headers.get('age'), r.body.toString()]).toEqual([200, 'STALE', '30', CONTENT['/index.html'].toString()]);
  });
});

describe('step 19: ranges for video seeking', () => {
  test('step 19: serves a Range from the cache with 206 and the exact bytes', async ({ transcript }) => {
    const w = await world({ transcript });
    const video = CONTENT['/video.mp4'];
    const seek = await get(w.url('/video.mp4'), { Range: 'bytes=100000-100999' });
    expect([seek.status, seek.headers.get('content-range'), seek.headers.get('content-length')]).toEqual([206, `bytes 100000-100999/${video.length}`, '1000']);
    expect(fingerprint(seek.body)).toBe(fingerprint(video.subarray(100_000, 101_000)));
    const tail = await get(w.url('/video.mp4'), { Range: 'bytes=-500' });
    expect([tail.status, tail.headers.get('x-cache'), tail.headers.get('content-range')]).toEqual([206, 'HIT', `bytes ${video.length - 500}-${video.length - 1}/${video.length}`]);
    expect(fingerprint(tail.body)).toBe(fingerprint(video.subarray(video.length - 500)));
    expect(w.origin.stats.requests).toBe(1); // one whole fetch; every seek after it comes from the cache
  });

  test('step 19: 416 for a range past the end, with bytes */size', async ({ transcript }) => {
    const w = await world({ transcript });
    const r = await get(w.url('/video.mp4'), { Range: 'bytes=999999999-' });
    expect([r.status, r.headers.get('content-range')]).toEqual([416, `bytes */${CONTENT['/video.mp4'].length}`]);
  });
});
