/**
 * Read time limits and abort signals across many reads of one connection:
 * the connection re-arms one timer and keeps one abort listener, so check
 * that each read still gets exactly its own limit and nothing leaks.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { TimeoutError } from '../../lib/errors.ts';
import { connectTcp } from '../../lib/tcp/connect.ts';
import type { Connection } from '../../lib/tcp/connection.ts';
import { listenTcp, type ConnectionHandler } from '../../lib/tcp/listen.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server running `handler`, and a client connected to it. */
async function pair(handler: ConnectionHandler): Promise<Connection> {
  const server = await listenTcp(handler, { graceMs: 200 });
  cleanups.push(() => server.close());
  const conn = await connectTcp({ port: server.port });
  cleanups.push(() => conn.destroy());
  return conn;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('read limits over many reads', () => {
  test('each read gets its whole time limit, however long the reads before it took', async () => {
    const conn = await pair(async (c) => {
      for (let i = 0; i < 3; i++) {
        await sleep(60); // each line comes 60 ms after the previous one
        await c.writeLine(`line ${i}`);
      }
      await c.readLine();
    });
    // 3 × 60 ms is more than one 100 ms limit, but every read waits less than 100 ms.
    for (let i = 0; i < 3; i++) expect(await conn.readLine({ timeoutMs: 100 })).toBe(`line ${i}`);
    const error = await conn.readLine({ timeoutMs: 40 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ ms: 40 });
  });

  test('a limit from an earlier read does not fire on a later read without one', async () => {
    const conn = await pair(async (c) => {
      await c.writeLine('first');
      await sleep(120);
      await c.writeLine('second');
      await c.readLine();
    });
    expect(await conn.readLine({ timeoutMs: 50 })).toBe('first');
    expect(await conn.readLine()).toBe('second'); // waits 120 ms, past the 50 ms of the read before
  });

  test('one signal for many reads: one listener at a time, removed when the connection closes', async () => {
    const stop = new AbortController();
    const conn = await pair(async (c) => {
      for (let i = 0; i < 5; i++) {
        await sleep(5);
        await c.writeLine(`line ${i}`);
      }
      await c.readLine();
    });
    for (let i = 0; i < 5; i++) {
      expect(await conn.readLine({ signal: stop.signal, timeoutMs: 1000 })).toBe(`line ${i}`);
      expect(getEventListeners(stop.signal, 'abort').length).toBeLessThanOrEqual(1);
    }
    const waiting = conn.readLine({ signal: stop.signal });
    stop.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    await expect(conn.readLine({ signal: stop.signal })).rejects.toThrow('shutting down');

    const other = new AbortController();
    const conn2 = await pair(async (c) => {
      await c.writeLine('hello');
      await c.readLine();
    });
    expect(await conn2.readLine({ signal: other.signal })).toBe('hello');
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(1);
    conn2.destroy();
    await conn2.closed;
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
  });

  test('a finished read does not keep the process alive with its timer', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
      import { listenTcp, connectTcp } from './lib/index.ts';
      const server = await listenTcp(async (c) => { await c.writeLine('hi'); await c.readLine().catch(() => {}); });
      const conn = await connectTcp({ port: server.port });
      await conn.readLine({ timeoutMs: 60000 });
      conn.destroy();
      await server.close();
      console.log('done');`;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stdout.trim()).toBe('done');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
