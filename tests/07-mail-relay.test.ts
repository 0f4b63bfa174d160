/**
 * Graded tests of exercise 07: a mail server that relays. Server A (a.test)
 * relays to server B (b.test) or to stand-in receivers, with retry times in
 * milliseconds. nodemailer submits with SMTP AUTH, POP3 (a raw client and
 * node-pop3) reads the maildrops, and nodemailer's smtp-server (npm) plays
 * the remote receivers: it records what the relay's SMTP client sends it and
 * refuses on purpose (451, 550) to play a receiver in trouble. Where the
 * relay talks to a receiver that is up from the start, a recording proxy sits
 * in between, so the transcript shows the relay's side of the dialogue.
 */
import { afterEach, describe, expect } from 'vitest';
import { startTcpChunkProxy, type Transcript } from '../lib/index.ts';
import { startMailServer, type MailServer, type MailServerOptions } from '@impl/07-mail-relay/mail-server.ts';
import { nextAttemptAt, retryDelay, shouldGiveUp } from '@impl/07-mail-relay/backoff.ts';
import { enqueue, loadQueue, readQueuedMessage, removeEntry, updateEntry } from '@impl/07-mail-relay/queue.ts';
import { groupByRoute } from '@impl/07-mail-relay/relay.ts';
import { bounceMessage, mayBounce } from '@impl/07-mail-relay/bounce.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { SmtpScript, dotStuff } from './helpers/smtp-session.ts';
import { destroyNodePop3, nodePop3, retrBytes } from './helpers/pop3-node-pop3.ts';
import { reply, startRecorder, type Recorder, type RecorderOptions } from './helpers/relay-recorder.ts';
import {
  compose, crlf, eventually, freePort, header, mailboxFiles, makeSpool, popAll, queueFiles, removeSpool, sleep, splitReceived, submit, type Login,
} from './helpers/relay-world.ts';

const test = graded('07-mail-relay', {
  'the first retry waits retryInitialMs, each later one twice as long, never longer than retryMaxMs': 2,
  'gives up once giveUpAfterMs has passed since the message was queued, and never schedules an attempt past that': 1,
  'the queue keeps each message and its envelope on disk: a queue loaded again from the folder finds them': 2,
  'an updated entry keeps its new schedule across a reload; a removed entry is gone for good': 1,
  'delivers mail for its own domain straight into the Maildir before saying 250, and queues nothing': 2,
  'relays mail for another domain to its server, where bob reads it over POP3 byte-exact (8-bit too) below the Received: headers': 3,
  'a real SMTP server sees MAIL FROM:<alice@a.test> and one transaction per destination host carrying all its recipients': 3,
  'relays twenty messages to two domains, each delivered exactly once': 2,
  'groups the recipients by the server their domain routes to; a domain without a route is apart (pure)': 1,
  'keeps mail for a receiver that is down in the queue, and delivers it once the receiver is up': 3,
  'a 4xx reply is temporary: the relay tries again later and delivers exactly once': 2,
  'waits longer and longer between tries: the delays double': 2,
  'bounces a recipient refused with 5xx at once to the sender, from MAILER-DAEMON, naming the address and the reply; the others get the mail': 4,
  'a bounce goes out with the null reverse-path: a real SMTP server sees MAIL FROM:<> and the original sender as recipient': 2,
  'gives up after giveUpAfterMs and bounces to the sender': 2,
  'never bounces a bounce: a message from <> that cannot be delivered is dropped': 2,
  'bounces mail for a domain it has no route to': 1,
  'a bounce quotes each failed recipient with its reason and the original headers, and a bounce is never bounced (pure)': 1,
  'is no open relay: without AUTH a RCPT to another domain gets 550, and a wrong password gets 535': 3,
  'nodemailer relays with AUTH PLAIN and AUTH LOGIN, and node-pop3 reads the mail at the other end byte-exact': 3,
  'restarted on the same spool with mail in its queue, it still delivers that mail, exactly once': 3,
  'says 250 only once the message is on disk: closed right after the 250 and started again, it loses nothing': 3,
});

const ALICE: Login = { user: 'alice', pass: 'wonderland' };
const CAROL: Login = { user: 'carol', pass: 'c4rol' };
const BOB: Login = { user: 'bob', pass: 'secret' };
const USERS_A: ReadonlyMap<string, string> = new Map([[ALICE.user, ALICE.pass], [CAROL.user, CAROL.pass]]);
const USERS_B: ReadonlyMap<string, string> = new Map([[BOB.user, BOB.pass], ['dave', 'd4ve']]);
const BOUNCE_SUBJECT = 'Undelivered Mail Returned to Sender';

// Registered before closeAfterEach: vitest runs after-hooks newest first, so
// the servers are closed before their spools are removed.
const spools: string[] = [];
afterEach(async () => {
  await Promise.allSettled(spools.splice(0).map(removeSpool));
});
const track = closeAfterEach();

/** A fresh spool folder, removed after the test. */
async function spool(): Promise<string> {
  const dir = await makeSpool();
  spools.push(dir);
  return dir;
}

/** A route to 127.0.0.1:port. */
const at = (port: number) => ({ host: '127.0.0.1', port });

