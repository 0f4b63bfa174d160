/**
 * Every wait in the library is bounded: it takes a time limit and an
 * AbortSignal, and whichever comes first ends it. This is the one place that
 * implements that rule (UDP uses it too).
 */
import { TimeoutError } from '../errors.ts';

/** The two ways to stop waiting early, accepted by every method that waits. */
export interface WaitOptions {
  /** Give up after this many milliseconds with a `TimeoutError`. No limit when unset. */
  timeoutMs?: number;
  /** Give up when this signal aborts; the wait rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Runs `start(resolve, reject)` and settles with whatever it reports, unless
 * the time limit or the signal comes first. `start` returns a cleanup function
 * (remove listeners) that runs exactly once, however the wait ends.
 */
export function waitFor<T>(
  waitingFor: string,
  options: WaitOptions,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => () => void,
): Promise<T> {
  const { timeoutMs, signal } = options;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let cleanup: (() => void) | undefined;
    const finish = (): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cleanup?.();
    };
    const onAbort = (): void => fail(signal!.reason);
    const succeed = (value: T): void => {
      if (settled) return;
      finish();
      resolve(value);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      finish();
      reject(error);
    };
    if (timeoutMs !== undefined) timer = setTimeout(() => fail(new TimeoutError(waitingFor, timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = start(succeed, fail);
    if (settled) cleanup(); // start() settled synchronously, before cleanup was known
  });
}
