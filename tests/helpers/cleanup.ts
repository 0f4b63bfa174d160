/**
 * Test cleanup: every server, socket, proxy or client a test opened is closed
 * after it, whatever happened (pass, fail or time-out), so the next test
 * starts with no stray listener.
 *
 *   const track = closeAfterEach();
 *   const server = track(await startEchoServer({ port: 0 }));
 */
import { afterEach } from 'vitest';

/** Anything with a `close()`; it may return a promise (our servers) or not (node:dgram). */
export interface Closable {
  close(): unknown;
}

/**
 * Registers an afterEach that closes everything passed to the returned
 * `track` during the test, newest first (clients before the servers they
 * talk to); a failing close does not stop the others. `track` hands its
 * argument back, so it wraps the expression that opened the thing.
 */
export function closeAfterEach(): <T extends Closable>(thing: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).reverse().map(async (thing) => thing.close()));
  });
  return (thing) => {
    open.push(thing);
    return thing;
  };
}
