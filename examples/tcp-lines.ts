// Poke it with: nc -C 127.0.0.1 7070   (type lines; an empty one, a very long one, then QUIT)
//          or:  telnet 127.0.0.1 7070  (Windows)
// Run it with:  npx tsx examples/tcp-lines.ts [port]
//
// Starts the reference line server of exercise 03, sends it a pipelined
// batch with the reference client, directly and through the chunk proxy that
// delivers every byte on its own, then serves until Ctrl-C.
import { startTcpChunkProxy } from '../lib/faults/index.ts';
import { sendLines } from '../solutions/03-tcp-lines/line-client.ts';
import { startLineServer } from '../solutions/03-tcp-lines/line-server.ts';

const port = Number(process.argv[2] ?? 7070);
const server = await startLineServer({ host: '127.0.0.1', port });
console.log(`listening on ${server.host}:${server.port}`);

const batch = ['hello, world', '', 'x'.repeat(2000), 'grüße ✓', 'QUIT', 'not answered: after QUIT'];
const direct = await sendLines(batch, { host: server.host, port: server.port });
console.log('direct:', direct);

const proxy = await startTcpChunkProxy({ target: server, seed: 'example', maxChunk: 1 });
const split = await sendLines(batch, { host: proxy.host, port: proxy.port });
console.log(`one byte per write (${proxy.stats.toServer.writes} writes to the server):`, split);
await proxy.close();

console.log(`now try: nc -C ${server.host} ${server.port}   (Ctrl-C here to stop)`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
