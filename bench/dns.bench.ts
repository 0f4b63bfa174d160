/**
 * DNS answers per second: the reference server of exercise 13
 * (solutions/13-cdn) against `dns2` (npm, a DNS server in pure JavaScript),
 * under the same load, in one run.
 *
 *   npx tsx bench/dns.bench.ts            (or: npm run bench -- dns)
 *   DNS_BENCH_SECONDS=5 DNS_BENCH_ROUNDS=5 npx tsx bench/dns.bench.ts
 *
 * Fair by construction:
 *   - both serve the same zone with the same records: the zone, region map
 *     and edge choice come from the same code (buildZone, chooseEdge); dns2's
 *     handler only does what our answer function does with them (A record,
 *     NXDOMAIN with the SOA, REFUSED, the Client Subnet echoed with its scope);
 *   - each server runs alone in a child process, pinned to the last core; the
 *     load generator is this process, pinned to core 0 (taskset; where it is
 *     missing, the OS places them);
 *   - the load is the same for both: a window of queries in flight over a few
 *     UDP sockets for a fixed time, a mix of plain queries, queries with a
 *     Client Subnet, and names that do not exist; only answers with the
 *     expected RCODE and answer count are counted;
 *   - rounds alternate the two servers and the best round counts (other work
 *     on the machine only ever slows a round down). Also printed: each
 *     server's CPU time per answer, which moves less with background load.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { CORES, childReady, cpuOf, forkServer, place, unpin } from './processes.ts';

type Kind = 'wirelab' | 'dns2';
const KINDS: readonly Kind[] = ['wirelab', 'dns2'];

const SECONDS = Number(process.env.DNS_BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.DNS_BENCH_ROUNDS ?? 3);
/** Queries in flight at once, over this many client sockets. */
const WINDOW = 128;
const SOCKETS = 4;
/** A query unanswered this long is counted lost and its slot reused. */
const LOST_AFTER_MS = 500;

// ---- child: one server -----------------------------------------------------------

async function serve(kind: Kind): Promise<void> {
  if (kind === 'wirelab') {
    const { startDnsServer } = await import('../solutions/13-cdn/dns-server.ts');
    childReady((await startDnsServer({ host: '127.0.0.1', port: 0 })).port);
    return;
  }
  childReady(await serveDns2());
}

/** dns2 answering the zone of buildZone() with the same records and the same edge choice. */
async function serveDns2(): Promise<number> {
  const { default: dns2 } = await import('dns2');
  const { Packet } = dns2;
  const { buildZone } = await import('../solutions/13-cdn/dns-zone.ts');
  const { chooseEdge, parseIp } = await import('../solutions/13-cdn/regions.ts');
  const zone = buildZone();
  type Ecs = { ednsCode: number; family: number; sourcePrefixLength: number; scopePrefixLength: number; ip: string };
  const server = dns2.createUDPServer((request, send, rinfo) => {
    const response = Packet.createResponseFromRequest(request);
    const question = request.questions[0];
    const opt = request.additionals.find((r) => r.type === Packet.TYPE.EDNS) as { rdata?: Ecs[] } | undefined;
    const ecs = opt?.rdata?.find((o) => o.ednsCode === Packet.EDNS_OPTION_CODE.ECS);
    let scope = 0;
    const name = question?.name.toLowerCase() ?? '';
    if (question === undefined || (name !== zone.apex && !name.endsWith(`.${zone.apex}`))) response.header.rcode = 5;
    else if (zone.names.has(name)) {
      response.header.aa = 1;
      const client = ecs !== undefined && ecs.sourcePrefixLength > 0 ? parseIp(ecs.ip) : parseIp((rinfo as dgram.RemoteInfo).address);
      const choice = client === undefined ? { edge: zone.defaultEdge, scopePrefix: 0 } : chooseEdge(zone.regions, client, zone.defaultEdge);
      if (ecs !== undefined && ecs.sourcePrefixLength > 0) scope = choice.scopePrefix;
      response.answers.push({ name: question.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: zone.ttlSeconds, address: zone.edges[choice.edge - 1] } as never);
    } else {
      response.header.aa = 1;
      response.header.rcode = 3;
      const { soa } = zone;
      response.authorities.push({ name: soa.name, type: Packet.TYPE.SOA, class: Packet.CLASS.IN, ttl: soa.ttl, primary: soa.mname, admin: soa.rname, serial: soa.serial, refresh: soa.refresh, retry: soa.retry, expiration: soa.expire, minimum: soa.minimum } as never);
    }
    // dns2's types know EDNS(rdata) only; its code takes the options too.
    const edns = Packet.Resource.EDNS as unknown as (rdata: Ecs[], options: { udpPayloadSize: number }) => never;
    if (opt !== undefined) response.additionals.push(edns(ecs === undefined ? [] : [{ ...ecs, scopePrefixLength: scope }], { udpPayloadSize: 1232 }));
    void send(response);
  });
  server.on('requestError', () => {});
  await server.listen(0, '127.0.0.1');
  return server.address().port;
}

