// Poke it with: nc -u 127.0.0.1 7007   (type a line; it comes back)
// Run it with:  npx tsx examples/udp-echo.ts [port]
//
// Starts the reference UDP echo server of exercise 01, checks it with the
// reference client (once directly, once through a proxy that loses 50 % of
// datagrams, to show the retries at work), then echoes until Ctrl-C.
import { startUdpFaultProxy } from '../lib/faults/index.ts';
import { echo } from '../solutions/01-udp-echo/echo-client.ts';
import { startEchoServer } from '../solutions/01-udp-echo/echo-server.ts';

const port = Number(process.argv[2] ?? 7007);
const server = await startEchoServer({ host: '127.0.0.1', port });
console.log(`listening on ${server.host}:${server.port} (udp)`);

const direct = await echo('hello, echo', { host: server.host, port: server.port, timeoutMs: 500, retries: 0 });
console.log(`direct:       sent "hello, echo", got "${direct.toString()}"`);

const proxy = await startUdpFaultProxy({ target: server, seed: 'example', drop: 0.5 });
const started = performance.now();
const lossy = await echo('hello through loss', { host: proxy.host, port: proxy.port, timeoutMs: 200, retries: 10 });
const stats = proxy.stats;
console.log(
  `through loss: got "${lossy.toString()}" after ${Math.round(performance.now() - started)} ms ` +
    `(${stats.dropped} datagrams lost on the way, ${stats.forwarded} delivered)`,
);
await proxy.close();

console.log(`now try: nc -u ${server.host} ${server.port}   (Ctrl-C here to stop)`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
