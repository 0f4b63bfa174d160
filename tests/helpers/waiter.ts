/**
 * Waiting for something a fake server records (an announce, a datagram)
 * without sleeping: the server calls `changed()` whenever it records
 * something, and every pending `until` re-checks its condition then.
 */

/** Wakes bounded waits whenever the watched state changes. */
export class Waiter {
  private readonly checks = new Set<() => void>();

  /** Call after every change of the watched state. */
  changed(): void {
    for (const check of [...this.checks]) check();
  }

  /**
   * Resolves with `ready()`'s first non-undefined value; rejects after
   * `timeoutMs` with "timed out waiting for <describe()>".
   */
  until<T>(ready: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const value = ready();
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.checks.delete(check);
      };
      this.checks.add(check);
      check();
    });
  }
}