// ---- parent: the load generator -------------------------------------------------------

/** The queries of the load, cycled, with what a correct answer holds. */
const MIX = [
  { query: { name: 'video.cdn.test' }, rcode: 0, answers: 1 },
  { query: { name: 'video.cdn.test', subnet: '10.2.0.0' }, rcode: 0, answers: 1 },
  { query: { name: 'VIDEO.cdn.test', subnet: '10.3.0.0' }, rcode: 0, answers: 1 },
  { query: { name: 'nope.cdn.test' }, rcode: 3, answers: 0 },
].map(({ query, rcode, answers }) => ({
  bytes: dnsPacket.encode({
    type: 'query',
    id: 0,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: query.name, type: 'A', class: 'IN' }],
    additionals:
      query.subnet === undefined
        ? []
        : [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [{ code: 8, family: 1, sourcePrefixLength: 16, scopePrefixLength: 0, ip: query.subnet }] }],
  }),
  rcode,
  answers,
}));

interface Result {
  answered: number;
  wrong: number;
  lost: number;
  seconds: number;
  perSecond: number;
  /** Server CPU microseconds per answer. */
  cpuPerAnswer: number;
  /** Share of one core the load generator used: near 1, it (not the server) set the pace. */
  loadBusy: number;
}

/**
 * Keeps WINDOW queries in flight over SOCKETS sockets for `seconds`: every
 * answer (or loss) frees a slot for the next query of the mix. A query id is
 * the socket's counter; an answer must carry a query's id in flight, the
 * expected RCODE and ANCOUNT.
 */
async function load(child: ChildProcess, port: number, seconds: number): Promise<Result> {
  const sockets = await Promise.all(
    Array.from({ length: SOCKETS }, async () => {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
      // Connected: no address to look up and pass with every datagram, so the load generator costs less.
      await new Promise<void>((resolve) => s.connect(port, '127.0.0.1', resolve));
      s.setRecvBufferSize(4 << 20);
      return s;
    }),
  );
  const inflight = sockets.map(() => new Map<number, { at: number; mix: number }>());
  let nextId = 0;
  let next = 0;
  let answered = 0;
  let wrong = 0;
  let lost = 0;
  let sending = true;
  const cpuBefore = await cpuOf(child);
  const ownCpuBefore = process.cpuUsage();
  const started = performance.now();
  const sendOn = (k: number): void => {
    if (!sending) return;
    const mix = next++ % MIX.length;
    const id = nextId++ & 0xffff;
    const query = Buffer.from(MIX[mix]!.bytes);
    query.writeUInt16BE(id, 0);
    inflight[k]!.set(id, { at: performance.now(), mix });
    sockets[k]!.send(query);
  };
  sockets.forEach((s, k) => {
    s.on('message', (m) => {
      if (m.length < 12) return;
      const pending = inflight[k]!.get(m.readUInt16BE(0));
      if (pending === undefined) return;
      inflight[k]!.delete(m.readUInt16BE(0));
      const want = MIX[pending.mix]!;
      if ((m[3]! & 0x0f) === want.rcode && m.readUInt16BE(6) === want.answers) answered++;
      else wrong++;
      sendOn(k);
    });
  });
  const reaper = setInterval(() => {
    const old = performance.now() - LOST_AFTER_MS;
    inflight.forEach((pending, k) => {
      for (const [id, { at }] of pending) {
        if (at >= old) continue;
        pending.delete(id);
        lost++;
        sendOn(k);
      }
    });
  }, 50);
  for (let i = 0; i < WINDOW; i++) sendOn(i % SOCKETS);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  sending = false;
  const elapsed = (performance.now() - started) / 1000;
  const counted = answered;
  const own = process.cpuUsage(ownCpuBefore);
  const cpu = (await cpuOf(child)) - cpuBefore;
  clearInterval(reaper);
  for (const s of sockets) s.close();
  return { answered: counted, wrong, lost, seconds: elapsed, perSecond: counted / elapsed, cpuPerAnswer: cpu / Math.max(1, counted), loadBusy: (own.user + own.system) / 1e6 / elapsed };
}

