/**
 * Every wait in the library is bounded: it takes a time limit and an
 * AbortSignal, and whichever comes first ends it. This is the one place that
 * implements that rule, for TCP and UDP alike (and for your own waits).
 */
import { TimeoutError } from './errors.ts';

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
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const wait = new Wait<T>(resolve, reject, signal);
    if (timeoutMs !== undefined) wait.timer = setTimeout(timedOut, timeoutMs, wait, waitingFor, timeoutMs);
    signal?.addEventListener('abort', wait, { once: true });
    const cleanup = start(
      (value) => wait.succeed(value),
      (error) => wait.fail(error),
    );
    if (wait.settled) cleanup(); // start() settled synchronously, before cleanup was known
    else wait.cleanup = cleanup;
  });
}

/**
 * One wait in progress. A small object rather than a handful of closures:
 * servers wait once per request, and the closures (and, under tsx, the
 * naming of each) showed up in profiles. It is the abort listener itself
 * (`handleEvent`), and the timer gets it as an argument.
 */
class Wait<T> {
  settled = false;
  timer: NodeJS.Timeout | undefined;
  cleanup: (() => void) | undefined;

  constructor(
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: AbortSignal | undefined,
  ) {}

  succeed(value: T): void {
    if (this.finish()) this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  /** The signal aborted. */
  handleEvent(): void {
    this.fail(this.signal!.reason);
  }

  /** Stops the timer and the listeners; false if the wait had already ended. */
  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    this.cleanup?.();
    return true;
  }
}

function timedOut<T>(wait: Wait<T>, waitingFor: string, timeoutMs: number): void {
  wait.fail(new TimeoutError(waitingFor, timeoutMs));
}