/**
 * Starts a mail server under test (closed after the test; closing it again
 * is harmless). Retries come fast: the first after 100 ms, never more than
 * 400 ms apart.
 */
async function mailServer(options: Partial<MailServerOptions> & Pick<MailServerOptions, 'spool' | 'domains' | 'users'>): Promise<MailServer> {
  const server = await startMailServer({
    hostname: `mx.${options.domains[0]}`,
    retryInitialMs: 100,
    retryMaxMs: 400,
    giveUpAfterMs: 60_000,
    ...options,
  });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close());
  track({ close });
  return { host: server.host, smtpPort: server.smtpPort, pop3Port: server.pop3Port, queued: () => server.queued(), close };
}

/** Server A (a.test: alice, carol) on a fresh spool, unless one is given. */
async function serverA(routes: ReadonlyMap<string, { host: string; port: number }>, options: Partial<MailServerOptions> = {}): Promise<{ a: MailServer; spoolA: string }> {
  const spoolA = options.spool ?? (await spool());
  return { a: await mailServer({ spool: spoolA, domains: ['a.test'], users: USERS_A, routes, ...options }), spoolA };
}

/** Server B (b.test: bob, dave) on a fresh spool; it has no routes (it only receives here). */
async function serverB(options: Partial<MailServerOptions> = {}): Promise<{ b: MailServer; spoolB: string }> {
  const spoolB = options.spool ?? (await spool());
  return { b: await mailServer({ spool: spoolB, domains: ['b.test'], users: USERS_B, ...options }), spoolB };
}

/** A recording receiver (npm smtp-server), closed after the test. */
async function recorder(options: RecorderOptions = {}): Promise<Recorder> {
  return track(await startRecorder(options));
}

/** A proxy in front of `port` that records the relay's dialogue into the transcript; returns the route to it. */
async function recorded(port: number, transcript: Transcript): Promise<{ host: string; port: number }> {
  const proxy = track(await startTcpChunkProxy({ target: at(port), transcript }));
  return at(proxy.port);
}

/** Waits until `server.queued()` is `count`; fails (marking the transcript) after `timeoutMs`. */
async function queuedBecomes(server: MailServer, count: number, timeoutMs: number, transcript: Transcript, why: string): Promise<void> {
  let last = -1;
  try {
    await eventually(async () => (last = await server.queued()) === count, timeoutMs, why);
  } catch {
    transcript.expect(`expected queued() to be ${count} within ${timeoutMs} ms: ${why} (it stayed ${last})`);
    expect(last, `queued() within ${timeoutMs} ms: ${why}`).toBe(count);
  }
}

/** Waits for `count` messages in `<spool>/mailboxes/<user>`; returns them. */
async function mailArrives(spoolDir: string, user: string, count: number, timeoutMs: number, transcript: Transcript, why: string) {
  let files = await mailboxFiles(spoolDir, user);
  try {
    await eventually(async () => (files = await mailboxFiles(spoolDir, user)).length >= count, timeoutMs, why);
  } catch {
    transcript.expect(`expected ${count} message(s) in ${user}'s Maildir within ${timeoutMs} ms: ${why}`);
  }
  expect(files.length, `${user}'s Maildir within ${timeoutMs} ms: ${why}`).toBe(count);
  return files;
}

/** A message as a mail client builds it, with traps: a base64 attachment and lines that start with a dot. */
function richMessage(subject: string, to: string): Promise<Buffer> {
  return compose({
    from: 'alice@a.test', to, subject, text: `.starts with a dot\n..two dots\n.\nend of ${subject}`,
    attachments: [{ filename: 'data.bin', content: Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7) % 256)) }],
  });
}

