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
  const zone = buildZone(options);
  const socket = await bindUdp({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, role: 'server' });
  const stats: DnsServerStats = { datagrams: 0, responses: 0, dropped: 0 };
  const serving = (async () => {
    for await (const datagram of socket) {
      stats.datagrams++;
      let answer;
      try {
        answer = answerQuery(datagram.data, datagram.host, zone);
      } catch (error) {
        process.emitWarning(`dns: answering ${datagram.host}:${datagram.port} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (answer === undefined) stats.dropped++;
      else {
        stats.responses++;
        // A failed send (the client is gone) concerns that client only.
        socket.send(answer.response, datagram).catch(() => {});
      }
      if (options.onQuery !== undefined) report(options.onQuery, { host: datagram.host, port: datagram.port }, answer);
    }
  })();
  return {
    host: socket.address,
    port: socket.port,
    stats,
    async close() {
      await socket.close();
      await serving;
    },
  };
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
