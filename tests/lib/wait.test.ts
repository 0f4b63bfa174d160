/** The one bounded-wait helper every read and write uses: time limit, abort signal, cleanup exactly once. */
import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import { TimeoutError } from '../../lib/errors.ts';
import { waitFor } from '../../lib/wait.ts';

describe('waitFor', () => {
  test('resolves with what start reports and cleans up exactly once', async () => {
    let cleanups = 0;
    let report: ((v: number) => void) | undefined;
    const waiting = waitFor<number>('a number', { timeoutMs: 1000, signal: new AbortController().signal }, (resolve) => {
      report = resolve;
      return () => cleanups++;
    });
    report!(7);
    report!(8); // a second report is ignored
    await expect(waiting).resolves.toBe(7);
    expect(cleanups).toBe(1);
  });

  test('settling synchronously inside start still cleans up once', async () => {
    let cleanups = 0;
    await expect(waitFor<string>('x', {}, (_resolve, reject) => (reject(new Error('at once')), () => cleanups++))).rejects.toThrow('at once');
    expect(cleanups).toBe(1);
  });

  test('rejects with an undefined error too (reject is not resolve)', async () => {
    await expect(waitFor<string>('x', {}, (_resolve, reject) => (reject(undefined), () => {}))).rejects.toBeUndefined();
  });

  test('the time limit ends the wait with TimeoutError and cleans up', async () => {
    let cleanups = 0;
    const error = await waitFor('a reply', { timeoutMs: 20 }, () => () => cleanups++).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(String((error as Error).message)).toContain('a reply');
    expect(cleanups).toBe(1);
  });

  test('the signal ends the wait with its reason and its listener is removed', async () => {
    const stop = new AbortController();
    let cleanups = 0;
    const waiting = waitFor('a reply', { timeoutMs: 1000, signal: stop.signal }, () => () => cleanups++);
    stop.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    expect(cleanups).toBe(1);
    // an already-aborted signal never starts the wait
    let started = false;
    await expect(waitFor('x', { signal: stop.signal }, () => ((started = true), () => {}))).rejects.toThrow('shutting down');
    expect(started).toBe(false);
  });

  test('a finished wait leaves no abort listener behind', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 20; i++) await waitFor<number>('n', { signal: stop.signal, timeoutMs: 1000 }, (resolve) => (resolve(i), () => {}));
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
