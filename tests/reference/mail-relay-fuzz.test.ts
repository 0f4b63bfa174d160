/**
 * Reliability of the reference mail relay (exercise 07) under a flaky
 * network: receivers (npm smtp-server) that answer 4xx and 5xx at random
 * (seeded, so a failure replays), many messages to several domains, and a
 * restart of the relay in the middle. Whatever happens, each recipient of
 * each message ends up with exactly one outcome: delivered once, or named in
 * exactly one bounce to the sender. Nothing lost, nothing twice.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createServer, connect, type Socket } from 'node:net';
import { SeededRandom } from '../../lib/index.ts';
import { startMailServer, type MailServer, type MailServerOptions } from '@impl/07-mail-relay/mail-server.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { reply, startRecorder, type Recorder, type RecorderOptions } from '../helpers/relay-recorder.ts';
import { crlf, eventually, header, mailboxFiles, makeSpool, removeSpool, sleep, splitReceived, submit, type Login } from '../helpers/relay-world.ts';

const ALICE: Login = { user: 'alice', pass: 'wonderland' };
const USERS_A: ReadonlyMap<string, string> = new Map([['alice', 'wonderland'], ['carol', 'c4rol']]);

const spools: string[] = [];
afterEach(async () => {
  await Promise.allSettled(spools.splice(0).map(removeSpool));
});
const track = closeAfterEach();

async function spool(): Promise<string> {
  const dir = await makeSpool();
  spools.push(dir);
  return dir;
}

const at = (port: number) => ({ host: '127.0.0.1', port });

/** Server A (a.test) under test, closed after the test (closing twice is harmless). */
async function serverA(options: Partial<MailServerOptions> & Pick<MailServerOptions, 'spool'>): Promise<MailServer> {
  const server = await startMailServer({
    domains: ['a.test'], users: USERS_A, hostname: 'mx.a.test', retryInitialMs: 50, retryMaxMs: 200, giveUpAfterMs: 60_000, ...options,
  });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close());
  track({ close });
  return { host: server.host, smtpPort: server.smtpPort, pop3Port: server.pop3Port, queued: () => server.queued(), close };
}

async function recorder(options: RecorderOptions = {}): Promise<Recorder> {
  return track(await startRecorder(options));
}

/** What became of each (message, recipient): how often delivered, how often named in a bounce. */
interface Outcomes {
  delivered: Map<string, number>;
  bounced: Map<string, number>;
}

const key = (subject: string, recipient: string) => `${subject} → ${recipient.toLowerCase()}`;
const bump = (map: Map<string, number>, k: string) => map.set(k, (map.get(k) ?? 0) + 1);

/** Counts deliveries at the recorders and in carol's Maildir, and bounces in alice's. */
async function outcomes(recorders: readonly Recorder[], spoolA: string): Promise<Outcomes> {
  const delivered = new Map<string, number>();
  const bounced = new Map<string, number>();
  for (const mx of recorders) {
    for (const t of mx.accepted()) {
      const subject = header(splitReceived(t.data!).rest, 'subject')!;
      for (const to of t.to) bump(delivered, key(subject, to));
    }
  }
  for (const file of await mailboxFiles(spoolA, 'carol')) bump(delivered, key(header(splitReceived(file.bytes).rest, 'subject')!, 'carol@a.test'));
  for (const file of await mailboxFiles(spoolA, 'alice')) {
    const text = file.bytes.toString('latin1');
    expect(header(file.bytes, 'subject'), 'alice gets nothing but bounces').toBe('Undelivered Mail Returned to Sender');
    const original = /^Subject: (m\d+)\r?$/m.exec(text)?.[1];
    expect(original, 'each bounce quotes the original Subject').toBeDefined();
    const failed = [...text.matchAll(/^<([^>]+)>: /gm)].map((m) => m[1]!);
    expect(failed.length, 'each bounce names at least one recipient').toBeGreaterThan(0);
    for (const r of failed) bump(bounced, key(original!, r));
  }
  return { delivered, bounced };
}

