/**
 * The DNS server: the pure {@link answerQuery} behind a UDP socket from the
 * wirelab library. One datagram in, at most one out; a datagram that makes
 * the answer function throw (a bug) is reported and dropped, and the server
 * goes on with the next.
 *
 *   dig @127.0.0.1 -p PORT video.cdn.test +subnet=10.2.0.0/16
 */
import { bindUdp } from 'wirelab';
import { answerQuery } from './dns-answer.ts';
import type { DnsAnswer, DnsQueryEvent, DnsServer, DnsServerOptions, DnsServerStats } from './dns-types.ts';
import { buildZone } from './dns-zone.ts';

/**
 * Starts an authoritative DNS server for the CDN's zone (see DnsServerOptions
 * for the defaults). Rejects with RangeError for a bad configuration, or the
 * system error when the address cannot be bound.
 */
export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  // TODO: buildZone(options), then bindUdp on options.host (127.0.0.1) and options.port (0).
  // TODO: Answer every datagram with answerQuery and send the response back to its sender; count what
  // TODO: you receive, send and drop in `stats`; tell options.onQuery about each datagram (report below).
  // TODO: No datagram may stop the loop: catch what answerQuery throws, and never await a send.
  // TODO: close() closes the socket and waits for the loop to end.
  throw new Error('TODO(13-cdn): startDnsServer');
}

/** Tells the logger what was done with one datagram; a logger that throws must not stop the server. */
function report(onQuery: (event: DnsQueryEvent) => void, client: DnsQueryEvent['client'], answer: DnsAnswer | undefined): void {
  const { response: _bytes, ...decided } = answer ?? {};
  try {
    onQuery({ client, ...decided });
  } catch (error) {
    process.emitWarning(`dns: onQuery threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}
