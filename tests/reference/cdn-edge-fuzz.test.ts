/**
 * Reliability of the reference edge (run against solutions/): the request
 * parser and the byte-bounded LRU under fast-check (seeded, bounded runs),
 * and the running edge under random bytes on real sockets: every connection
 * gets an answer or a close, never a crash, and the edge keeps serving.
 */
import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { mulberry32 } from 'wirelab';
import { parseRequestHead } from '@impl/13-cdn/http-request.ts';
import { HttpRequestError } from '@impl/13-cdn/http-errors.ts';
import { LruCache } from '@impl/13-cdn/lru-cache.ts';
import { decideRange } from '@impl/13-cdn/byte-range.ts';
import { startEdge } from '@impl/13-cdn/edge.ts';
import { startOrigin } from '@impl/13-cdn/origin.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { CONTENT, makeContent } from '../helpers/cdn-content.ts';
import { RawHttpClient, request } from '../helpers/http-raw.ts';

const track = closeAfterEach();

/** Parses, and says what came of it: a request, "incomplete", or the refusal's status; anything else thrown fails the property. */
function outcome(text: string): string {
  try {
    const r = parseRequestHead(text);
    return r === undefined ? 'incomplete' : 'request';
  } catch (error) {
    if (error instanceof HttpRequestError && error.status >= 400 && error.status < 600) return String(error.status);
    throw error;
  }
}

