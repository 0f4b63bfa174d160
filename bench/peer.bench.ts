/**
 * Peer throughput on loopback: one seed → one leecher of the reference peer
 * (solutions/10-peer), for several request pipeline depths, against a plain
 * TCP file copy of the same file (stream it from disk into a socket, write
 * it to disk at the other end): the floor of what any protocol costs here.
 * The peer does more on top: requests, 16 KiB blocks, a SHA-1 check of every
 * piece read back from disk.
 *
 *   npx tsx bench/peer.bench.ts                (or: npm run bench -- peer)
 *   BENCH_MIB=256 BENCH_PIPELINES=16,64 BENCH_RUNS=5 npx tsx bench/peer.bench.ts
 *
 * The seed and the leecher (or sender and receiver) run in two child
 * processes, one core each, as two real peers would. Each configuration runs
 * BENCH_RUNS times (interleaved with the others, so a burst of load elsewhere
 * hits all of them) and the best run counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createMetainfo } from '../solutions/08-metainfo/create-metainfo.ts';
import { readMetainfo } from '../solutions/08-metainfo/read-metainfo.ts';
import { startPeer } from '../solutions/10-peer/peer.ts';

const here = fileURLToPath(import.meta.url);
const MIB = Number(process.env.BENCH_MIB ?? 64);
const PIPELINES = (process.env.BENCH_PIPELINES ?? '4,16,64,256').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

// ------------------------------------------------------------------ the children

/** Child: a seed of `torrent` in `dir`; prints its port, runs until stdin ends. */
async function seed(torrent: string, dir: string): Promise<void> {
  const peer = await startPeer({ metainfo: readMetainfo(await readFile(torrent)), dir, announce: false });
  process.stdout.write(`${peer.port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void peer.close().then(() => process.exit(0)));
}

/** Child: a leecher into `dir`; prints the ms from start to the last verified piece. */
async function leech(torrent: string, dir: string, port: number, pipeline: number): Promise<void> {
  const metainfo = readMetainfo(await readFile(torrent));
  const started = performance.now();
  const peer = await startPeer({ metainfo, dir, announce: false, pipeline, peers: [{ host: '127.0.0.1', port }] });
  await peer.whenComplete();
  process.stdout.write(`${performance.now() - started}\n`);
  await peer.close();
  process.exit(0);
}

/** Child: serves `file` to the first connection; prints its port. */
async function send(file: string): Promise<void> {
  const server = net.createServer((socket) => {
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(socket);
    socket.on('close', () => server.close(() => process.exit(0)));
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
}

/** Child: copies what arrives on `port` into `file`; prints the ms until it is on disk. */
function receive(file: string, port: number): void {
  const started = performance.now();
  const out = createWriteStream(file);
  const socket = net.connect(port, '127.0.0.1');
  socket.pipe(out);
  out.on('finish', () => {
    process.stdout.write(`${performance.now() - started}\n`);
    process.exit(0);
  });
}

// ------------------------------------------------------------------ the parent

/** Runs this file as a child with `args`; resolves with its first line of output (and the child). */
function child(args: string[]): Promise<{ proc: ChildProcess; line: string }> {
  const tsxCli = path.join(path.dirname(here), '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const proc = spawn(process.execPath, [tsxCli, here, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (line) => resolve({ proc, line }));
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited early (${code})`)));
    setTimeout(() => reject(new Error(`${args[0]} gave no answer within 120 s`)), 120_000).unref();
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  proc.stdin?.end();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => (proc.kill('SIGKILL'), resolve()), 5000);
    proc.once('exit', () => (clearTimeout(timer), resolve()));
  });
}

/** One peer run: MiB/s from the leecher's start to its last verified piece. */
async function peerRun(root: string, torrent: string, pipeline: number, run: number): Promise<number> {
  const { proc, line } = await child(['seed', torrent, path.join(root, 'seed')]);
  try {
    const dir = path.join(root, `leech-${pipeline}-${run}`);
    const { line: ms } = await child(['leech', torrent, dir, line, String(pipeline)]);
    await rm(dir, { recursive: true, force: true });
    return MIB / (Number(ms) / 1000);
  } finally {
    await stop(proc);
  }
}

/** One plain copy: MiB/s until the copy is written. */
async function copyRun(root: string, file: string, run: number): Promise<number> {
  const { proc, line } = await child(['send', file]);
  try {
    const copy = path.join(root, `copy-${run}.bin`);
    const { line: ms } = await child(['receive', copy, line]);
    await rm(copy, { force: true });
    return MIB / (Number(ms) / 1000);
  } finally {
    await stop(proc);
  }
}

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'wirelab-bench-peer-'));
  try {
    await mkdir(path.join(root, 'seed'));
    const file = path.join(root, 'seed', 'file.bin');
    await writeFile(file, randomBytes(MIB << 20));
    const torrent = path.join(root, 'file.torrent');
    await writeFile(torrent, await createMetainfo(file, { pieceLength: 262_144 }));
    console.log(`${MIB} MiB, 256 KiB pieces, best of ${RUNS} runs, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`);
    const best = new Map<string, number>();
    for (let run = 0; run < RUNS; run++) {
      const copy = await copyRun(root, file, run);
      best.set('copy', Math.max(best.get('copy') ?? 0, copy));
      for (const pipeline of PIPELINES) {
        const rate = await peerRun(root, torrent, pipeline, run);
        best.set(`pipeline ${pipeline}`, Math.max(best.get(`pipeline ${pipeline}`) ?? 0, rate));
      }
    }
    const copy = best.get('copy')!;
    console.log(`plain TCP file copy: ${copy.toFixed(0)} MiB/s`);
    for (const pipeline of PIPELINES) {
      const rate = best.get(`pipeline ${pipeline}`)!;
      console.log(`peer, pipeline ${String(pipeline).padStart(3)}: ${rate.toFixed(0).padStart(4)} MiB/s = ${(rate / copy).toFixed(2)}× the plain copy`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === 'seed') await seed(args[0]!, args[1]!);
else if (role === 'leech') await leech(args[0]!, args[1]!, Number(args[2]), Number(args[3]));
else if (role === 'send') await send(args[0]!);
else if (role === 'receive') receive(args[0]!, Number(args[1]));
else await main();
