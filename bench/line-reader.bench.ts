/**
 * Line reading: wirelab's `Connection.lines()` against Node's own `readline`
 * (readline.createInterface over the socket), on the same bytes over loopback.
 *
 *   npx tsx bench/line-reader.bench.ts            (about 30 s)
 *   LINE_BENCH_MB=16 LINE_BENCH_ROUNDS=3 npx tsx bench/line-reader.bench.ts
 *
 * A plain node:net server sends the same pre-built buffer (lines of mixed
 * lengths, CRLF) to every connection; each round reads it once with each
 * reader, alternating who goes first. Reported: the median lines per second of
 * each, and the ratio ours/readline (above 1.0 means ours is faster). Also the
 * pure decoder (LineDecoder.push over 64 KiB chunks, no socket).
 */
import net from 'node:net';
import readline from 'node:readline';
import { connectTcp } from '../lib/tcp/connect.ts';
import { LineDecoder } from '../lib/framing/line-decoder.ts';

const MEGABYTES = Number(process.env.LINE_BENCH_MB ?? 64);
const ROUNDS = Number(process.env.LINE_BENCH_ROUNDS ?? 5);

/** Lines of mixed lengths: mostly short commands, some headers, a few long ones. Deterministic. */
function buildData(bytes: number): { data: Buffer; lines: number } {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;<>@-';
  const parts: Buffer[] = [];
  let size = 0;
  let lines = 0;
  while (size < bytes) {
    const roll = random();
    const length = roll < 0.6 ? Math.floor(random() * 40) : roll < 0.95 ? 40 + Math.floor(random() * 160) : 200 + Math.floor(random() * 2000);
    let line = '';
    for (let i = 0; i < length; i++) line += alphabet[Math.floor(random() * alphabet.length)];
    const encoded = Buffer.from(`${line}\r\n`, 'latin1');
    parts.push(encoded);
    size += encoded.length;
    lines++;
  }
  return { data: Buffer.concat(parts), lines };
}

async function startSender(data: Buffer): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

type Reader = (port: number) => Promise<number>;

const readers: Record<string, Reader> = {
  /** wirelab, the way the exercises read lines. */
  'wirelab lines()': async (port) => {
    const conn = await connectTcp({ port, maxLineBytes: 1 << 16 });
    let count = 0;
    for await (const line of conn.lines()) if (line.length >= 0) count++;
    return count;
  },
  /** wirelab, one awaited readLine() per line. */
  'wirelab readLine()': async (port) => {
    const conn = await connectTcp({ port, maxLineBytes: 1 << 16 });
    let count = 0;
    while ((await conn.readLine()) !== null) count++;
    return count;
  },
  /** readline, the same idiom (async iteration). */
  'readline for-await': async (port) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const rl = readline.createInterface({ input: socket, crlfDelay: Infinity });
    let count = 0;
    for await (const line of rl) if (line.length >= 0) count++;
    return count;
  },
  /** readline's fastest form: synchronous 'line' events. */
  "readline on('line')": (port) =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.on('error', reject);
      const rl = readline.createInterface({ input: socket, crlfDelay: Infinity });
      let count = 0;
      rl.on('line', (line) => {
        if (line.length >= 0) count++;
      });
      rl.on('close', () => resolve(count));
    }),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const format = (linesPerSecond: number): string => `${(linesPerSecond / 1e6).toFixed(2)} M lines/s`;

const { data, lines } = buildData(MEGABYTES * 1024 * 1024);
console.log(`data: ${(data.length / 1048576).toFixed(1)} MiB, ${lines} lines (CRLF, 0–2200 bytes), ${ROUNDS} rounds, loopback`);

const sender = await startSender(data);
const names = Object.keys(readers);
const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
// One warm-up pass each, so the JIT is not what we measure.
for (const name of names) await readers[name]!(sender.port);
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? names : [...names].reverse();
  for (const name of order) {
    const started = performance.now();
    const count = await readers[name]!(sender.port);
    const seconds = (performance.now() - started) / 1000;
    if (count !== lines) throw new Error(`${name} read ${count} lines, expected ${lines}`);
    rates[name]!.push(count / seconds);
  }
}
await sender.close();

console.log('\nover a socket (median of rounds):');
for (const name of names) console.log(`  ${name.padEnd(22)} ${format(median(rates[name]!))}`);
const ours = median(rates['wirelab lines()']!);
const rlIter = median(rates['readline for-await']!);
const rlEvents = median(rates["readline on('line')"]!);
const oursReadLine = median(rates['wirelab readLine()']!);
console.log(`\n  ratio ours/readline (same idiom, for-await):  ${(ours / rlIter).toFixed(2)}x`);
console.log(`  ratio ours readLine() loop / readline for-await: ${(oursReadLine / rlIter).toFixed(2)}x`);
console.log(`  ratio ours/readline (its fastest, 'line' events): ${(ours / rlEvents).toFixed(2)}x`);

// The decoder alone: no socket, no promises.
const decoderRates: number[] = [];
const CHUNK = 64 * 1024;
for (let round = 0; round < ROUNDS; round++) {
  const decoder = new LineDecoder({ lineEnding: 'crlf', maxLineBytes: 1 << 16 });
  const started = performance.now();
  let count = 0;
  for (let at = 0; at < data.length; at += CHUNK) count += decoder.push(data.subarray(at, at + CHUNK)).length;
  const seconds = (performance.now() - started) / 1000;
  if (count !== lines) throw new Error(`LineDecoder found ${count} lines, expected ${lines}`);
  decoderRates.push(count / seconds);
}
console.log(`\npure LineDecoder (64 KiB chunks, Buffers, no socket): ${format(median(decoderRates))}`);
