/**
 * How every command that runs a server lives (`wirelab serve …`, and the
 * peer commands as they come): print one `listening on HOST:PORT` line per
 * listener once ready, then run until SIGINT/SIGTERM and close cleanly.
 * Their `--host` and port options are in listen-options.ts.
 */
import { formatHostPort } from '../address.ts';

/** One address a server listens on. */
export interface ListeningAddress {
  host: string;
  port: number;
  /** Shown after the address, e.g. `(udp)`. */
  label?: string;
}

/** Prints the `listening on` lines, then resolves once a signal arrived and `close` finished. */
export async function serveUntilSignal(addresses: ListeningAddress[], close: () => Promise<void>): Promise<void> {
  for (const a of addresses) {
    process.stdout.write(`listening on ${formatHostPort(a.host, a.port)}${a.label ? ` ${a.label}` : ''}\n`);
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`${signal}: shutting down\n`);
  await close();
}
