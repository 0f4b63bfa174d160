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
  const { host, port, count, timeoutMs, intervalMs = 0, onLine } = options;
  const target = `${host}:${port}`;
  const socket = await bindUdp({ host: isIPv6(host) ? '::' : '0.0.0.0', port: 0 });
  const results: PingResult[] = [];
  const lines: string[] = [];
  try {
    for (let seq = 1; seq <= count; seq++) {
      // The RTT is measured on the monotonic clock: Date.now() can jump when
      // the system clock is adjusted, which would make RTTs negative or huge.
      const sentAt = performance.now();
      await socket.send(encodePing(seq, Date.now()), { host, port });
      const rttMs = await waitForEcho(socket, { host, port, seq, sentAt, timeoutMs });

      const result: PingResult = rttMs === null ? { seq, status: 'timeout' } : { seq, status: 'reply', rttMs };
      const line =
        result.status === 'reply'
          ? `Reply from ${target}: seq=${seq} time=${result.rttMs.toFixed(3)} ms`
          : `Request timed out: seq=${seq}`;
      results.push(result);
      lines.push(line);
      onLine?.(line);

      const untilNext = sentAt + intervalMs - performance.now();
      if (seq < count && untilNext > 0) await new Promise((resolve) => setTimeout(resolve, untilNext));
    }
  } finally {
    await socket.close();
  }
  const summary = summarize(results.map((r) => (r.status === 'reply' ? r.rttMs : null)));
  return { results, summary, lines };
}

/** Which echo we are waiting for. */
interface ExpectedEcho {
  host: string;
  port: number;
  seq: number;
  /** `performance.now()` when the ping was sent. */
  sentAt: number;
  timeoutMs: number;
}

/**
 * Waits for the echo of ping `seq` until `sentAt + timeoutMs`; resolves with
 * its RTT in milliseconds, or null if it did not come in time.
 */
async function waitForEcho(socket: UdpSocket, want: ExpectedEcho): Promise<number | null> {
  const server = { host: want.host, port: want.port };
  const deadline = want.sentAt + want.timeoutMs;
  for (;;) {
    // One deadline per ping: skipping a datagram must not restart the clock.
    const left = deadline - performance.now();
    if (left <= 0) return null;
    let datagram;
    try {
      // `from`: datagrams from anyone but the server stay unread.
      datagram = await socket.receive({ from: server, timeoutMs: left });
    } catch (error) {
      if (error instanceof TimeoutError) return null;
      throw error;
    }
    const receivedAt = performance.now();
    const echo = parsePing(datagram.data);
    // Not a ping at all, or the late echo of an earlier ping: that ping has
    // already been reported as timed out, and it must not pass for this one.
    if (echo === null || echo.seq !== want.seq) continue;
    return receivedAt - want.sentAt;
  }
}
