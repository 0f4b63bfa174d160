/**
 * Tracker throughput: UDP announces/s and HTTP announces/s of the reference
 * tracker (solutions/09-tracker) against the server of the npm package
 * `bittorrent-tracker`, with the same load generator, in one run.
 *
 *   npx tsx bench/tracker.bench.ts            (or: npm run bench -- tracker)
 *   BENCH_UDP=100000 BENCH_HTTP=20000 npx tsx bench/tracker.bench.ts
 *
 * Each tracker runs alone in a child process (one core), the load generator
 * in this one (the other core). The generator keeps a window of requests in
 * flight over several sockets, from many distinct peers (every announce a new
 * peer_id, 200 swarms, numwant 50 so answers carry peers), and counts only
 * valid answers. bittorrent-tracker is installed on first use into a scratch
 * folder under the system's temp dir (`npm install --ignore-scripts`: its
 * WebRTC dependency needs a binary download we skip; the server does not use
 * it) and reused by later runs. It is never a dependency of the kit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRATCH = path.join(os.tmpdir(), 'wirelab-bench-bittorrent-tracker');
const THEIRS_SERVER = path.join(SCRATCH, 'node_modules', 'bittorrent-tracker', 'server.js');

type Impl = 'wirelab' | 'bittorrent-tracker';
interface Ports {
  http: number;
  udp: number;
}

// ------------------------------------------------------------------ the servers (child process)

async function serve(impl: Impl): Promise<void> {
  let ports: Ports;
  if (impl === 'wirelab') {
    const { startTracker } = (await import(pathToFileURL(path.join(here, '..', 'solutions', '09-tracker', 'tracker.ts')).href)) as typeof import('../solutions/09-tracker/tracker.ts');
    const t = await startTracker({ host: '127.0.0.1', port: 0, intervalSeconds: 1800, maxPeers: 1_000_000 });
    ports = { http: t.httpPort, udp: t.udpPort };
  } else {
    const { default: Server } = (await import(pathToFileURL(THEIRS_SERVER).href)) as {
      default: new (opts: object) => {
        on(event: string, f: (...args: unknown[]) => void): void;
        listen(port: object, host: object, cb: () => void): void;
        http: { address(): { port: number } };
        udp4: { address(): { port: number } };
      };
    };
    const server = new Server({ udp: true, http: true, ws: false, stats: false, interval: 1_800_000 });
    server.on('error', (e) => process.stderr.write(`bittorrent-tracker error: ${String(e)}\n`));
    server.on('warning', () => {});
    await new Promise<void>((resolve) => server.listen({ http: 0, udp: 0 }, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, resolve));
    ports = { http: server.http.address().port, udp: server.udp4.address().port };
  }
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  // Runs until the parent closes our stdin (or kills us).
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

function startChild(impl: Impl): Promise<{ child: ChildProcess; ports: Ports }> {
  const tsxCli = path.join(here, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsxCli, fileURLToPath(import.meta.url), 'serve', impl], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, ports: JSON.parse(line) as Ports }));
    child.once('exit', (code) => reject(new Error(`${impl} server exited early (${code})`)));
    setTimeout(() => reject(new Error(`${impl} server did not start within 20 s`)), 20_000).unref();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.stdin?.end();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// ------------------------------------------------------------------ the load generator

/** A distinct 20-byte id per number (the load's peers and swarms). */
function id(prefix: number, n: number): Buffer {
  const b = Buffer.alloc(20, prefix);
  b.writeUInt32BE(n >>> 0, 0);
  b.writeUInt32BE(0xfeedface, 16);
  return b;
}

interface Result {
  ok: number;
  lost: number;
  seconds: number;
  perSecond: number;
}

/**
 * UDP: `sockets` client sockets, each first connects (BEP 15), then keeps
 * window/sockets announces in flight; an answer frees a slot for the next.
 * An announce unanswered after 1 s counts as lost and frees its slot.
 */
