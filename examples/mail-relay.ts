// Run it with:  npx tsx examples/mail-relay.ts          (prints each step, then exits)
// Poke it with: npx tsx examples/mail-relay.ts --keep   then, with the ports it prints:
//               nc -C 127.0.0.1 <B's POP3 port>   USER bob, PASS secret, LIST, RETR 1, QUIT
//               nc -C 127.0.0.1 <A's SMTP port>   EHLO me, MAIL FROM:<x@y.test>, RCPT TO:<bob@b.test>  → 550: no open relay
//               (Ctrl-C stops both servers)
//
// Mail between two organisations, on one machine: the reference mail servers
// of exercise 07 for a.test and b.test, each with routes to the other (in
// place of DNS MX records) and retry times in milliseconds instead of
// minutes. B starts late: alice's mail to bob waits in A's queue on disk,
// A keeps retrying with doubling delays, and once B is up the mail arrives
// and bob reads it over POP3. Then alice writes to a user B does not have:
// B refuses with 550, and A bounces the message back into alice's mailbox.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { connectTcp } from '../lib/tcp/connect.ts';
import type { Connection } from '../lib/tcp/connection.ts';
import { renderTranscript } from '../lib/transcript/render.ts';
import { Transcript } from '../lib/transcript/transcript.ts';
import { startMailServer, type MailServer } from '../solutions/07-mail-relay/mail-server.ts';
import { loadQueue } from '../solutions/07-mail-relay/queue.ts';

const keep = process.argv.includes('--keep');
const spoolA = await mkdtemp(path.join(tmpdir(), 'wirelab-mail-a-'));
const spoolB = await mkdtemp(path.join(tmpdir(), 'wirelab-mail-b-'));
const alice = { user: 'alice', pass: 'wonderland' };
const bob = { user: 'bob', pass: 'secret' };

/** A port that was free a moment ago: B will start there later, A sends there already. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const step = (text: string) => console.log(`\n== ${text}`);

/** Waits (bounded) until the server's queue is empty. */
async function drained(server: MailServer, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; (await server.queued()) > 0; await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`still queued after 10 s: ${what}`);
  }
}

const bPort = await freePort();
const a = await startMailServer({
  spool: spoolA,
  domains: ['a.test'],
  users: new Map([[alice.user, alice.pass]]),
  routes: new Map([['b.test', { host: '127.0.0.1', port: bPort }]]),
  hostname: 'mx.a.test',
  retryInitialMs: 200, // a real server: a minute, doubling up to an hour
  retryMaxMs: 2_000,
});
step(`A (a.test) is up: SMTP ${a.host}:${a.smtpPort}, POP3 ${a.host}:${a.pop3Port}, spool ${spoolA}`);
console.log(`   mail for b.test goes to 127.0.0.1:${bPort}, where nothing listens yet`);

step('alice submits a message for bob@b.test to A (nodemailer, SMTP AUTH)');
const transport = nodemailer.createTransport({ host: a.host, port: a.smtpPort, secure: false, ignoreTLS: true, auth: alice });
const sent = await transport.sendMail({ from: 'alice@a.test', to: 'bob@b.test', subject: 'lunch?', text: 'Noon at the usual place?\n' });
console.log(`   A said: ${sent.response}`);
console.log(`   A's queue holds ${await a.queued()} message(s), on disk in ${path.join(spoolA, 'queue')}/`);

step('B is down: A retries with doubling delays');
await sleep(1_600);
for (const entry of await loadQueue(path.join(spoolA, 'queue'))) {
  console.log(`   ${entry.id}: ${entry.attempts} failed attempts, next in ${entry.nextAttemptAt - Date.now()} ms`);
  for (const [to, reply] of Object.entries(entry.lastReply)) console.log(`     ${to}: ${reply}`);
}

step(`B (b.test) comes up on port ${bPort}`);
const b = await startMailServer({
  spool: spoolB,
  domains: ['b.test'],
  users: new Map([[bob.user, bob.pass]]),
  routes: new Map([['a.test', { host: '127.0.0.1', port: a.smtpPort }]]),
  hostname: 'mx.b.test',
  smtpPort: bPort,
  retryInitialMs: 200,
});
console.log(`   SMTP ${b.host}:${b.smtpPort}, POP3 ${b.host}:${b.pop3Port}, spool ${spoolB}`);
const waitedFrom = Date.now();
await drained(a, 'the mail to bob');
console.log(`   A's queue is empty ${Date.now() - waitedFrom} ms later: the mail is in ${path.join(spoolB, 'mailboxes', 'bob')}/new/`);

/** Reads a POP3 response; for a multi-line one also the lines up to the "." terminator. */
async function response(conn: Connection, multiLine: boolean): Promise<string> {
  const first = (await conn.readLine({ timeoutMs: 5000 })) ?? '';
  if (!multiLine || !first.startsWith('+OK')) return first;
  for (;;) {
    const line = await conn.readLine({ timeoutMs: 5000 });
    if (line === null || line === '.') return first;
  }
}

/** Logs in over POP3, RETRs message 1 and QUITs, printing the dialogue. */
async function readFirstMessage(port: number, login: { user: string; pass: string }): Promise<void> {
  const transcript = new Transcript();
  const conn = await connectTcp({ host: '127.0.0.1', port, transcript, timeoutMs: 5000 });
  await response(conn, false);
  for (const [line, multi] of [[`USER ${login.user}`, false], [`PASS ${login.pass}`, false], ['STAT', false], ['RETR 1', true], ['QUIT', false]] as const) {
    await conn.write(`${line}\r\n`);
    await response(conn, multi);
  }
  await conn.closed;
  console.log(renderTranscript(transcript, { maxLines: 200 }));
}

step("bob reads his mail from B over POP3 (C: bob's mail client, S: B); two Received: lines, one per server");
await readFirstMessage(b.pop3Port, bob);

step('alice writes to nobody@b.test, a user B does not have');
const lost = await transport.sendMail({ from: 'alice@a.test', to: 'nobody@b.test', subject: 'anyone there?', text: 'Hello?\n' });
console.log(`   A said: ${lost.response}  (A accepts it: only B knows its users)`);
await drained(a, 'the mail to nobody');
console.log('   B refused nobody@b.test with 550, a permanent failure: A bounced it at once (no retries)');

step("alice finds the bounce in her mailbox at A (MAIL FROM:<>, From: MAILER-DAEMON)");
await readFirstMessage(a.pop3Port, alice);
transport.close();

if (keep) {
  console.log(`\nnow try: nc -C 127.0.0.1 ${b.pop3Port}  (USER bob, PASS secret)   or  nc -C 127.0.0.1 ${a.smtpPort}  (Ctrl-C here to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
await Promise.all([a.close(), b.close()]);
await Promise.all([rm(spoolA, { recursive: true, force: true }), rm(spoolB, { recursive: true, force: true })]);