describe('mail relay under a flaky network', () => {
  test.each(['mail-relay-fuzz', 'second seed'])('every recipient of every message is delivered exactly once or bounced exactly once, across a restart (seed %s)', async (seed) => {
    const random = new SeededRandom(seed);
    let maintenance = false;
    const flaky: RecorderOptions = {
      mail: () => (maintenance ? reply(451, '4.3.2 maintenance') : random.chance(0.15) ? reply(451, '4.3.0 busy') : undefined),
      rcpt: (to) => (to.startsWith('gone') ? reply(550, '5.1.1 gone for good') : random.chance(0.15) ? reply(450, '4.2.1 mailbox busy') : undefined),
      data: () => (random.chance(0.1) ? reply(451, '4.3.0 disk full, try later') : random.chance(0.04) ? reply(554, '5.6.0 rejected by content filter') : undefined),
      dataReplyDelayMs: 30, // slow to confirm: the restart below interrupts transactions after their DATA
    };
    const mxB = await recorder(flaky);
    const mxC = await recorder(flaky); // c.test and d.test share this server
    const routes = new Map([['b.test', at(mxB.port)], ['c.test', at(mxC.port)], ['d.test', at(mxC.port)]]);
    const spoolA = await spool();
    let a = await serverA({ spool: spoolA, routes });

    const pool = ['bob@b.test', 'dave@b.test', 'gone1@b.test', 'erin@c.test', 'gone2@c.test', 'fay@d.test', 'carol@a.test'];
    const messages = Array.from({ length: 40 }, (_, i) => {
      const to = [...new Set(Array.from({ length: random.int(1, 4) }, () => pool[random.int(0, pool.length - 1)]!))];
      return { subject: `m${i}`, to };
    });
    const send = (m: (typeof messages)[number]) =>
      submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: m.to }, crlf('From: alice@a.test', `To: ${m.to.join(', ')}`, `Subject: ${m.subject}`, '', `body of ${m.subject}`));
    for (let i = 0; i < 20; i += 5) await Promise.all(messages.slice(i, i + 5).map(send));

    // Restart in the middle, with transactions in flight. The receivers refuse
    // new ones for a moment, so the queue is sure to hold mail when A stops.
    await sleep(50);
    maintenance = true;
    expect(await a.queued(), 'the restart finds messages in the queue').toBeGreaterThan(0);
    await a.close();
    a = await serverA({ spool: spoolA, routes });
    maintenance = false;
    for (let i = 20; i < 40; i += 5) await Promise.all(messages.slice(i, i + 5).map(send));

    await eventually(async () => (await a.queued()) === 0, 15_000, 'every message delivered or bounced', 50);
    await sleep(300);
    const { delivered, bounced } = await outcomes([mxB, mxC], spoolA);
    const problems: string[] = [];
    for (const m of messages) {
      for (const to of m.to) {
        const k = key(m.subject, to);
        const d = delivered.get(k) ?? 0;
        const b = bounced.get(k) ?? 0;
        if (d + b !== 1) problems.push(`${k}: delivered ${d}, bounced ${b}`);
        if (to.startsWith('gone') && d > 0) problems.push(`${k}: delivered to a 550 recipient`);
        if (to === 'carol@a.test' && d !== 1) problems.push(`${k}: local delivery ${d} times`);
      }
    }
    const known = new Set(messages.flatMap((m) => m.to.map((to) => key(m.subject, to))));
    for (const k of [...delivered.keys(), ...bounced.keys()]) if (!known.has(k)) problems.push(`${k}: never sent`);
    expect(problems.join('\n'), 'each recipient: exactly one outcome').toBe('');
    expect(mxB.transactions.some((t) => t.outcome !== 'accepted'), 'the network really was flaky').toBe(true);
    expect(bounced.size, 'some recipients were bounced').toBeGreaterThan(0);
    expect(delivered.size, 'most were delivered').toBeGreaterThan(bounced.size);
  }, 30_000);

  test('a 554 after DATA bounces every recipient of that transaction, in one bounce, and the others still get the mail', async () => {
    const mxB = await recorder({ data: () => reply(554, '5.6.0 message refused') });
    const mxC = await recorder();
    const spoolA = await spool();
    const a = await serverA({ spool: spoolA, routes: new Map([['b.test', at(mxB.port)], ['c.test', at(mxC.port)]]), retryInitialMs: 60_000 });
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test', 'dave@b.test', 'erin@c.test'] }, crlf('Subject: m1', '', 'refused at b.test'));
    await eventually(async () => (await a.queued()) === 0 && (await mailboxFiles(spoolA, 'alice')).length > 0, 3000, 'the bounce');
    await sleep(200);
    const { delivered, bounced } = await outcomes([mxB, mxC], spoolA);
    expect([...bounced].sort(), 'bob and dave bounced once each (after one attempt: 5xx is final)').toEqual([['m1 → bob@b.test', 1], ['m1 → dave@b.test', 1]]);
    expect([...delivered], 'erin got it').toEqual([['m1 → erin@c.test', 1]]);
    expect(mxB.transactions.length, 'b.test was tried once').toBe(1);
    expect((await mailboxFiles(spoolA, 'alice')).length, 'one bounce for both').toBe(1);
  });

  test('closed while a receiver is slow to answer the end of data, then restarted: the message arrives exactly once', async () => {
    // SMTP cannot tell a DATA whose 250 was lost from one never received, so close() lets a transaction past DATA finish.
    const mx = await recorder({ dataReplyDelayMs: 300 });
    const spoolA = await spool();
    const routes = new Map([['b.test', at(mx.port)]]);
    let a = await serverA({ spool: spoolA, routes });
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, crlf('Subject: m1', '', 'slow 250'));
    await eventually(() => mx.accepted().length === 1, 3000, 'the message at the receiver, its 250 still to come');
    await a.close();
    a = await serverA({ spool: spoolA, routes });
    await eventually(async () => (await a.queued()) === 0, 5000, 'the queue empty after the restart');
    await sleep(300);
    expect(mx.accepted().length, 'delivered once: not lost, and not sent again after the restart').toBe(1);
    expect(await mailboxFiles(spoolA, 'alice'), 'and not bounced').toEqual([]);
  });

  test('a receiver that never greets is a timeout: the message is retried and delivered once it answers', async () => {
    const mx = await recorder();
    // A front that swallows the first two connections silently, then passes connections on to the recorder.
    let seen = 0;
    const silent: Socket[] = [];
    const front = createServer((socket) => {
      seen += 1;
      if (seen <= 2) {
        silent.push(socket);
        socket.on('error', () => {});
        return;
      }
      const upstream = connect(mx.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
    track({ close: () => new Promise<void>((resolve) => { for (const s of silent) s.destroy(); front.close(() => resolve()); }) });
    const address = front.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const spoolA = await spool();
    const a = await serverA({ spool: spoolA, routes: new Map([['b.test', at(address.port)]]), relayTimeoutMs: 200 });
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, crlf('Subject: m1', '', 'slow receiver'));
    await eventually(async () => (await a.queued()) === 0, 5000, 'delivery after two timeouts');
    expect(seen, 'two silent connections, then the one that delivered').toBeGreaterThanOrEqual(3);
    expect(mx.accepted().map((t) => t.to), 'delivered once').toEqual([['bob@b.test']]);
    expect(await mailboxFiles(spoolA, 'alice'), 'a timeout is no reason to bounce').toEqual([]);
  });
});
