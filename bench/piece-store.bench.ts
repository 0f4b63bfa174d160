/**
 * The reference piece store (exercise 10) against the floor for the same
 * work, in the same run:
 *   - download: every 16 KiB block of a 256 MiB, 4-file torrent written in a
 *     scrambled order (16 writes in flight, as from several peers), then every
 *     piece read back and SHA-1 checked; against writing the same bytes in
 *     order with fs.writeFile, then reading each file whole and hashing its
 *     pieces (one write, one read, one hash per byte, in big sequential calls
 *     and with the torrent in memory: what any store must do at least);
 *   - re-check on open (a complete folder) against reading and hashing the files.
 * Ours runs in a child process so its peak memory (max RSS) is its own: it
 * must stay flat whatever the size, since nothing is buffered.
 *
 *   npx tsx bench/piece-store.bench.ts          (or: npm run bench -- piece-store)
 *   WIRELAB_BENCH_MIB=1024 npx tsx bench/piece-store.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metainfo } from '../solutions/08-metainfo/metainfo-types.ts';

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env['WIRELAB_BENCH_MIB'] ?? 256);
const PIECE = 256 * 1024;
const BLOCK = 16 * 1024;
const FILES = 4;
const IN_FLIGHT = 16;
const here = fileURLToPath(import.meta.url);
const storeModule = path.join(path.dirname(here), '..', 'solutions', '10-peer', 'piece-store.ts');

/** Block `index` of the torrent: generated from its number, so parent and child agree without holding the torrent. */
function chunk(index: number): Buffer {
  return Buffer.from(createHash('sha512').update(`block ${index}`).digest('hex').repeat(BLOCK / 128), 'latin1');
}

function metainfo(): Metainfo {
  const total = SIZE_MIB * MIB;
  const pieces: Uint8Array[] = [];
  for (let p = 0; p < total / PIECE; p++) {
    const hash = createHash('sha1');
    for (let b = 0; b < PIECE / BLOCK; b++) hash.update(chunk(p * (PIECE / BLOCK) + b));
    pieces.push(hash.digest());
  }
  const each = total / FILES;
  return {
    announce: undefined, name: 'bench', pieceLength: PIECE, pieces, length: total, multiFile: true,
    files: Array.from({ length: FILES }, (_, i) => ({ path: [`part-${i}.bin`], length: each })),
    infoHash: Buffer.alloc(20), infoHashHex: '00'.repeat(20), createdBy: undefined, creationDate: undefined,
  };
}

if (process.argv[2] === '--child') {
  const [dir, mode] = [process.argv[3]!, process.argv[4]!];
  const { openPieceStore } = (await import(pathToFileURL(storeModule).href)) as typeof import('../solutions/10-peer/piece-store.ts');
  const m = metainfo();
  const started = performance.now();
  if (mode === 'baseline') {
    // Everything but the store: node, tsx, the module and the metainfo.
    process.stdout.write(JSON.stringify({ ms: 0, maxRssKiB: process.resourceUsage().maxRSS }));
    process.exit(0);
  }
  const store = await openPieceStore(m, dir);
  if (mode === 'download') {
    const blocks = m.length / BLOCK;
    const order = Array.from({ length: blocks }, (_, i) => (i * 7919) % blocks); // 7919 is prime: a permutation
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < order.length) {
        const b = order[next++]!;
        await store.writeBlock(Math.floor((b * BLOCK) / PIECE), (b * BLOCK) % PIECE, chunk(b));
      }
    }));
    for (let p = 0; p < m.pieces.length; p++) if (!(await store.verifyPiece(p))) throw new Error(`piece ${p} failed`);
  }
  if (!store.have.complete) throw new Error('not complete');
  await store.close();
  process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const root = mkdtempSync(path.join(os.tmpdir(), 'wirelab-bench-store-'));
try {
  const dir = path.join(root, 'ours');
  // The floor before and after ours, the better one counts: writeback of one run's dirty pages slows the next.
  const floorMs = floor(path.join(root, 'floor-1'));
  const ours = run(process.execPath, [tsx, here, '--child', dir, 'download']);
  const recheck = run(process.execPath, [tsx, here, '--child', dir, 'open']);
  const baseline = run(process.execPath, [tsx, here, '--child', dir, 'baseline']);
  const floorAfter = floor(path.join(root, 'floor-2'));
  const files = Array.from({ length: FILES }, (_, f) => path.join(root, 'floor-2', `part-${f}.bin`));
  const hashStarted = performance.now();
  hashPieces(files);
  const hashMs = performance.now() - hashStarted;

  const mbps = (ms: number) => ((SIZE_MIB / ms) * 1000).toFixed(0);
  console.log(`piece store, ${SIZE_MIB} MiB in ${FILES} files, ${PIECE / 1024} KiB pieces, 16 KiB blocks in a scrambled order`);
  const best = Math.min(floorMs, floorAfter);
  console.log(`  download (write + verify):  ours ${ours.ms.toFixed(0)} ms (${mbps(ours.ms)} MiB/s)  vs writeFile + readFile + SHA-1 ${best.toFixed(0)} ms: ratio ${(ours.ms / best).toFixed(2)}`);
  console.log(`  re-check on open:           ours ${recheck.ms.toFixed(0)} ms (${mbps(recheck.ms)} MiB/s)  vs readFile + SHA-1 ${hashMs.toFixed(0)} ms: ratio ${(recheck.ms / hashMs).toFixed(2)}`);
  const mib = (kib: number) => ((kib - baseline.maxRssKiB) / 1024).toFixed(0);
  console.log(`  peak memory of ours above the same process without a store (${(baseline.maxRssKiB / 1024).toFixed(0)} MiB): ${mib(ours.maxRssKiB)} MiB downloading, ${mib(recheck.maxRssKiB)} MiB re-checking (the torrent is ${SIZE_MIB} MiB)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

function run(command: string, args: string[]): { ms: number; maxRssKiB: number } {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { ms: number; maxRssKiB: number };
}

/** Writes the torrent's bytes in order with writeFile, then hashes it back; returns the ms taken. */
function floor(folder: string): number {
  mkdirSync(folder, { recursive: true });
  const perFile = SIZE_MIB * MIB / FILES / BLOCK;
  const started = performance.now();
  const files: string[] = [];
  for (let f = 0; f < FILES; f++) {
    files.push(path.join(folder, `part-${f}.bin`));
    writeFileSync(files[f]!, Buffer.concat(Array.from({ length: perFile }, (_, i) => chunk(f * perFile + i))));
  }
  hashPieces(files);
  return performance.now() - started;
}

/** Reads each file whole and SHA-1s it piece by piece (the files hold whole pieces): the least a check can do. */
function hashPieces(files: string[]): void {
  for (const file of files) {
    const bytes = readFileSync(file);
    for (let at = 0; at < bytes.length; at += PIECE) createHash('sha1').update(bytes.subarray(at, at + PIECE)).digest();
  }
}

