/**
 * A fake HTTP tracker, the judge of a tracker CLIENT: node:http answering
 * with dictionaries bencoded by the npm `bencode` package, and recording the
 * exact bytes of every query it gets (so a test sees `%E9`, not a decoded
 * guess). The test decides every answer; `mode` makes it fail on purpose.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import bencode from 'bencode';
import type { Transcript } from '../../lib/index.ts';
import { Waiter } from './waiter.ts';

/** One announce as the tracker saw it. */
export interface SeenHttpAnnounce {
  /** Everything after `?`, exactly as sent. */
  rawQuery: string;
  /** Each parameter's bytes, percent-decoded byte by byte (the last value of a repeated name). */
  params: Map<string, Buffer>;
  /** `event`, or 'none' when absent. */
  event: string;
  /** 0 for the first announce the fake got. */
  index: number;
  at: number;
}

/** What the fake answers: a dictionary to bencode, or raw bytes. */
export type HttpAnswer = Record<string, unknown> | Buffer;

/** A running fake tracker. */
export interface FakeHttpTracker {
  /** `http://127.0.0.1:PORT/announce` */
  readonly url: string;
  readonly announces: SeenHttpAnnounce[];
  /** `answer`: reply with `answer(seen)`; `reset`: close the connection without a word (a tracker that is down). */
  mode: 'answer' | 'reset';
  /** Builds the answer to each announce. @default interval 1800, no peers */
  answer: (seen: SeenHttpAnnounce) => HttpAnswer;
  /** Resolves once `count` announces arrived; rejects after `timeoutMs` with what did arrive. */
  waitForAnnounces(count: number, timeoutMs?: number): Promise<SeenHttpAnnounce[]>;
  /** Resolves with the announces `match` accepts once there are `count` of them. */
  waitFor(count: number, match: (a: SeenHttpAnnounce) => boolean, timeoutMs?: number): Promise<SeenHttpAnnounce[]>;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1, port 0. Every query and answer is recorded in `transcript`. */
export async function startFakeHttpTracker(transcript?: Transcript): Promise<FakeHttpTracker> {
  const waiter = new Waiter();
  const announces: SeenHttpAnnounce[] = [];
  const server = http.createServer((req, res) => {
    const target = req.url ?? '';
    const rawQuery = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
    transcript?.record('client', `GET ${target}\n`);
    if (fake.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const params = new Map<string, Buffer>();
    for (const pair of rawQuery.split('&')) {
      const eq = pair.indexOf('=');
      if (pair === '') continue;
      params.set(eq < 0 ? pair : pair.slice(0, eq), percentDecode(eq < 0 ? '' : pair.slice(eq + 1)));
    }
    const seen: SeenHttpAnnounce = { rawQuery, params, event: params.get('event')?.toString('latin1') || 'none', index: announces.length, at: Date.now() };
    announces.push(seen);
    const answer = fake.answer(seen);
    const body = Buffer.isBuffer(answer) ? answer : Buffer.from(bencode.encode(answer));
    transcript?.record('server', `200 ${body.toString('latin1').replace(/[^\x20-\x7e]/g, '.')}\n`);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
    waiter.changed();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeHttpTracker = {
    url: `http://127.0.0.1:${port}/announce`,
    announces,
    mode: 'answer',
    answer: () => ({ interval: 1800, peers: Buffer.alloc(0) }),
    waitForAnnounces: (count, timeoutMs) => fake.waitFor(count, () => true, timeoutMs),
    waitFor: (count, match, timeoutMs = 3000) =>
      waiter.until(
        () => {
          const found = announces.filter(match);
          return found.length >= count ? found.slice(0, count) : undefined;
        },
        timeoutMs,
        () => `${count} matching announces; the tracker got ${announces.length}: ${announces.map((a) => a.event).join(', ') || 'none'}`,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/** `%XX` is one byte, anything else is itself (one byte per character). */
function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}
