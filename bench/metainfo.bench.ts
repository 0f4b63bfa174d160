/**
 * Creating metainfo for a 1 GiB file with the reference solution, against
 * `sha1sum` of the same file in the same run. SHA-1 is the physical limit
 * here: a torrent maker reads the file once and hashes every byte, which is
 * all sha1sum does too. Also the peak memory (max RSS) of the creating
 * process: it must stay flat, because the file is streamed, not loaded.
 *
 *   npx tsx bench/metainfo.bench.ts            (or: npm run bench -- metainfo)
 *   WIRELAB_BENCH_MIB=4096 npx tsx bench/metainfo.bench.ts    another size
 *
 * The file is written to os.tmpdir() and deleted at the end. Both tools read
 * it from the page cache: sha1sum runs once untimed first to warm it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env['WIRELAB_BENCH_MIB'] ?? 1024);
/** Timed runs of each tool; the best one counts (the least disturbed by the rest of the machine). */
const RUNS = 3;
const here = fileURLToPath(import.meta.url);
const solution = path.join(path.dirname(here), '..', 'solutions', '08-metainfo', 'create-metainfo.ts');

/** What the child process reports. */
interface ChildReport {
  ms: number;
  maxRssKiB: number;
  pieces: number;
}

if (process.argv[2] === '--child') {
  // Runs in a fresh process so its max RSS is the creator's alone.
  const file = process.argv[3] as string;
  const hash = process.argv[4] !== 'baseline';
  const { createMetainfo } = (await import(pathToFileURL(solution).href)) as typeof import('../solutions/08-metainfo/create-metainfo.ts');
  const started = performance.now();
  const torrent = hash ? await createMetainfo(file, { announce: 'http://127.0.0.1:6969/announce' }) : new Uint8Array();
  const report: ChildReport = { ms: performance.now() - started, maxRssKiB: process.resourceUsage().maxRSS, pieces: torrent.length };
  process.stdout.write(JSON.stringify(report));
  process.exit(0);
}

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-bench-metainfo-'));
const file = path.join(dir, 'one-gib.bin');
try {
  await writeFile(file, SIZE_MIB);
  const bytes = SIZE_MIB * MIB;
  const useTime = existsSync('/usr/bin/time');

  // Warm the page cache, untimed.
  sha1sum(file, false);
  const sha = best(Array.from({ length: RUNS }, () => sha1sum(file, useTime)));
  const ours = best(Array.from({ length: RUNS }, () => child(file, 'hash')));
  const baseline = child(file, 'baseline');

  const mbps = (ms: number) => bytes / MIB / (ms / 1000);
  console.log(`file: ${SIZE_MIB} MiB in ${dir} (page cache warm)`);
  console.log(`sha1sum (coreutils)            ${mbps(sha.ms).toFixed(0).padStart(6)} MiB/s   ${sha.ms.toFixed(0)} ms${sha.maxRssKiB ? `   peak RSS ${(sha.maxRssKiB / 1024).toFixed(1)} MiB` : ''}`);
  console.log(`createMetainfo (solutions/08)  ${mbps(ours.ms).toFixed(0).padStart(6)} MiB/s   ${ours.ms.toFixed(0)} ms   peak RSS ${(ours.maxRssKiB / 1024).toFixed(1)} MiB`);
  console.log(`  (a Node process that loads the same code and hashes nothing peaks at ${(baseline.maxRssKiB / 1024).toFixed(1)} MiB:`);
  console.log(`   hashing ${SIZE_MIB} MiB adds ${((ours.maxRssKiB - baseline.maxRssKiB) / 1024).toFixed(1)} MiB)`);
  console.log('  (sha1sum timed as a whole process; createMetainfo from its call to its result, without Node\'s startup)');
  console.log(`ratio: createMetainfo is ${(sha.ms / ours.ms).toFixed(2)}× the speed of sha1sum (best of ${RUNS} each)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `mib` MiB of random-looking bytes (a 16 MiB random block, varied per block so no two pieces repeat). */
async function writeFile(target: string, mib: number): Promise<void> {
  const block = randomBytes(16 * MIB);
  const out = createWriteStream(target);
  for (let written = 0; written < mib; written += 16) {
    block.writeUInt32BE(written, 0);
    const chunk = Buffer.from(block.subarray(0, Math.min(16, mib - written) * MIB));
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Times one sha1sum run; with /usr/bin/time -v also its peak RSS. */
function sha1sum(target: string, measureMemory: boolean): { ms: number; maxRssKiB: number } {
  const started = performance.now();
  const result = measureMemory
    ? spawnSync('/usr/bin/time', ['-v', 'sha1sum', target], { encoding: 'utf8' })
    : spawnSync('sha1sum', [target], { encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`sha1sum failed: ${result.stderr || result.error?.message}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr ?? '');
  return { ms, maxRssKiB: rss ? Number(rss[1]) : 0 };
}

/** Runs the creator in a child process and returns what it measured itself. */
function child(target: string, mode: 'hash' | 'baseline'): ChildReport {
  const result = spawnSync(process.execPath, [tsxCli, here, '--child', target, mode], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildReport;
}

function best<T extends { ms: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}
