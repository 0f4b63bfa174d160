/**
 * SMTP server throughput: the reference server of exercise 05 against
 * `smtp-server` from npm (the server nodemailer's author wrote), under the
 * same load, in one run.
 *
 * Fair by construction:
 *   - each server runs alone in its own child process; the load generator is
 *     the parent, a lean raw-socket client, the same code for both;
 *   - both do the same work per message: accept only recipients at the local
 *     domain (550 otherwise), collect the whole message in memory, build a
 *     Received: header, then hand it to the same sink before answering 250.
 *     smtp-server runs with AUTH and STARTTLS disabled and no logging.
 *
 * Two sinks, each run for both servers:
 *   protocol  the message is dropped once complete: measures SMTP handling
 *             (parsing, state machine, DATA decoding, replies) only;
 *   maildir   the SAME function stores it (deliverToMaildirs: tmp/ → fsync →
 *             rename into new/ → fsync new/), on tmpfs (/dev/shm) unless
 *             `--disk` puts it in os.tmpdir(): then the fsync latency of the
 *             disk, identical for both, dominates.
 *
 * Loads: one persistent connection sending many small messages, pipelined
 * (see `client`), measured twice (as the OS places the processes, and with
 * both pinned to one core: see LOADS), and 50 concurrent connections doing
 * the same. Prints messages/second and ours/smtp-server.
 *
 *   npx tsx bench/smtp.bench.ts [--disk]
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORES, cpuOfChild, forkServer, place, setAffinity, type Placement } from './processes.ts';

const DOMAIN = 'bench.test';
const RECIPIENT = `bob@${DOMAIN}`;
const MESSAGE = Buffer.from(
  ['From: alice@a.test', `To: ${RECIPIENT}`, 'Subject: benchmark', 'Message-ID: <x@a.test>', '', ...Array.from({ length: 8 }, (_, i) => `line ${i} of a small message, about seventy characters long, like mail`), ''].join('\r\n'),
);
type Kind = 'wirelab' | 'smtp-server' | 'null-server';
type Sink = 'protocol' | 'maildir';

// ---- child: run one server ---------------------------------------------------

async function serve(kind: Kind, sink: Sink, maildir: string): Promise<void> {
  const { deliverToMaildirs } = await import('../solutions/05-smtp-server/maildir.ts');
  const { receivedHeader } = await import('../solutions/05-smtp-server/received-header.ts');
  const store = (mailboxes: readonly string[], parts: readonly Uint8Array[]): Promise<unknown> =>
    sink === 'maildir' ? deliverToMaildirs(maildir, mailboxes, parts) : Promise.resolve();
  let port: number;
  if (kind === 'null-server') port = await serveNull();
  else if (kind === 'wirelab') {
    const { startSmtpServer } = await import('../solutions/05-smtp-server/smtp-server.ts');
    const server = await startSmtpServer({
      maildir,
      domains: [DOMAIN],
      hostname: 'mx.bench.test',
      deliver: async (m) => void (await store(m.mailboxes, m.parts)),
    });
    port = server.port;
  } else {
    const { SMTPServer } = await import('smtp-server');
    let count = 0;
    const server = new SMTPServer({
      name: 'mx.bench.test',
      disabledCommands: ['AUTH', 'STARTTLS'],
      hideSTARTTLS: true,
      authOptional: true,
      logger: false,
      size: 10 * 1024 * 1024,
      onRcptTo(address, _session, callback) {
        const at = address.address.lastIndexOf('@');
        const local = address.address.slice(at + 1).toLowerCase() === DOMAIN;
        callback(local ? null : Object.assign(new Error('relaying denied'), { responseCode: 550 }));
      },
      onData(stream, session, callback) {
        const parts: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => parts.push(chunk));
        stream.on('end', () => {
          const header = receivedHeader({
            clientName: session.hostNameAppearsAs,
            clientAddress: session.remoteAddress,
            hostname: 'mx.bench.test',
            extended: true,
            id: String(++count),
            date: new Date(),
          });
          const mailboxes = [...new Set(session.envelope.rcptTo.map((r) => r.address.slice(0, r.address.lastIndexOf('@')).toLowerCase()))];
          store(mailboxes, [Buffer.from(header, 'latin1'), ...parts]).then(
            () => callback(null, 'OK'),
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as { port: number }).port;
  }
  process.send!({ port });
  // If the load generator dies, do not linger (an orphan keeps the terminal's pipe open).
  process.on('disconnect', () => process.exit(0));
  // The parent asks for our CPU time before and after each load.
  process.on('message', () => process.send!({ cpu: process.cpuUsage() }));
}

/**
 * The ceiling: a server that does no SMTP work at all. It only counts lines
 * to know how many canned replies to send (one per command, one per
 * end-of-data line), and sends those of one read in one write, like wirelab.
 * What the load reaches against it is what this machine's sockets, wake-ups
 * and load client allow; no real server can beat it.
 */
