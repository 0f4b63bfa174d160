/**
 * `npm run bench`: runs every `bench/*.bench.ts` one after another (never in
 * parallel: they would measure each other) and prints what each reports.
 * `npm run bench -- tracker` runs only the benchmarks whose name contains "tracker".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

if (benches.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ')}; have: ${readdirSync(here).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, [tsxCli, path.join(here, bench)], { stdio: 'inherit', timeout: 15 * 60_000 });
  if (result.status !== 0) {
    failed++;
    console.error(`${bench} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