async function main(): Promise<void> {
  const version = (await import('dns2/package.json', { with: { type: 'json' } })).default.version;
  console.log(`DNS server benchmark: wirelab reference (solutions/13-cdn) vs dns2 ${version}, the same zone and records`);
  console.log(`${WINDOW} queries in flight over ${SOCKETS} sockets for ${SECONDS} s a round, best of ${ROUNDS} rounds, servers taking turns`);
  console.log(`mix: video.cdn.test A (plain, and with Client Subnet 10.2/16 and 10.3/16), nope.cdn.test A (NXDOMAIN)`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${CORES} cores (other work on the machine slows both alike)`);
  const pinning = (await unpin()) && CORES > 1;
  console.log(pinning ? `placement (taskset): load generator on core 0, server on core ${CORES - 1}\n` : 'placement: taskset is missing (or one core only): the OS places the processes\n');
  const servers = new Map<Kind, { child: ChildProcess; port: number }>();
  const best = new Map<Kind, Result>();
  try {
    for (const kind of KINDS) {
      const server = await forkServer(fileURLToPath(import.meta.url), ['--serve', kind]);
      servers.set(kind, server);
      if (pinning) await place(server.child, 'two cores');
      await load(server.child, server.port, 1); // warm-up: JIT
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of KINDS) {
        const { child, port } = servers.get(kind)!;
        if (pinning) await place(child, 'two cores');
        const r = await load(child, port, SECONDS);
        const old = best.get(kind);
        if (old === undefined || r.perSecond > old.perSecond) best.set(kind, { ...r, cpuPerAnswer: Math.min(r.cpuPerAnswer, old?.cpuPerAnswer ?? Infinity) });
        else best.set(kind, { ...old, cpuPerAnswer: Math.min(r.cpuPerAnswer, old.cpuPerAnswer) });
      }
    }
  } finally {
    for (const { child } of servers.values()) child.kill('SIGTERM');
  }
  for (const kind of KINDS) {
    const r = best.get(kind)!;
    console.log(
      `  ${kind.padEnd(8)} ${Math.round(r.perSecond).toString().padStart(7)} answers/s  ${r.cpuPerAnswer.toFixed(1).padStart(6)} µs server CPU/answer   (${r.answered} answered, ${r.wrong} wrong, ${r.lost} lost in ${r.seconds.toFixed(1)} s; load generator ${Math.round(100 * r.loadBusy)}% busy)`,
    );
  }
  const ours = best.get('wirelab')!;
  const theirs = best.get('dns2')!;
  console.log(`\n  ratio wirelab / dns2: ${(ours.perSecond / theirs.perSecond).toFixed(2)}× answers/s, ${(theirs.cpuPerAnswer / ours.cpuPerAnswer).toFixed(2)}× less CPU per answer   (target: ≥ 2× answers/s)`);
  if (ours.loadBusy > 0.9) {
    console.log('  note: the load generator was busy nearly all the time while wirelab was measured: answers/s shows its limit, not the');
    console.log("  server's; the CPU-per-answer ratio is the server's own.");
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as Kind);
else await main();