async function udpLoad(port: number, total: number, window: number, sockets: number, firstPeer: number): Promise<Result> {
  const socks = await Promise.all(
    Array.from({ length: sockets }, async () => {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
      s.setRecvBufferSize(4 << 20);
      const conn = Buffer.alloc(16);
      conn.writeBigUInt64BE(0x41727101980n, 0);
      conn.writeInt32BE(0, 8);
      conn.writeUInt32BE(1, 12);
      const connectionId = await new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no connect answer')), 2000);
        s.once('message', (m) => {
          clearTimeout(timer);
          resolve(Buffer.from(m.subarray(8, 16)));
        });
        s.send(conn, port, '127.0.0.1');
      });
      // BEP 15 announce: conn id @0, action @8, tx @12, info_hash @16, peer_id @36, … event @80, num_want @92, port @96.
      const template = Buffer.alloc(98);
      connectionId.copy(template, 0);
      template.writeInt32BE(1, 8);
      id(0xa0, 0).copy(template, 16);
      id(0xb0, 0).copy(template, 36);
      template.writeInt32BE(2, 80); // started
      template.writeInt32BE(-1, 92); // default numwant
      return { s, template };
    }),
  );
  let sent = 0;
  let ok = 0;
  let lost = 0;
  const inflight = new Map<number, number>(); // transaction id → sent at
  const started = performance.now();
  return new Promise((resolve) => {
    const sendNext = (k: number) => {
      if (sent >= total) return;
      const n = firstPeer + sent++;
      const { s, template } = socks[k]!;
      // A copy of the socket's template with this peer's fields written in.
      const b = Buffer.from(template);
      b.writeUInt32BE(n >>> 0, 12); // transaction id
      b.writeUInt32BE(n % 200, 16); // info_hash: one of 200 swarms
      b.writeUInt32BE(n >>> 0, 36); // peer_id: a new peer every time
      b.writeBigUInt64BE(n % 4 === 0 ? 0n : 1000n, 64); // a quarter are seeders
      b.writeUInt16BE(10_000 + (n % 50_000), 96);
      inflight.set(n >>> 0, performance.now());
      s.send(b, port, '127.0.0.1');
    };
    const finish = () => {
      if (sent < total || inflight.size > 0) return;
      clearInterval(reaper);
      const seconds = (performance.now() - started) / 1000;
      for (const { s } of socks) s.close();
      resolve({ ok, lost, seconds, perSecond: ok / seconds });
    };
    socks.forEach(({ s }, k) => {
      s.on('message', (m) => {
        if (m.length < 20 || m.readInt32BE(0) !== 1) return;
        if (!inflight.delete(m.readUInt32BE(4))) return;
        ok++;
        sendNext(k);
        finish();
      });
    });
    const reaper = setInterval(() => {
      const old = performance.now() - 1000;
      for (const [tx, at] of inflight) {
        if (at < old) {
          inflight.delete(tx);
          lost++;
          sendNext(tx % sockets);
        }
      }
      finish();
    }, 100);
    for (let i = 0; i < window; i++) sendNext(i % sockets);
  });
}

/** HTTP: keep-alive connections, `window` requests in flight, every announce a new peer. */
async function httpLoad(port: number, total: number, window: number, firstPeer: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: window });
  const enc = (b: Buffer) => Array.from(b, (x) => `%${x.toString(16).padStart(2, '0')}`).join('');
  let sent = 0;
  let ok = 0;
  let lost = 0;
  const started = performance.now();
  const one = (n: number) =>
    new Promise<void>((resolve) => {
      const query = `info_hash=${enc(id(0xa0, n % 200))}&peer_id=${enc(id(0xb0, n))}&port=${10_000 + (n % 50_000)}&uploaded=0&downloaded=0&left=${n % 4 === 0 ? 0 : 1000}&event=started&compact=1&key=1a2b3c`;
      const req = http.get({ host: '127.0.0.1', port, path: `/announce?${query}`, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode === 200 && body[0] === 0x64 /* d */ && !body.includes('failure reason')) ok++;
          else lost++;
          resolve();
        });
      });
      req.setTimeout(5000, () => req.destroy());
      req.on('error', () => {
        lost++;
        resolve();
      });
    });
  const worker = async () => {
    while (sent < total) await one(firstPeer + sent++);
  };
  await Promise.all(Array.from({ length: window }, worker));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { ok, lost, seconds, perSecond: ok / seconds };
}

