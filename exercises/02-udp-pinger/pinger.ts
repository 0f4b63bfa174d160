/**
 * The ping client of the classic pinger lab: send numbered pings over UDP one
 * after the other, wait a bounded time for each echo, and report the RTTs,
 * the losses and the statistics.
 */
import { isIPv6 } from 'node:net';
import { bindUdp, TimeoutError, type UdpSocket } from 'wirelab';
import { encodePing, parsePing } from './ping-message.ts';
import { summarize, type PingSummary } from './summarize.ts';

/** What to ping and how. Times are in milliseconds. */
export interface PingOptions {
  /** The pinger server's address (`'::1'` for IPv6). */
  host: string;
  /** The pinger server's port. */
  port: number;
  /** How many pings to send, numbered 1 to `count`. */
  count: number;
  /** How long to wait for the echo of each ping before calling it lost. */
  timeoutMs: number;
  /** Least time between the sending of one ping and the next. @default 0 */
  intervalMs?: number;
  /** Called with each result line as soon as it is known, e.g. `console.log`. */
  onLine?: (line: string) => void;
}

/** What became of one ping. */
export type PingResult =
  /** Its echo came back within the timeout, `rttMs` after it was sent. */
  | { readonly seq: number; readonly status: 'reply'; readonly rttMs: number }
  /** No echo of this ping came back within the timeout. */
  | { readonly seq: number; readonly status: 'timeout' };

/** Everything a run found out. */
export interface PingReport {
  /** One result per ping, in order: `results[i].seq === i + 1`. */
  readonly results: PingResult[];
  /** The statistics of the run (see `summarize`). */
  readonly summary: PingSummary;
  /**
   * One line per ping, in order: `Reply from HOST:PORT: seq=N time=T ms` for
   * an echo, `Request timed out: seq=N` for a ping that got none.
   */
  readonly lines: string[];
}

/**
 * Sends `count` pings to `host:port`, one at a time, and reports what came back.
 *
 * Ping k is `PING k <Date.now()>`. After sending it, the client waits up to
 * `timeoutMs` for the echo of ping k; anything else that arrives meanwhile (the
 * late echo of an earlier ping, a datagram from a stranger, garbage) is
 * skipped. The next ping goes out once this one is answered or timed out, and
 * no sooner than `intervalMs` after this one was sent.
 *
 * @example
 * const report = await ping({ host: '127.0.0.1', port: 5000, count: 10, timeoutMs: 1000, onLine: console.log });
 * console.log(report.summary.lossPercent);
 */
export async function ping(options: PingOptions): Promise<PingReport> {
  // TODO: bind one UDP socket of the server's family for the whole run; close it at the end (finally).
  // TODO: for seq = 1 … count:
  //         note the send time (performance.now()) and send encodePing(seq, Date.now()),
  //         wait until the echo of THIS seq arrives or timeoutMs has passed since sending,
  //         skipping datagrams from others, garbage and echoes of earlier pings,
  //         record a result and a line (call onLine with it),
  //         and let at least intervalMs pass between two sends.
  // TODO: return { results, summary: summarize(...), lines }.
  throw new Error('TODO(02-udp-pinger): ping');
}
