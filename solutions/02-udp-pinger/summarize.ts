/**
 * The statistics `ping` prints at the end of a run, computed from the RTT of
 * every ping (null for a ping that timed out). Pure: no sockets, no clock.
 */

/** What a run of pings adds up to. Times are in milliseconds. */
export interface PingSummary {
  /** Pings sent. */
  readonly sent: number;
  /** Pings whose echo came back in time. */
  readonly received: number;
  /** `100 * (sent - received) / sent`, unrounded; 0 when nothing was sent. */
  readonly lossPercent: number;
  /** Smallest RTT; null when no echo came back. */
  readonly min: number | null;
  /** Mean RTT; null when no echo came back. */
  readonly avg: number | null;
  /** Largest RTT; null when no echo came back. */
  readonly max: number | null;
  /**
   * Population standard deviation of the RTTs (divide by n, not n − 1): the
   * spread of the pings we did measure, as Linux `ping` reports it ("mdev").
   * Null when no echo came back.
   */
  readonly stddev: number | null;
}

/**
 * Summarises one run: `rtts[i]` is the RTT of ping i + 1 in milliseconds, or
 * null if it timed out.
 *
 * @example summarize([10, null, 30]) // { sent: 3, received: 2, lossPercent: 33.33…, min: 10, avg: 20, max: 30, stddev: 10 }
 */
export function summarize(rtts: ReadonlyArray<number | null>): PingSummary {
  const received = rtts.filter((rtt): rtt is number => rtt !== null);
  const sent = rtts.length;
  const lossPercent = sent === 0 ? 0 : (100 * (sent - received.length)) / sent;
  if (received.length === 0) {
    return { sent, received: 0, lossPercent, min: null, avg: null, max: null, stddev: null };
  }
  const n = received.length;
  const avg = received.reduce((sum, rtt) => sum + rtt, 0) / n;
  // Sum of squared distances from the mean, divided by n: the population variance.
  const variance = received.reduce((sum, rtt) => sum + (rtt - avg) ** 2, 0) / n;
  return {
    sent,
    received: n,
    lossPercent,
    min: Math.min(...received),
    avg,
    max: Math.max(...received),
    stddev: Math.sqrt(variance),
  };
}

/**
 * The closing lines of a run, in the style of Unix `ping`:
 *
 *   --- 127.0.0.1:5000 ping statistics ---
 *   10 packets transmitted, 7 received, 30% packet loss
 *   rtt min/avg/max/stddev = 0.101/0.203/0.410/0.092 ms
 */
export function formatSummary(target: string, summary: PingSummary): string[] {
  const lines = [
    `--- ${target} ping statistics ---`,
    `${summary.sent} packets transmitted, ${summary.received} received, ${Number(summary.lossPercent.toFixed(1))}% packet loss`,
  ];
  if (summary.min !== null && summary.avg !== null && summary.max !== null && summary.stddev !== null) {
    const ms = [summary.min, summary.avg, summary.max, summary.stddev].map((x) => x.toFixed(3)).join('/');
    lines.push(`rtt min/avg/max/stddev = ${ms} ms`);
  }
  return lines;
}
