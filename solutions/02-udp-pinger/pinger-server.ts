/**
 * The server side of the pinger lab, given complete: a UDP echo server that
 * loses some datagrams and delays others on purpose, so that your client
 * meets on loopback what the Internet does to UDP. The choices come from a
 * seeded generator, so the same seed gives the same run.
 *
 * (The graded tests use their own judge server, with a per-ping schedule.)
 */
import { bindUdp, mulberry32 } from 'wirelab';

/** How badly to behave. */
export interface PingerServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Fraction of datagrams dropped, 0 to 1. @default 0.3 (as in the classic lab) */
  lossRate?: number;
  /** Each echo is held back a random time in this range, in milliseconds. @default [0, 0] */
  delayMs?: readonly [min: number, max: number];
  /** Seed of the random choices. @default 1 */
  seed?: number;
}

/** A running pinger server. */
export interface PingerServer {
  readonly host: string;
  readonly port: number;
  /** Stops the server, dropping echoes still held back. */
  close(): Promise<void>;
}

/**
 * A tiny seeded generator of numbers in [0, 1) (the library's mulberry32).
 * Not for secrets; good enough to make a lossy link repeatable.
 */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** Starts an echo server that drops a `lossRate` share of datagrams and delays the rest. */
export async function startPingerServer(options: PingerServerOptions = {}): Promise<PingerServer> {
  const { lossRate = 0.3, delayMs = [0, 0], seed = 1 } = options;
  const random = seededRandom(seed);
  const socket = await bindUdp({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const pending = new Set<NodeJS.Timeout>();

  const serving = (async () => {
    for await (const datagram of socket) {
      // Draw both numbers for every datagram, so one choice never shifts the other.
      const lost = random() < lossRate;
      const delay = delayMs[0] + random() * (delayMs[1] - delayMs[0]);
      if (lost) continue;
      const timer = setTimeout(() => {
        pending.delete(timer);
        socket.send(datagram.data, { host: datagram.host, port: datagram.port }).catch(() => {
          // The socket closed meanwhile, or the sender went away: nothing to do.
        });
      }, delay);
      pending.add(timer);
    }
  })();

  return {
    host: socket.address,
    port: socket.port,
    async close() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      await socket.close();
      await serving;
    },
  };
}
