// Run it with:  npx tsx examples/cdn-edge.ts             (a short demo, then exits)
// Poke it with: npx tsx examples/cdn-edge.ts --keep [DIR] then, with the port it prints:
//               curl -v http://127.0.0.1:<edge port>/video.mp4 -o /dev/null     twice: MISS, then HIT
//               curl -v http://127.0.0.1:<edge port>/video.mp4 -r 1000-1999 -o /dev/null   206 from the cache
//               curl -v http://127.0.0.1:<edge port>/live/feed.txt               no-store: always MISS
//               nc -C 127.0.0.1 <edge port>   then type: GET /index.html HTTP/1.1, Host: x, and an empty line
//               (Ctrl-C stops both)
//
// One caching edge of exercise 13 (the reference solution) in front of the
// given origin, which is "far away" (80 ms per answer). Serves DIR, or a
// sample folder: a page, a 1 MiB "video" and a live feed the origin marks
// no-store. Every response the edge sends is logged with its X-Cache.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOrigin } from '../solutions/13-cdn/origin.ts';
import { startEdge } from '../solutions/13-cdn/edge.ts';

const keep = process.argv.includes('--keep');
const given = process.argv.slice(2).find((a) => !a.startsWith('--'));
const sample = given === undefined ? await mkdtemp(path.join(tmpdir(), 'wirelab-cdn-sample-')) : undefined;
if (sample !== undefined) {
  await mkdir(path.join(sample, 'live'));
  await writeFile(path.join(sample, 'index.html'), '<!doctype html><title>cdn.test</title><p>hello from the origin</p>\n');
  await writeFile(path.join(sample, 'video.mp4'), Buffer.alloc(1024 * 1024, 0x42));
  await writeFile(path.join(sample, 'live', 'feed.txt'), 'score 1-0\n');
}

const origin = await startOrigin({
  root: given ?? sample!,
  maxAgeSeconds: 30,
  delayMs: 80,
  cacheControl: (p) => (p.startsWith('/live/') ? 'no-store' : undefined),
});
const edge = await startEdge({
  origin: { host: origin.host, port: origin.port },
  onRequest: (e) => console.log(`  edge: ${e.method ?? '-'} ${e.target ?? '-'} → ${e.status} ${e.cache ?? ''}  ${e.bytes} bytes, ${e.ms.toFixed(1)} ms  (${e.client})`),
});
console.log(`listening on ${origin.host}:${origin.port} (origin, serving ${given ?? sample})`);
console.log(`listening on ${edge.host}:${edge.port} (edge)`);

const stop = async (): Promise<void> => {
  await edge.close();
  await origin.close();
  if (sample !== undefined) await rm(sample, { recursive: true, force: true });
};

if (keep) {
  console.log(`try: curl -v http://${edge.host}:${edge.port}/index.html`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(() => process.exit(0)));
} else {
  const url = (p: string) => `http://${edge.host}:${edge.port}${p}`;
  const timed = async (what: string, p: string, headers: Record<string, string> = {}): Promise<void> => {
    const started = performance.now();
    const r = await fetch(url(p), { headers });
    const body = await r.arrayBuffer();
    console.log(`${what}: ${r.status} X-Cache ${r.headers.get('x-cache')}, Age ${r.headers.get('age')}, ${body.byteLength} bytes in ${(performance.now() - started).toFixed(0)} ms`);
  };
  await timed('first fetch of the video (far origin)', '/video.mp4');
  await timed('second fetch (from the edge)     ', '/video.mp4');
  await timed('seek: bytes 500000-500999        ', '/video.mp4', { Range: 'bytes=500000-500999' });
  await timed('live feed (no-store)             ', '/live/feed.txt');
  await Promise.all(Array.from({ length: 10 }, () => fetch(url('/index.html')).then((r) => r.arrayBuffer())));
  console.log(`ten clients at once for /index.html: the origin answered ${origin.stats.requests} requests in all so far`);
  console.log('edge stats:', edge.stats);
  await stop();
}
