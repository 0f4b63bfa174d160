// Poke it with: nc -u 127.0.0.1 5005   then type  PING 1 0  (the echo comes back, unless it is lost)
// Run it with:  npx tsx examples/udp-pinger.ts [count] [lossRate]
//
// The classic pinger lab on one machine: starts the given lossy pinger server
// of exercise 02 (30 % loss, echoes delayed 0–40 ms, seeded), pings it with
// the reference client, prints each line as it comes and the statistics.
import { ping } from '../solutions/02-udp-pinger/pinger.ts';
import { startPingerServer } from '../solutions/02-udp-pinger/pinger-server.ts';
import { formatSummary } from '../solutions/02-udp-pinger/summarize.ts';

const count = Number(process.argv[2] ?? 10);
const lossRate = Number(process.argv[3] ?? 0.3);
const server = await startPingerServer({ host: '127.0.0.1', port: 5005, lossRate, delayMs: [0, 40], seed: 2026 });
console.log(`listening on ${server.host}:${server.port} (udp, ${lossRate * 100}% loss)`);

const report = await ping({ host: server.host, port: server.port, count, timeoutMs: 1000, intervalMs: 200, onLine: console.log });
for (const line of formatSummary(`${server.host}:${server.port}`, report.summary)) console.log(line);

console.log(`the server keeps running for nc; Ctrl-C to stop`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