async function serveNull(): Promise<number> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.write('220 null ready\r\n');
    let inData = false;
    let partial = '';
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      const lines = (partial + text).split('\r\n');
      partial = lines.pop()!;
      let replies = '';
      for (const line of lines) {
        if (inData) {
          if (line === '.') (inData = false), (replies += '250 OK\r\n');
        } else if (line === 'DATA') (inData = true), (replies += '354 go ahead\r\n');
        else replies += line === 'QUIT' ? '221 bye\r\n' : '250 OK\r\n';
      }
      if (replies !== '') socket.write(replies);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

// ---- parent: the load generator ------------------------------------------------

/**
 * A deliberately lean SMTP client on a raw socket (no line objects, no
 * promises per line), so the load generator costs little next to the server
 * it measures. It only counts reply lines: a reply ends with a line whose
 * fourth character is a space.
 */
class LoadClient {
  private pending = '';
  private waiting: { count: number; codes: string[]; resolve: (codes: string[]) => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', (e) => this.waiting?.reject(e));
    socket.on('close', () => this.waiting?.reject(new Error('server closed the connection')));
  }

  static connect(port: number): Promise<LoadClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new LoadClient(socket)));
      socket.once('error', reject);
    });
  }

  private onData(text: string): void {
    this.pending += text;
    let end: number;
    while (this.waiting && (end = this.pending.indexOf('\r\n')) !== -1) {
      const line = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      if (line[3] === '-') continue;
      const w = this.waiting;
      w.codes.push(line.slice(0, 3));
      if (w.codes.length === w.count) {
        this.waiting = undefined;
        w.resolve(w.codes);
      }
    }
  }

  /** Writes `data` and resolves with the codes of the next `count` replies; rejects on any code but `expected`. */
  async exchange(data: string | Buffer | undefined, expected: string[]): Promise<void> {
    const codes = await new Promise<string[]>((resolve, reject) => {
      this.waiting = { count: expected.length, codes: [], resolve, reject };
      if (data !== undefined) this.socket.write(data);
      this.onData('');
    });
    if (codes.join() !== expected.join()) throw new Error(`expected ${expected.join()}, got ${codes.join()}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * One client: EHLO, then `count` messages, then QUIT, pipelined as RFC 2920
 * allows: MAIL, RCPT and DATA in one write; after the 354, the message, its
 * end-of-data line and the next MAIL/RCPT/DATA (or QUIT) in one write. One
 * round trip per message, so the servers' own work shows, not the wake-ups.
 */
async function client(port: number, count: number): Promise<void> {
  const c = await LoadClient.connect(port);
  const envelope = `MAIL FROM:<alice@a.test>\r\nRCPT TO:<${RECIPIENT}>\r\nDATA\r\n`;
  const data = Buffer.concat([MESSAGE, Buffer.from('.\r\n')]);
  const dataThenNext = Buffer.concat([data, Buffer.from(envelope)]);
  const dataThenQuit = Buffer.concat([data, Buffer.from('QUIT\r\n')]);
  await c.exchange(undefined, ['220']);
  await c.exchange('EHLO load.test\r\n', ['250']);
  await c.exchange(envelope, ['250', '250', '354']);
  for (let i = 1; i < count; i++) await c.exchange(dataThenNext, ['250', '250', '250', '354']);
  await c.exchange(dataThenQuit, ['250', '221']);
  c.close();
}

/** What one load gave: messages per second, and server CPU microseconds per message. */
interface Measured {
  rate: number;
  cpuPerMessage: number;
}

/** Runs `connections` clients sending `perConnection` messages each. */
async function measure(child: ChildProcess, port: number, connections: number, perConnection: number): Promise<Measured> {
  const cpuBefore = await cpuOfChild(child);
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => client(port, perConnection)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await cpuOfChild(child)) - cpuBefore;
  const messages = connections * perConnection;
  return { rate: messages / seconds, cpuPerMessage: cpu / messages };
}

function startChild(kind: Kind, sink: Sink, maildir: string): Promise<{ child: ChildProcess; port: number }> {
  return forkServer(fileURLToPath(import.meta.url), ['--serve', kind, sink, maildir]);
}

interface Load {
  readonly name: string;
  readonly connections: number;
  readonly perConnection: number;
  readonly placement: Placement;
}

const LOADS: readonly Load[] = [
  { name: '1 connection, one core, 6000 messages', connections: 1, perConnection: 6000, placement: 'one core' },
  { name: '1 connection, two cores, 6000 messages', connections: 1, perConnection: 6000, placement: 'two cores' },
  { name: '50 connections, two cores, 200 msgs each', connections: 50, perConnection: 200, placement: 'two cores' },
];

/** Rounds per measurement; the best of them counts (other processes on the machine only ever slow a run down). */
const ROUNDS = 3;

async function main(): Promise<void> {
  const onDisk = process.argv.includes('--disk');
  const base = !onDisk && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const version = (await import('smtp-server/package.json', { with: { type: 'json' } })).default.version;
  console.log(`SMTP server benchmark: wirelab reference (solutions/05-smtp-server) vs smtp-server ${version}`);
  console.log(`each message ${MESSAGE.length} octets; maildir sink under ${base} (fsync before 250); best of ${ROUNDS} rounds, servers taking turns`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${CORES} cores`);
  const pinning = (await setAffinity(process.pid, `0-${CORES - 1}`)) && CORES > 1;
  console.log(
    pinning
      ? `placement (taskset): "one core" = client and server on core ${CORES - 1}; "two cores" = client on core 0, server on core ${CORES - 1}\n`
      : 'placement: taskset is missing (or one core only), so every load runs wherever the OS puts it\n',
  );
  const kinds = ['wirelab', 'smtp-server'] as const;
  const kindsOf = (sink: Sink): readonly Kind[] => (sink === 'protocol' ? [...kinds, 'null-server'] : kinds);
  const results = new Map<string, Partial<Record<Kind, Measured>>>();
  for (const sink of ['protocol', 'maildir'] as const) {
    const servers = new Map<Kind, { child: ChildProcess; port: number; maildir: string }>();
    try {
      for (const kind of kindsOf(sink)) {
        const maildir = await mkdtemp(path.join(base, `wirelab-bench-${kind}-`));
        servers.set(kind, { ...(await startChild(kind, sink, maildir)), maildir });
        const { child, port } = servers.get(kind)!;
        await measure(child, port, 1, 2000); // warm-up: JIT, mailbox folder
        await measure(child, port, 50, 40);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const load of LOADS) {
          for (const kind of kindsOf(sink)) {
            const { child, port } = servers.get(kind)!;
            if (pinning) await place(child.pid!, load.placement);
            const m = await measure(child, port, load.connections, load.perConnection);
            const key = `${sink.padEnd(8)} ${load.name}`;
            const best = results.get(key)?.[kind];
            results.set(key, {
              ...results.get(key),
              [kind]: { rate: Math.max(m.rate, best?.rate ?? 0), cpuPerMessage: Math.min(m.cpuPerMessage, best?.cpuPerMessage ?? Infinity) },
            });
          }
        }
      }
    } finally {
      for (const { child, maildir } of servers.values()) {
        child.kill('SIGTERM');
        await rm(maildir, { recursive: true, force: true });
      }
    }
  }
  for (const [key, r] of results) {
    for (const kind of kindsOf(key.startsWith('protocol') ? 'protocol' : 'maildir')) {
      const m = r[kind]!;
      console.log(`  ${key.padEnd(50)} ${kind.padEnd(11)} ${m.rate.toFixed(0).padStart(7)} messages/s  ${m.cpuPerMessage.toFixed(0).padStart(5)} µs server CPU/message`);
    }
  }
  console.log('\nours/smtp-server: messages/s ratio (higher is better for wirelab), and server CPU per message ratio (theirs/ours):');
  for (const [key, r] of results) {
    const ours = r.wirelab!;
    const theirs = r['smtp-server']!;
    console.log(
      `  ${key.padEnd(50)} ${ours.rate.toFixed(0).padStart(6)} vs ${theirs.rate.toFixed(0).padStart(6)} msg/s: ${(ours.rate / theirs.rate).toFixed(2)}x` +
        `   CPU ${ours.cpuPerMessage.toFixed(0).padStart(4)} vs ${theirs.cpuPerMessage.toFixed(0).padStart(4)} µs/msg: ${(theirs.cpuPerMessage / ours.cpuPerMessage).toFixed(2)}x`,
    );
  }
  console.log('\nceiling: null-server (canned replies, no SMTP work) / smtp-server, the best ratio any server could show on this machine:');
  for (const [key, r] of results) {
    const ceiling = r['null-server'];
    if (ceiling === undefined) continue;
    const ours = r.wirelab!;
    console.log(
      `  ${key.padEnd(50)} ${(ceiling.rate / r['smtp-server']!.rate).toFixed(2)}x   (wirelab reaches ${((100 * ours.rate) / ceiling.rate).toFixed(0)}% of the ceiling)`,
    );
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as Kind, process.argv[4] as Sink, process.argv[5]!);
else await main();
