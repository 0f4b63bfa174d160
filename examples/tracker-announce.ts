// Poke it with: npx tsx examples/tracker-announce.ts udp://127.0.0.1:6969   (after: npx wirelab serve tracker --port 6969 --impl solutions)
// Run it with:  npx tsx examples/tracker-announce.ts [udp://HOST:PORT | http://HOST:PORT/announce]
//
// Without an address it starts the reference tracker of exercise 09 itself.
// Then three peers join one swarm: "alice" over UDP (BEP 15: connect, then
// announce, every datagram shown with its fields), "bob" over HTTP (BEP 3: the
// percent-encoded query and the bencoded answer), and alice again, who now
// finds bob. Open the tracker's page (printed below) to see the swarm.
import dgram from 'node:dgram';
import http from 'node:http';
import { startTracker } from '../solutions/09-tracker/tracker.ts';

const target = process.argv[2];
const own = target === undefined ? await startTracker({ port: 0 }) : undefined;
const url = new URL(target ?? `udp://127.0.0.1:${own!.udpPort}`);
const host = url.hostname;
const port = Number(url.port);
if (own) console.log(`started a tracker: page at http://${host}:${port}/`);

const infoHash = Buffer.from('c0ffee00112233445566778899aabbccddeeff00', 'hex');
const peerId = (name: string) => Buffer.from(`-WL0900-${name.padEnd(12, '.')}`.slice(0, 20), 'latin1');

/** BEP 15 over one socket: connect, then announce; prints both answers field by field. */
async function udpAnnounce(name: string, peerPort: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  const exchange = (packet: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2000);
      socket.once('message', (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.send(packet, port, host);
    });
  const connect = Buffer.alloc(16);
  connect.writeBigUInt64BE(0x41727101980n, 0); // protocol id
  connect.writeInt32BE(0, 8); // action: connect
  connect.writeUInt32BE(0x1111, 12); // transaction id
  const connected = await exchange(connect);
  const connectionId = connected.subarray(8, 16);
  console.log(`[udp ${name}] connect -> action ${connected.readInt32BE(0)}, tx ${connected.readUInt32BE(4).toString(16)}, connection id ${connectionId.toString('hex')}`);

  const announce = Buffer.alloc(98);
  connectionId.copy(announce, 0);
  announce.writeInt32BE(1, 8); // action: announce
  announce.writeUInt32BE(0x2222, 12);
  infoHash.copy(announce, 16);
  peerId(name).copy(announce, 36);
  announce.writeBigUInt64BE(1_000_000n, 64); // left: still downloading
  announce.writeInt32BE(2, 80); // event: started
  announce.writeInt32BE(-1, 92); // num_want: default
  announce.writeUInt16BE(peerPort, 96);
  const answer = await exchange(announce);
  if (answer.readInt32BE(0) === 3) throw new Error(`tracker error: ${answer.subarray(8).toString()}`);
  const peers: string[] = [];
  for (let at = 20; at + 6 <= answer.length; at += 6) peers.push(`${[...answer.subarray(at, at + 4)].join('.')}:${answer.readUInt16BE(at + 4)}`);
  console.log(`[udp ${name}] announce -> interval ${answer.readInt32BE(8)} s, leechers ${answer.readInt32BE(12)}, seeders ${answer.readInt32BE(16)}, peers [${peers.join(', ')}]`);
  socket.close();
}

/** BEP 3 over HTTP: every byte of the binary ids percent-encoded. */
async function httpAnnounce(name: string, peerPort: number, httpPort: number): Promise<void> {
  const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
  const path = `/announce?info_hash=${enc(infoHash)}&peer_id=${enc(peerId(name))}&port=${peerPort}&uploaded=0&downloaded=0&left=0&event=started&compact=1`;
  console.log(`[http ${name}] GET ${path}`);
  const body = await new Promise<Buffer>((resolve, reject) => {
    http.get({ host, port: httpPort, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
  // Bencode is mostly readable: show it with the binary peer bytes as hex.
  console.log(`[http ${name}] answer: ${body.toString('latin1').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`);
}

await udpAnnounce('alice', 51001);
await httpAnnounce('bob', 51002, url.protocol === 'http:' ? Number(url.port) : port);
await udpAnnounce('alice', 51001);
if (own) {
  console.log(`tracker stats: ${JSON.stringify(own.stats())}`);
  await own.close();
}
