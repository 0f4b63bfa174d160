/**
 * The reference edge and the given origin judged by curl, the HTTP client
 * everyone tries a server with: MISS then HIT, a range, HEAD, If-None-Match,
 * two URLs on one kept-alive connection, HTTP/1.0, and the origin's own
 * ETag/304/206/416 and refusal of `..`. Runs where `curl` is on the PATH
 * (Debian: `apt-get install curl`); skipped elsewhere, since npm has no curl.
 */
import { describe, expect, test } from 'vitest';
import { startEdge } from '@impl/13-cdn/edge.ts';
import { startOrigin, type Origin } from '@impl/13-cdn/origin.ts';
import type { Edge } from '@impl/13-cdn/edge-types.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { findTool, runTool } from '../helpers/cli-process.ts';
import { CONTENT, fingerprint, liveIsNoStore, makeContent } from '../helpers/cdn-content.ts';

const curl = await findTool(['curl'], ['--version']);
const track = closeAfterEach();

/** One curl run: `-s -S -D -` prints the response heads before the body. */
interface Curl {
  code: number | null;
  heads: { status: number; headers: Map<string, string> }[];
  body: Buffer;
  stderr: string;
}

async function runCurl(args: readonly string[]): Promise<Curl> {
  const run = await runTool(curl!, ['-s', '-S', '--max-time', '10', '-D', '-', ...args], 15_000);
  const text = run.stdout.toString('latin1');
  const heads: Curl['heads'] = [];
  let offset = 0;
  // Heads come first (one per response when several URLs are given, bodies go where -o says).
  while (text.startsWith('HTTP/', offset)) {
    const end = text.indexOf('\r\n\r\n', offset);
    const lines = text.slice(offset, end).split('\r\n');
    const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
    heads.push({ status: Number(lines[0]!.split(' ')[1]), headers });
    offset = end + 4;
  }
  return { code: run.code, heads, body: run.stdout.subarray(offset), stderr: run.stderr.toString() };
}

async function cdn(): Promise<{ origin: Origin; edge: Edge; url: (p: string) => string; originUrl: (p: string) => string }> {
  const content = track(await makeContent());
  const origin = track(await startOrigin({ root: content.root, cacheControl: liveIsNoStore }));
  const edge = track(await startEdge({ origin: { host: origin.host, port: origin.port } }));
  return { origin, edge, url: (p) => `http://127.0.0.1:${edge.port}${p}`, originUrl: (p) => `http://127.0.0.1:${origin.port}${p}` };
}

describe.skipIf(curl === undefined)(`curl against the edge and the origin${curl === undefined ? ' (skipped: curl is not on the PATH)' : ''}`, () => {
  test('MISS, then HIT with the same bytes; the origin served them once', async () => {
    const { origin, url } = await cdn();
    const first = await runCurl([url('/obj-10k.bin')]);
    const second = await runCurl([url('/obj-10k.bin')]);
    expect([first.code, first.heads[0]?.status, first.heads[0]?.headers.get('x-cache'), second.heads[0]?.headers.get('x-cache')]).toEqual([0, 200, 'MISS', 'HIT']);
    expect(fingerprint(second.body)).toBe(fingerprint(CONTENT['/obj-10k.bin']));
    expect(origin.stats.bytesServed).toBe(CONTENT['/obj-10k.bin'].length);
  });

  test('--range, -I and If-None-Match', async () => {
    const { url } = await cdn();
    const range = await runCurl(['--range', '1000-1099', url('/video.mp4')]);
    expect([range.heads[0]?.status, range.heads[0]?.headers.get('content-range'), range.body.length]).toEqual([206, `bytes 1000-1099/${CONTENT['/video.mp4'].length}`, 100]);
    expect(fingerprint(range.body)).toBe(fingerprint(CONTENT['/video.mp4'].subarray(1000, 1100)));
    const head = await runCurl(['-I', url('/video.mp4')]);
    expect([head.heads[0]?.status, head.heads[0]?.headers.get('content-length'), head.heads[0]?.headers.get('x-cache')]).toEqual([200, String(CONTENT['/video.mp4'].length), 'HIT']);
    const etag = head.heads[0]!.headers.get('etag')!;
    const notModified = await runCurl(['-H', `If-None-Match: ${etag}`, url('/video.mp4')]);
    expect([notModified.heads[0]?.status, notModified.heads[0]?.headers.get('etag'), notModified.body.length]).toEqual([304, etag, 0]);
  });

  test('two URLs on one kept-alive connection, and HTTP/1.0', async () => {
    const { url } = await cdn();
    const both = await runCurl(['-v', '-o', '/dev/null', '-o', '/dev/null', url('/index.html'), url('/live/feed.txt')]);
    expect(both.heads.map((h) => h.status)).toEqual([200, 200]);
    expect(both.stderr).toMatch(/Re-using existing connection/);
    const old = await runCurl(['--http1.0', url('/index.html')]);
    expect([old.code, old.heads[0]?.status, old.heads[0]?.headers.get('connection'), old.body.toString()]).toEqual([0, 200, 'close', CONTENT['/index.html'].toString()]);
  });

  test('the origin: ETag, 304, 206, 416, no-store and no way out of its folder', async () => {
    const { originUrl } = await cdn();
    const page = await runCurl([originUrl('/index.html')]);
    const etag = page.heads[0]?.headers.get('etag');
    expect([page.heads[0]?.status, page.heads[0]?.headers.get('cache-control'), etag]).toEqual([200, 'max-age=60', expect.stringMatching(/^"[\w-]+"$/)]);
    expect((await runCurl(['-H', `If-None-Match: ${etag}`, originUrl('/index.html')])).heads[0]?.status).toBe(304);
    const part = await runCurl(['--range', '-10', originUrl('/video.mp4')]);
    expect([part.heads[0]?.status, fingerprint(part.body)]).toEqual([206, fingerprint(CONTENT['/video.mp4'].subarray(-10))]);
    expect((await runCurl(['--range', '999999999-', originUrl('/video.mp4')])).heads[0]?.status).toBe(416);
    expect((await runCurl([originUrl('/live/feed.txt')])).heads[0]?.headers.get('cache-control')).toBe('no-store');
    expect((await runCurl(['--path-as-is', originUrl('/../../etc/passwd')])).heads[0]?.status).toBe(403);
    expect((await runCurl([originUrl('/%2e%2e/%2e%2e/etc/passwd')])).heads[0]?.status).toBe(403);
  });
});