/** A message with raw 8-bit bytes in its body (8BITMIME): they must pass every hop untouched. */
function eightBitMessage(subject: string, to: string): Buffer {
  return Buffer.concat([
    crlf('From: alice@a.test', `To: ${to}`, `Subject: ${subject}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', ''),
    Buffer.from('Grüße, café, ☃\r\n.ünïcode after a dot\r\n', 'utf8'),
    Buffer.from([0x80, 0xfe, 0xff, 0x0d, 0x0a]),
  ]);
}

/** A short plain message. */
function plainMessage(subject: string, to: string, from = 'alice@a.test'): Buffer {
  return crlf(`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Message-ID: <${subject.replace(/\W+/g, '-')}.${Date.now()}@a.test>`, '', `This is ${subject}.`, '.a line with a dot', 'Bye.');
}

/** Checks that `stored` is `sent` with only Received: header fields added on top. */
function expectSameBelowReceived(stored: Buffer, sent: Buffer, what: string, transcript: Transcript): void {
  const { rest } = splitReceived(stored);
  if (!rest.equals(sent)) transcript.expect(`expected ${what} byte for byte as sent (only Received: header fields may be added on top)`);
  expect(rest.toString('latin1'), `${what}: byte-exact below the Received: headers`).toBe(sent.toString('latin1'));
}

/** Checks a bounce: from MAILER-DAEMON, the subject, and the body naming each address and a piece of its reason. */
function expectBounce(bounce: Buffer, names: readonly { address: string; reason?: RegExp }[], transcript: Transcript): void {
  const text = bounce.toString('latin1');
  const subject = header(bounce, 'subject');
  const from = header(bounce, 'from');
  if (subject !== BOUNCE_SUBJECT || !/MAILER-DAEMON@/i.test(from ?? '')) transcript.expect(`expected a bounce: From: MAILER-DAEMON@<hostname>, Subject: ${BOUNCE_SUBJECT}`);
  expect(subject, 'the bounce has the usual subject').toBe(BOUNCE_SUBJECT);
  expect(from, 'the bounce comes from MAILER-DAEMON@<hostname>').toMatch(/MAILER-DAEMON@/i);
  const body = text.slice(text.search(/\r?\n\r?\n/));
  for (const { address, reason } of names) {
    expect(body, `the bounce names the failed recipient ${address}`).toContain(address);
    if (reason) expect(body, `the bounce quotes why ${address} failed`).toMatch(reason);
  }
}

describe('step 1: the retry schedule and the queue', () => {
  test('the first retry waits retryInitialMs, each later one twice as long, never longer than retryMaxMs', () => {
    const schedule = { initialMs: 100, maxMs: 1000 };
    const delays = [1, 2, 3, 4, 5, 6].map((attempts) => retryDelay(attempts, schedule));
    expect(delays, 'after 1, 2, 3, … failed attempts: 100, 200, 400, 800, then the ceiling').toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(retryDelay(2000, schedule), 'however many attempts failed, the wait stays at the ceiling (no overflow)').toBe(1000);
    expect(retryDelay(3, { initialMs: 60_000, maxMs: 3_600_000 }), 'a real schedule: 1, 2, 4 minutes…').toBe(240_000);
  });

  test('gives up once giveUpAfterMs has passed since the message was queued, and never schedules an attempt past that', () => {
    const queuedAt = 1_000_000;
    expect(shouldGiveUp(queuedAt, queuedAt + 499, 500), 'not before giveUpAfterMs').toBe(false);
    expect(shouldGiveUp(queuedAt, queuedAt + 500, 500), 'once giveUpAfterMs has passed').toBe(true);
    expect(shouldGiveUp(queuedAt, queuedAt + 10_000, 500)).toBe(true);
    const schedule = { initialMs: 100, maxMs: 1000, giveUpAfterMs: 10_000 };
    expect(nextAttemptAt(1, queuedAt, queuedAt, schedule), 'after the first failure: now + retryInitialMs').toBe(queuedAt + 100);
    expect(nextAttemptAt(3, queuedAt + 700, queuedAt, schedule), 'after the third: now + 4 × retryInitialMs').toBe(queuedAt + 1100);
    expect(nextAttemptAt(12, queuedAt + 9500, queuedAt, schedule), 'the last attempt comes at the give-up time, not later').toBe(queuedAt + 10_000);
  });

  test('the queue keeps each message and its envelope on disk: a queue loaded again from the folder finds them', async () => {
    const dir = `${await spool()}/queue`;
    const now = 1_700_000_000_000;
    const first = await enqueue(dir, { from: 'alice@a.test', recipients: ['bob@b.test', 'dave@b.test'] }, [crlf('Subject: one', ''), crlf('body one')], now);
    const bounce = await enqueue(dir, { from: '', recipients: ['zed@x.test'] }, [crlf('Subject: a bounce', '', 'body two')], now + 5);
    expect(first.id, 'every entry gets its own id').not.toBe(bounce.id);
    expect(first, 'a new entry: no attempt yet, the first one due at once').toMatchObject({ from: 'alice@a.test', recipients: ['bob@b.test', 'dave@b.test'], attempts: 0, firstQueuedAt: now, nextAttemptAt: now });
    const loaded = await loadQueue(dir);
    expect(loaded.map((e) => e.id), 'loading the folder again (as after a restart) finds both, oldest first').toEqual([first.id, bounce.id]);
    expect(loaded[0], 'with their envelope').toMatchObject({ from: 'alice@a.test', recipients: ['bob@b.test', 'dave@b.test'], attempts: 0, firstQueuedAt: now });
    expect(loaded[1], "a bounce's null sender survives as ''").toMatchObject({ from: '', recipients: ['zed@x.test'] });
    expect((await readQueuedMessage(dir, first.id)).toString('latin1'), 'and the message, its parts in order').toBe('Subject: one\r\n\r\nbody one\r\n');
  });

  test('an updated entry keeps its new schedule across a reload; a removed entry is gone for good', async () => {
    const dir = `${await spool()}/queue`;
    const now = 1_700_000_000_000;
    const entry = await enqueue(dir, { from: 'alice@a.test', recipients: ['bob@b.test', 'dave@b.test'] }, [crlf('Subject: x', '', 'y')], now);
    const other = await enqueue(dir, { from: 'carol@a.test', recipients: ['erin@c.test'] }, [crlf('Subject: z', '', 'w')], now + 1);
    const later = { ...entry, recipients: ['dave@b.test'], attempts: 2, nextAttemptAt: now + 300, lastReply: { 'dave@b.test': '451 4.3.0 try again later' } };
    await updateEntry(dir, later);
    const [reloaded] = await loadQueue(dir);
    expect(reloaded, 'the reloaded entry has the new recipients, attempts, schedule and last reply').toMatchObject(later);
    await removeEntry(dir, entry.id);
    expect((await loadQueue(dir)).map((e) => e.id), 'a removed entry is not loaded again; the other stays').toEqual([other.id]);
    await removeEntry(dir, entry.id); // removing twice is no error
    await removeEntry(dir, other.id);
    expect(await loadQueue(dir), 'an emptied queue loads empty').toEqual([]);
  });
});

describe('step 2: relaying', () => {
  test('delivers mail for its own domain straight into the Maildir before saying 250, and queues nothing', async ({ transcript }) => {
    const { a, spoolA } = await serverA(new Map());
    const sent = await richMessage('local mail', 'carol@a.test');
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['carol@a.test'] }, sent);
    const files = await mailboxFiles(spoolA, 'carol');
    if (files.length !== 1) transcript.expect('expected the message in <spool>/mailboxes/carol/new/ as soon as the server said 250');
    expect(files.length, "right after the 250, the message is in carol's Maildir").toBe(1);
    expectSameBelowReceived(files[0]!.bytes, sent, "carol's stored copy", transcript);
    expect(await a.queued(), 'local mail never goes through the queue').toBe(0);
    const [read, ...more] = await popAll(a.pop3Port, CAROL, transcript);
    expect(more, 'carol has exactly one message').toEqual([]);
    expectSameBelowReceived(read!, sent, 'the message carol reads over POP3', transcript);
  });

  test('relays mail for another domain to its server, where bob reads it over POP3 byte-exact (8-bit too) below the Received: headers', async ({ transcript }) => {
    const { b, spoolB } = await serverB();
    const { a } = await serverA(new Map([['b.test', await recorded(b.smtpPort, transcript)]]));
    const sent = [await richMessage('relayed mail', 'bob@b.test'), eightBitMessage('8-bit mail', 'bob@b.test')];
    for (const raw of sent) await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, raw);
    await mailArrives(spoolB, 'bob', 2, 4000, transcript, 'A relays both messages to B');
    await queuedBecomes(a, 0, 2000, transcript, "once B took the messages, A's queue is empty");
    const messages = await popAll(b.pop3Port, BOB, transcript);
    expect(messages.length, 'bob finds exactly two messages at B').toBe(2);
    for (const m of messages) expect(splitReceived(m).received.length, 'the relays added Received: header fields on top').toBeGreaterThanOrEqual(1);
    const bySubject = (m: Buffer) => header(m, 'subject') === '8-bit mail';
    const [rich, eightBit] = [messages.find((m) => !bySubject(m))!, messages.find(bySubject)!];
    expectSameBelowReceived(rich, sent[0]!, 'the message with an attachment and dot lines bob reads at B', transcript);
    expectSameBelowReceived(eightBit, sent[1]!, 'the 8-bit message bob reads at B (every byte untouched)', transcript);
  });

  test('a real SMTP server sees MAIL FROM:<alice@a.test> and one transaction per destination host carrying all its recipients', async ({ transcript }) => {
    const mxB = await recorder();
    const mxC = await recorder();
    const { a, spoolA } = await serverA(new Map([['b.test', await recorded(mxB.port, transcript)], ['c.test', at(mxC.port)]]));
    const sent = plainMessage('for four people', 'bob@b.test, dave@b.test, erin@c.test, carol@a.test');
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test', 'erin@C.test', 'dave@b.test', 'carol@a.test'] }, sent);
    await queuedBecomes(a, 0, 4000, transcript, 'both receivers take the message at the first attempt');
    await sleep(250); // a second copy, if any, would come within a retry interval
    if (mxB.transactions.length !== 1) transcript.expect('expected exactly one transaction carrying both b.test recipients');
    expect(mxB.transactions.map((t) => ({ from: t.from, to: [...t.to].sort(), outcome: t.outcome })), 'b.test gets one transaction: MAIL FROM:<alice@a.test>, RCPT bob and dave, DATA')
      .toEqual([{ from: 'alice@a.test', to: ['bob@b.test', 'dave@b.test'], outcome: 'accepted' }]);
    expect(mxC.transactions.map((t) => ({ from: t.from, to: t.to.map((x) => x.toLowerCase()), outcome: t.outcome })), 'c.test (erin@C.test: domains are case-insensitive) gets its own transaction, for erin only')
      .toEqual([{ from: 'alice@a.test', to: ['erin@c.test'], outcome: 'accepted' }]);
    expectSameBelowReceived(mxB.transactions[0]!.data!, sent, 'the message b.test received', transcript);
    expectSameBelowReceived(mxC.transactions[0]!.data!, sent, 'the message c.test received', transcript);
    expect((await mailboxFiles(spoolA, 'carol')).length, 'carol@a.test, a local recipient of the same message, got it in her Maildir').toBe(1);
  });

  test('relays twenty messages to two domains, each delivered exactly once', async ({ transcript }) => {
    const mxB = await recorder();
    const mxC = await recorder();
    const { a } = await serverA(new Map([['b.test', at(mxB.port)], ['c.test', at(mxC.port)]]));
    const subjects = Array.from({ length: 20 }, (_, i) => `message ${i}`);
    await Promise.all(subjects.map((s, i) => submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: [`bob${i % 3}@b.test`, `erin${i % 2}@c.test`] }, plainMessage(s, 'friends'))));
    await queuedBecomes(a, 0, 6000, transcript, 'every message relayed');
    await sleep(250);
    for (const [name, mx] of [['b.test', mxB], ['c.test', mxC]] as const) {
      const got = mx.accepted().map((t) => header(splitReceived(t.data!).rest, 'subject')).sort();
      expect(got, `${name} got each of the 20 messages exactly once`).toEqual([...subjects].sort());
      expect(mx.accepted().every((t) => t.from === 'alice@a.test' && t.to.length === 1), `each transaction to ${name}: from alice, one recipient`).toBe(true);
    }
  }, 12_000);

  test('groups the recipients by the server their domain routes to; a domain without a route is apart (pure)', () => {
    const routes = new Map([['b.test', at(2526)], ['b2.test', at(2526)], ['c.test', at(2527)]]);
    const { groups, unroutable } = groupByRoute(['bob@b.test', 'erin@c.test', 'x@nowhere.test', 'dave@B.TEST', 'fay@B2.test'], routes);
    const simple = groups.map((g) => ({ port: g.route.port, recipients: [...g.recipients].sort() })).sort((x, y) => x.port - y.port);
    expect(simple, 'one group per server (two domains on one server share it; domains are case-insensitive)').toEqual([
      { port: 2526, recipients: ['bob@b.test', 'dave@B.TEST', 'fay@B2.test'] },
      { port: 2527, recipients: ['erin@c.test'] },
    ]);
    expect(unroutable, 'no route: a recipient to bounce').toEqual(['x@nowhere.test']);
  });
});

describe('step 3: the receiver is down', () => {
  test('keeps mail for a receiver that is down in the queue, and delivers it once the receiver is up', async ({ transcript }) => {
    const port = await freePort();
    const { a, spoolA } = await serverA(new Map([['b.test', at(port)]]));
    const sent = plainMessage('waiting for b', 'bob@b.test');
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, sent);
    expect(await a.queued(), 'B is down: the message waits in the queue').toBe(1);
    await sleep(400); // a few failed attempts
    expect(await a.queued(), 'a refused connection is temporary: still queued after several attempts').toBe(1);
    expect(await mailboxFiles(spoolA, 'alice'), 'and no bounce to alice').toEqual([]);
    const { b, spoolB } = await serverB({ smtpPort: port });
    await mailArrives(spoolB, 'bob', 1, 4000, transcript, 'once B is up, the next retry delivers');
    await queuedBecomes(a, 0, 2000, transcript, 'the delivered message leaves the queue');
    const messages = await popAll(b.pop3Port, BOB, transcript);
    expect(messages.length, 'bob reads exactly one copy').toBe(1);
    expectSameBelowReceived(messages[0]!, sent, 'the message bob reads', transcript);
  });

  test('a 4xx reply is temporary: the relay tries again later and delivers exactly once', async ({ transcript }) => {
    const mx = await recorder({ mail: (_from, attempt) => (attempt <= 2 ? reply(451, '4.3.0 Try again later') : undefined) });
    const { a, spoolA } = await serverA(new Map([['b.test', await recorded(mx.port, transcript)]]));
    const sent = plainMessage('after two 451s', 'bob@b.test');
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, sent);
    await queuedBecomes(a, 0, 4000, transcript, 'the third attempt is accepted');
    await sleep(250);
    if (mx.transactions.length !== 3) transcript.expect('expected two attempts answered 451, then a third one that delivers');
    expect(mx.transactions.map((t) => t.outcome), 'two refusals with 451, then the message').toEqual(['refused at MAIL', 'refused at MAIL', 'accepted']);
    expect(mx.transactions[2]!.at - mx.transactions[0]!.at, 'retries wait (100 + 200 ms here), they do not hammer').toBeGreaterThanOrEqual(150);
    expectSameBelowReceived(mx.transactions[2]!.data!, sent, 'the message delivered', transcript);
    expect(await mailboxFiles(spoolA, 'alice'), 'a 4xx is no reason to bounce').toEqual([]);
  });

  test('waits longer and longer between tries: the delays double', async ({ transcript }) => {
    const mx = await recorder({ mail: () => reply(451, '4.3.0 Try again later') });
    const { a, spoolA } = await serverA(new Map([['b.test', at(mx.port)]]), { retryInitialMs: 100, retryMaxMs: 10_000 });
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, plainMessage('refused again and again', 'bob@b.test'));
    try {
      await eventually(() => mx.transactions.length >= 4, 4000, 'four attempts');
    } catch {
      transcript.expect(`expected four attempts within 4 s (at about 0, 100, 300 and 700 ms); saw ${mx.transactions.length}`);
    }
    expect(mx.transactions.length, 'four attempts within 4 s').toBeGreaterThanOrEqual(4);
    const times = mx.transactions.map((t) => t.at);
    const gaps = [times[1]! - times[0]!, times[2]! - times[1]!, times[3]! - times[2]!];
    expect(gaps[0], `the first retry waits about retryInitialMs (gaps: ${gaps.join(', ')} ms)`).toBeGreaterThanOrEqual(60);
    expect(gaps[2], `the third gap is much longer than the first: the delays double (gaps: ${gaps.join(', ')} ms)`).toBeGreaterThan(gaps[0]! * 1.5);
    expect(await a.queued(), 'the message is still queued').toBe(1);
    expect(await mailboxFiles(spoolA, 'alice'), 'and not bounced').toEqual([]);
  });
});

describe('step 4: bounces', () => {
  test('bounces a recipient refused with 5xx at once to the sender, from MAILER-DAEMON, naming the address and the reply; the others get the mail', async ({ transcript }) => {
    const mx = await recorder({ rcpt: (to) => (to.startsWith('nobody@') ? reply(550, '5.1.1 No such user here') : undefined) });
    // Retries come only after a minute: what arrives within the test came at the first attempt.
    const { a, spoolA } = await serverA(new Map([['b.test', await recorded(mx.port, transcript)]]), { retryInitialMs: 60_000, retryMaxMs: 60_000 });
    const sent = plainMessage('to bob and nobody', 'bob@b.test, nobody@b.test');
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test', 'nobody@b.test'] }, sent);
    await mailArrives(spoolA, 'alice', 1, 3000, transcript, 'a 5xx is final: the bounce comes at once, not after a retry');
    await queuedBecomes(a, 0, 2000, transcript, 'nothing is left to retry');
    expect(mx.accepted().map((t) => t.to), 'bob@b.test got the message in the same transaction').toEqual([['bob@b.test']]);
    const [bounce, ...more] = await popAll(a.pop3Port, ALICE, transcript);
    expect(more, 'alice gets one bounce').toEqual([]);
    expectBounce(bounce!, [{ address: 'nobody@b.test', reason: /550/ }], transcript);
    expect(bounce!.toString('latin1'), "the bounce quotes the original message's headers").toContain('Subject: to bob and nobody');
  });

  test('a bounce goes out with the null reverse-path: a real SMTP server sees MAIL FROM:<> and the original sender as recipient', async ({ transcript }) => {
    const mxB = await recorder({ rcpt: () => reply(550, '5.1.1 No such user here') });
    const mxX = await recorder();
    const { a } = await serverA(new Map([['b.test', at(mxB.port)], ['x.test', await recorded(mxX.port, transcript)]]));
    // alice sends for zed@x.test (a remote sender), so the bounce must travel back over SMTP.
    const sent = plainMessage('from far away', 'nobody@b.test', 'zed@x.test');
    await submit(a.smtpPort, ALICE, { from: 'zed@x.test', to: ['nobody@b.test'] }, sent);
    try {
      await eventually(() => mxX.accepted().length >= 1, 4000, 'the bounce at x.test');
    } catch {
      transcript.expect('expected the bounce to zed@x.test within 4 s, sent with MAIL FROM:<>');
    }
    expect(mxX.transactions.map((t) => ({ from: t.from, to: t.to, outcome: t.outcome })), 'x.test gets one bounce: MAIL FROM:<>, RCPT TO:<zed@x.test>')
      .toEqual([{ from: '', to: ['zed@x.test'], outcome: 'accepted' }]);
    expectBounce(splitReceived(mxX.transactions[0]!.data!).rest, [{ address: 'nobody@b.test', reason: /550/ }], transcript);
    await queuedBecomes(a, 0, 2000, transcript, 'the bounce was delivered and the original message is done');
  });

  test('gives up after giveUpAfterMs and bounces to the sender', async ({ transcript }) => {
    const { a, spoolA } = await serverA(new Map([['b.test', at(await freePort())]]), { retryInitialMs: 100, retryMaxMs: 200, giveUpAfterMs: 700 });
    const started = Date.now();
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, plainMessage('never arrives', 'bob@b.test'));
    const [bounce] = await mailArrives(spoolA, 'alice', 1, 4000, transcript, 'the bounce after giving up');
    const waited = Date.now() - started;
    expect(waited, 'not before giveUpAfterMs (700 ms) has passed').toBeGreaterThanOrEqual(600);
    await queuedBecomes(a, 0, 2000, transcript, 'a message given up leaves the queue');
    expectBounce(bounce!.bytes, [{ address: 'bob@b.test' }], transcript);
    expect(bounce!.bytes.toString('latin1'), "the bounce quotes the original message's headers").toContain('Subject: never arrives');
  });

  test('never bounces a bounce: a message from <> that cannot be delivered is dropped', async ({ transcript }) => {
    const mx = await recorder({ rcpt: () => reply(550, '5.1.1 No such user here') });
    const { a, spoolA } = await serverA(new Map([['b.test', await recorded(mx.port, transcript)]]));
    const s = track(await SmtpScript.open(a.smtpPort, transcript));
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command(`AUTH PLAIN ${Buffer.from('\0alice\0wonderland').toString('base64')}`, 235, "alice's right password logs her in");
    await s.command('MAIL FROM:<>', 250, 'the null reverse-path: this message is itself a bounce');
    await s.command('RCPT TO:<nobody@b.test>', 250, 'a logged-in user may relay');
    await s.command('DATA', 354, 'DATA starts mail input');
    await s.send(dotStuff(crlf(`From: MAILER-DAEMON@elsewhere.test`, 'To: nobody@b.test', `Subject: ${BOUNCE_SUBJECT}`, '', 'A bounce nobody can take.')));
    await s.expectReply(250, 'the bounce is accepted for relaying');
    await s.command('QUIT', 221, 'QUIT');
    try {
      await eventually(() => mx.transactions.length >= 1, 3000, 'the attempt at b.test');
    } catch {
      transcript.expect('expected A to try b.test, where RCPT gets 550');
    }
    await queuedBecomes(a, 0, 3000, transcript, 'the failed bounce is dropped, not retried and not bounced');
    await sleep(300);
    expect(mx.transactions.map((t) => ({ from: t.from, rcpt: t.rcptTried })), 'one attempt, MAIL FROM:<> and the one recipient; nothing sent anywhere else')
      .toEqual([{ from: '', rcpt: ['nobody@b.test'] }]);
    expect(await mailboxFiles(spoolA, 'alice'), 'no bounce of the bounce reaches alice (who submitted it)').toEqual([]);
  });

  test('bounces mail for a domain it has no route to', async ({ transcript }) => {
    const { a, spoolA } = await serverA(new Map([['b.test', at(await freePort())]]), { retryInitialMs: 60_000 });
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['x@nowhere.test'] }, plainMessage('to nowhere', 'x@nowhere.test'));
    const [bounce] = await mailArrives(spoolA, 'alice', 1, 3000, transcript, 'no route is final: the bounce comes at once');
    expectBounce(bounce!.bytes, [{ address: 'x@nowhere.test' }], transcript);
    await queuedBecomes(a, 0, 2000, transcript, 'nothing is left to retry');
  });

  test('a bounce quotes each failed recipient with its reason and the original headers, and a bounce is never bounced (pure)', () => {
    const original = crlf('From: alice@a.test', 'To: bob@b.test', 'Subject: the original', '', 'The secret body.');
    const bounce = bounceMessage({
      hostname: 'mx.a.test', sender: 'alice@a.test', original,
      failed: [{ recipient: 'bob@b.test', reason: '550 5.1.1 no such user' }, { recipient: 'dave@b.test', reason: 'connection refused by 127.0.0.1:2526' }],
    });
    expect(header(bounce, 'from'), 'from MAILER-DAEMON@<hostname>').toMatch(/MAILER-DAEMON@mx\.a\.test/);
    expect(header(bounce, 'to'), 'to the original sender').toContain('alice@a.test');
    expect(header(bounce, 'subject')).toBe(BOUNCE_SUBJECT);
    const text = bounce.toString('latin1');
    for (const piece of ['bob@b.test', '550 5.1.1 no such user', 'dave@b.test', 'connection refused by 127.0.0.1:2526', 'Subject: the original']) {
      expect(text, `the bounce says ${piece}`).toContain(piece);
    }
    expect(text.replace(/\r\n/g, ''), 'every line ends with CRLF').not.toMatch(/[\r\n]/);
    expect(mayBounce('alice@a.test'), 'mail from alice may be bounced').toBe(true);
    expect(mayBounce(''), 'a bounce (null sender) never is').toBe(false);
  });
});

describe('step 5: real clients, restarts and no open relay', () => {
  test('is no open relay: without AUTH a RCPT to another domain gets 550, and a wrong password gets 535', async ({ transcript }) => {
    const mx = await recorder();
    const { a } = await serverA(new Map([['b.test', at(mx.port)]]));
    const s = track(await SmtpScript.open(a.smtpPort, transcript));
    const ehlo = await s.command('EHLO mallory.test', 250, 'EHLO is answered with 250 and the extensions');
    const auth = ehlo.lines.slice(1).map((l) => l.toUpperCase().split(/\s+/)).find((words) => words[0] === 'AUTH');
    if (!auth?.includes('PLAIN') || !auth.includes('LOGIN')) transcript.expect('expected EHLO to offer AUTH PLAIN LOGIN', 'server');
    expect(auth, 'EHLO offers AUTH with PLAIN and LOGIN').toEqual(expect.arrayContaining(['AUTH', 'PLAIN', 'LOGIN']));
    await s.command('MAIL FROM:<mallory@evil.test>', 250, 'anyone may send mail');
    await s.command('RCPT TO:<bob@b.test>', 550, 'but without AUTH, mail for another domain is refused: no open relay');
    await s.command('RCPT TO:<carol@a.test>', 250, 'mail for our own users is still welcome without AUTH');
    await s.command('RSET', 250, 'RSET ends the transaction');
    const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');
    await s.command(`AUTH PLAIN ${plain('alice', 'Wonderland')}`, 535, 'a wrong password (passwords are case-sensitive) is refused with 535');
    await s.command('AUTH LOGIN', 334, 'AUTH LOGIN asks for the user name');
    await s.command(Buffer.from('alice').toString('base64'), 334, 'then for the password');
    await s.command(Buffer.from('nope').toString('base64'), 535, 'a wrong password is refused with 535');
    await s.command('MAIL FROM:<mallory@evil.test>', 250, 'MAIL is still fine');
    await s.command('RCPT TO:<bob@b.test>', 550, 'after failed logins, relaying is still refused');
    await s.command('QUIT', 221, 'QUIT');
    // A server may hang up after a few failed logins (RFC 4954 §4): the next try gets a connection of its own.
    const t = track(await SmtpScript.open(a.smtpPort, transcript));
    await t.command('EHLO mallory.test', 250, 'EHLO is answered with 250');
    await t.command(`AUTH PLAIN ${plain('mallory', 'wonderland')}`, 535, 'an unknown user is refused with 535');
    await t.command('QUIT', 221, 'QUIT');
    await expect(submit(a.smtpPort, { user: 'alice', pass: 'wrong' }, { from: 'alice@a.test', to: ['bob@b.test'] }, plainMessage('x', 'bob@b.test')), 'nodemailer with a wrong password is refused')
      .rejects.toMatchObject({ responseCode: 535 });
    await sleep(200);
    expect(await a.queued(), 'nothing was queued').toBe(0);
    expect(mx.transactions, 'and nothing relayed').toEqual([]);
  });

  test('nodemailer relays with AUTH PLAIN and AUTH LOGIN, and node-pop3 reads the mail at the other end byte-exact', async ({ transcript }) => {
    const { b, spoolB } = await serverB();
    const { a } = await serverA(new Map([['b.test', await recorded(b.smtpPort, transcript)]]));
    const sent = [await richMessage('sent with PLAIN', 'bob@b.test'), await richMessage('sent with LOGIN', 'bob@b.test')];
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, sent[0]!, { authMethod: 'PLAIN' });
    await submit(a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, sent[1]!, { authMethod: 'LOGIN' });
    await mailArrives(spoolB, 'bob', 2, 4000, transcript, 'both messages relayed to B');
    await queuedBecomes(a, 0, 2000, transcript, "A's queue is empty again");
    const client = nodePop3(b.pop3Port, BOB.user, BOB.pass);
    track({ close: () => destroyNodePop3(client) });
    const uids = (await client.UIDL()) as string[][];
    expect(uids.length, 'node-pop3 lists two messages for bob').toBe(2);
    const fetched: string[] = [];
    for (const [n] of uids) fetched.push(splitReceived(await retrBytes(client, Number(n))).rest.toString('latin1'));
    await client.QUIT();
    expect(fetched.sort(), 'node-pop3 fetches both byte for byte below the Received: headers').toEqual(sent.map((m) => m.toString('latin1')).sort());
  });

  test('restarted on the same spool with mail in its queue, it still delivers that mail, exactly once', async ({ transcript }) => {
    const port = await freePort();
    const spoolA = await spool();
    const routes = new Map([['b.test', at(port)]]);
    const first = await serverA(routes, { spool: spoolA });
    const sent = [plainMessage('queued one', 'bob@b.test'), plainMessage('queued two', 'dave@b.test')];
    await submit(first.a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, sent[0]!);
    await submit(first.a.smtpPort, ALICE, { from: 'alice@a.test', to: ['dave@b.test'] }, sent[1]!);
    await sleep(200);
    expect(await first.a.queued(), 'B is down: both messages wait in the queue').toBe(2);
    await first.a.close();
    const { b, spoolB } = await serverB({ smtpPort: port });
    const again = await serverA(routes, { spool: spoolA });
    await mailArrives(spoolB, 'bob', 1, 4000, transcript, 'the restarted A finds the queue on disk and delivers');
    await mailArrives(spoolB, 'dave', 1, 4000, transcript, 'both queued messages');
    await queuedBecomes(again.a, 0, 2000, transcript, 'the queue is empty after delivery');
    await sleep(250);
    expectSameBelowReceived((await popAll(b.pop3Port, BOB, transcript))[0]!, sent[0]!, 'the message bob reads', transcript);
    expect((await mailboxFiles(spoolB, 'bob')).length, 'bob got it once').toBe(1);
    expect((await mailboxFiles(spoolB, 'dave')).length, 'dave got it once').toBe(1);
  });

  test('says 250 only once the message is on disk: closed right after the 250 and started again, it loses nothing', async ({ transcript }) => {
    const port = await freePort();
    const spoolA = await spool();
    const first = await serverA(new Map([['b.test', at(port)]]), { spool: spoolA });
    const sent = plainMessage('safe on disk', 'bob@b.test, carol@a.test');
    await submit(first.a.smtpPort, ALICE, { from: 'alice@a.test', to: ['bob@b.test', 'carol@a.test'] }, sent);
    const closing = first.a.close(); // at once: the 250 promised the message is safe
    expect((await mailboxFiles(spoolA, 'carol')).length, "after the 250, carol's copy is in her Maildir").toBe(1);
    expect((await queueFiles(spoolA)).length, 'and the copy for b.test is in <spool>/queue').toBeGreaterThan(0);
    await closing;
    const mx = await recorder({ port });
    const again = await serverA(new Map([['b.test', await recorded(mx.port, transcript)]]), { spool: spoolA });
    try {
      await eventually(() => mx.accepted().length >= 1, 4000, 'the queued copy at b.test');
    } catch {
      transcript.expect('expected the restarted server to deliver the queued message to b.test');
    }
    await queuedBecomes(again.a, 0, 2000, transcript, 'delivered, the queue is empty');
    await sleep(250);
    expect(mx.accepted().map((t) => t.to), 'b.test got the message exactly once').toEqual([['bob@b.test']]);
    expectSameBelowReceived(mx.accepted()[0]!.data!, sent, 'the message b.test received', transcript);
    expect((await mailboxFiles(spoolA, 'carol')).length, 'carol still has exactly one copy (the restart did not deliver it again)').toBe(1);
  });
});
