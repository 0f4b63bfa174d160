// Poke it with: dig @127.0.0.1 -p 5353 video.cdn.test +subnet=10.2.0.0/16
// Run it with:  npx tsx examples/cdn-dns.ts [port]
//
// Starts the reference DNS server of exercise 13 (the CDN's authoritative
// server for cdn.test: three edges at 127.0.1.1–3, clients in 10.K.0.0/16
// sent to edge K, everyone else to edge 1), asks it through Node's own
// resolver as three clients in three regions would (through a resolver that
// passes their subnet on), then logs every query it answers until Ctrl-C.
import { Resolver } from 'node:dns/promises';
import dnsPacket from 'dns-packet';
import { bindUdp } from '../lib/udp/udp-socket.ts';
import { RCODE_NAMES } from '../solutions/13-cdn/dns-constants.ts';
import { startDnsServer } from '../solutions/13-cdn/dns-server.ts';

const port = Number(process.argv[2] ?? 5353);
const server = await startDnsServer({
  port,
  onQuery: (e) =>
    console.log(
      `  ${e.client.host}:${e.client.port}  ${e.name ?? '(unreadable)'}  ${e.rcode === undefined ? 'dropped' : RCODE_NAMES[e.rcode]}` +
        `${e.subnet ? `  subnet ${e.subnet}` : ''}${e.edge ? `  → edge ${e.edge} (${e.address})` : ''}`,
    ),
});
console.log(`listening on ${server.host}:${server.port} (udp)\n`);

// Node's resolver (c-ares) asks from 127.0.0.1: in no region, so edge 1.
const resolver = new Resolver({ timeout: 1000, tries: 2 });
resolver.setServers([`${server.host}:${server.port}`]);
console.log('Node resolver, video.cdn.test:', await resolver.resolve4('video.cdn.test', { ttl: true }));

// A recursive resolver serving clients in 10.2/16 and 10.3/16 says so with a Client Subnet option.
const socket = await bindUdp();
for (const [id, subnet] of [[1, '10.2.0.0'], [2, '10.3.0.0']] as const) {
  const query = dnsPacket.encode({
    type: 'query',
    id,
    questions: [{ name: 'video.cdn.test', type: 'A', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [{ code: 8, family: 1, sourcePrefixLength: 16, scopePrefixLength: 0, ip: subnet }] }],
  });
  const reply = dnsPacket.decode((await socket.request(query, server, { timeoutMs: 1000, retries: 1 })).data);
  console.log(`for clients in ${subnet}/16:`, reply.answers?.map((a) => ('data' in a ? a.data : '')));
}
await socket.close();

console.log(`\nnow try: dig @${server.host} -p ${server.port} video.cdn.test +subnet=10.2.0.0/16   (Ctrl-C here to stop)`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