// ------------------------------------------------------------------ the run

function ensureTheirs(): void {
  if (existsSync(THEIRS_SERVER)) return;
  console.log(`installing bittorrent-tracker into ${SCRATCH} (once; --ignore-scripts) …`);
  mkdirSync(SCRATCH, { recursive: true });
  if (!existsSync(path.join(SCRATCH, 'package.json'))) writeFileSync(path.join(SCRATCH, 'package.json'), '{"name":"wirelab-bench-scratch","private":true}\n');
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', 'bittorrent-tracker@11'], { cwd: SCRATCH, stdio: 'inherit' });
}

async function measure(impl: Impl, transport: 'udp' | 'http', total: number): Promise<Result> {
  const { child, ports } = await startChild(impl);
  try {
    // Warm-up (JIT, first swarms), not counted; then the measured run with new peers.
    if (transport === 'udp') {
      await udpLoad(ports.udp, Math.min(5000, total), 64, 8, 0);
      return await udpLoad(ports.udp, total, 128, 8, 1_000_000);
    }
    await httpLoad(ports.http, Math.min(1000, total), 32, 0);
    return await httpLoad(ports.http, total, 32, 1_000_000);
  } finally {
    await stopChild(child);
  }
}

async function main(): Promise<void> {
  const udpTotal = Number(process.env.BENCH_UDP ?? 40_000);
  const httpTotal = Number(process.env.BENCH_HTTP ?? 6_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  ensureTheirs();
  console.log(`tracker benchmark: ${udpTotal} UDP and ${httpTotal} HTTP announces per tracker and round, ${rounds} rounds (best kept),`);
  console.log(`distinct peers, 200 swarms, numwant 50, loopback; load: ${os.loadavg()[0]!.toFixed(1)} (1-min load average; other work on the machine skews both alike)`);
  const best = new Map<string, Result>();
  const keep = (name: string, r: Result) => {
    const old = best.get(name);
    if (!old || r.perSecond > old.perSecond) best.set(name, r);
  };
  // Rounds alternate the two trackers so drifting background load hits both.
  for (let round = 0; round < rounds; round++) {
    for (const transport of ['udp', 'http'] as const) {
      const total = transport === 'udp' ? udpTotal : httpTotal;
      for (const impl of ['wirelab', 'bittorrent-tracker'] as const) keep(`${transport} ${impl}`, await measure(impl, transport, total));
    }
  }
  const ratios: Record<string, number> = {};
  for (const transport of ['udp', 'http'] as const) {
    const ours = best.get(`${transport} wirelab`)!;
    const theirs = best.get(`${transport} bittorrent-tracker`)!;
    ratios[transport] = ours.perSecond / theirs.perSecond;
    for (const [name, r] of [['wirelab (reference)', ours], ['bittorrent-tracker', theirs]] as const) {
      console.log(`  ${transport.padEnd(5)} ${name.padEnd(20)} ${Math.round(r.perSecond).toString().padStart(8)} announces/s   (${r.ok} answered, ${r.lost} lost, ${r.seconds.toFixed(2)} s)`);
    }
  }
  console.log(`\n  ratio wirelab / bittorrent-tracker:  UDP ${ratios.udp!.toFixed(2)}×   HTTP ${ratios.http!.toFixed(2)}×   (target: UDP ≥ 2×)`);
}

if (process.argv[2] === 'serve') {
  await serve(process.argv[3] as Impl);
} else {
  await main();
}