const tchar = fc.constantFrom(...'!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
const token = fc.string({ unit: tchar, minLength: 1, maxLength: 12 });
const pathChar = fc.constantFrom(...'abcxyz0189-._~!$&\'()*+,;=:@%/?'.split(''));

describe('the request parser under fuzz', () => {
  test('any text gives a request, "incomplete" or an HttpRequestError with a 4xx/5xx status, nothing else', () => {
    const soup = fc.string({ unit: fc.constantFrom('GET', ' ', '/', 'HTTP/1.1', 'Host', ':', '\r\n', '\n', 'a', '\t', '\x00', 'é', 'Content-Length', '5', '-1', 'Transfer-Encoding', ','), maxLength: 40 });
    fc.assert(fc.property(soup, (text) => void outcome(text)), { numRuns: 5000, seed: 13 });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void outcome(text)), { numRuns: 3000, seed: 14 });
  });

  test('a well-formed request comes back as it was sent', () => {
    const field = fc.tuple(token, fc.string({ unit: fc.constantFrom(...'abc XYZ 019,;="/'.split('')), maxLength: 20 }));
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'PURGE'),
        fc.string({ unit: pathChar, maxLength: 30 }),
        fc.array(field, { maxLength: 10 }),
        (method, path, fields) => {
          const named = fields.filter(([name]) => !/^(host|content-length|transfer-encoding|connection)$/i.test(name));
          const text = `${method} /${path} HTTP/1.1\r\nHost: video.cdn.test\r\n${named.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
          const r = parseRequestHead(text);
          expect(r && [r.method, r.target, r.host, r.keepAlive]).toEqual([method, `/${path}`, 'video.cdn.test', true]);
          for (const [name, value] of named) expect(r!.headers.get(name.toLowerCase())).toContain(value.trim());
        },
      ),
      { numRuns: 2000, seed: 15 },
    );
  });

  test('a decided range always lies inside the body', () => {
    fc.assert(
      fc.property(fc.nat(5000), fc.option(fc.nat(6000)), fc.option(fc.nat(6000)), (size, a, b) => {
        const d = decideRange(`bytes=${a ?? ''}-${b ?? ''}`, size);
        if (d.kind === 'part') {
          expect(d.start).toBeGreaterThanOrEqual(0);
          expect(d.end).toBeGreaterThanOrEqual(d.start);
          expect(d.end).toBeLessThan(size);
        }
        if (d.kind === 'unsatisfiable') {
          if (a === null) expect(b === 0 || size === 0 ? 'empty suffix or body' : `suffix ${b} of ${size}`).toBe('empty suffix or body');
          else expect(a).toBeGreaterThanOrEqual(size);
        }
      }),
      { numRuns: 5000, seed: 16 },
    );
  });
});

describe('the LRU against a model', () => {
  /** The obvious, slow LRU: an array from least to most recently used. */
  class ModelLru {
    entries: { key: string; value: number; bytes: number }[] = [];
    constructor(readonly maxBytes: number) {}
    get bytes(): number {
      return this.entries.reduce((sum, e) => sum + e.bytes, 0);
    }
    get(key: string): number | undefined {
      const i = this.entries.findIndex((e) => e.key === key);
      if (i < 0) return undefined;
      const [e] = this.entries.splice(i, 1);
      this.entries.push(e!);
      return e!.value;
    }
    set(key: string, value: number, bytes: number): boolean {
      this.delete(key);
      if (bytes > this.maxBytes) return false;
      this.entries.push({ key, value, bytes });
      while (this.bytes > this.maxBytes) this.entries.shift();
      return true;
    }
    delete(key: string): boolean {
      const before = this.entries.length;
      this.entries = this.entries.filter((e) => e.key !== key);
      return this.entries.length !== before;
    }
  }

  test('every sequence of set, get, peek and delete leaves the same keys, order and bytes as the model', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
    const op = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key, value: fc.nat(), bytes: fc.nat(40) }),
      fc.record({ op: fc.constant('get' as const), key }),
      fc.record({ op: fc.constant('peek' as const), key }),
      fc.record({ op: fc.constant('delete' as const), key }),
    );
    fc.assert(
      fc.property(fc.nat(100), fc.array(op, { maxLength: 60 }), (maxBytes, ops) => {
        const lru = new LruCache<number>({ maxBytes });
        const model = new ModelLru(maxBytes);
        for (const o of ops) {
          if (o.op === 'set') expect(lru.set(o.key, o.value, o.bytes)).toBe(model.set(o.key, o.value, o.bytes));
          else if (o.op === 'get') expect(lru.get(o.key)).toBe(model.get(o.key));
          else if (o.op === 'peek') expect(lru.peek(o.key)).toBe(model.entries.find((e) => e.key === o.key)?.value);
          else expect(lru.delete(o.key)).toBe(model.delete(o.key));
          expect([lru.keys(), lru.bytes, lru.size]).toEqual([model.entries.map((e) => e.key), model.bytes, model.entries.length]);
          expect(lru.bytes).toBeLessThanOrEqual(maxBytes);
        }
      }),
      { numRuns: 1500, seed: 17 },
    );
  });
});

describe('the running edge under random bytes', () => {
  test('answers or closes every connection, never crashes, and keeps serving', async () => {
    const content = track(await makeContent());
    const origin = track(await startOrigin({ root: content.root }));
    const errors: unknown[] = [];
    const logged = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const edge = track(await startEdge({ origin: { host: origin.host, port: origin.port }, timeouts: { clientHeaderMs: 500 } }));
      const rand = mulberry32(0x13cd);
      const blob = (): Buffer => {
        const pieces = ['GET / HTTP/1.1\r\n', 'Host: x\r\n', '\r\n', 'Range: bytes=', 'Content-Length: 3\r\n', '\n', ' ', ':', '/index.html'];
        const parts: Buffer[] = [];
        const n = 1 + Math.floor(rand() * 6);
        for (let i = 0; i < n; i++) {
          if (rand() < 0.5) parts.push(Buffer.from(pieces[Math.floor(rand() * pieces.length)]!));
          else parts.push(Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256))));
        }
        return Buffer.concat(parts);
      };
      // 200 connections, 20 at a time: each sends junk, half-closes, and must see the edge close within its time limit.
      for (let round = 0; round < 10; round++) {
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            const socket = net.connect(edge.port, '127.0.0.1');
            socket.on('error', () => {});
            await new Promise<void>((resolve) => socket.once('connect', resolve));
            socket.end(blob());
            socket.resume();
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('the edge kept a junk connection open for 3 s')), 3000);
              socket.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
            });
          }),
        );
      }
      const c = track(await RawHttpClient.open(edge.port));
      await c.send(request('/index.html'));
      const r = await c.read();
      expect([r.status, r.body.toString()]).toEqual([200, CONTENT['/index.html'].toString()]);
    } finally {
      console.error = logged;
    }
    expect(errors).toEqual([]); // no handler ever failed with a bug
  }, 30_000);
});
