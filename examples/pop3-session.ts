// Run it with:  npx tsx examples/pop3-session.ts          (prints everything, then exits)
// Poke it with: npx tsx examples/pop3-session.ts --keep   then  nc -C 127.0.0.1 <the POP3 port it prints>
//               and type  USER bob, PASS hunter2, STAT, LIST, UIDL, RETR 1, DELE 1, QUIT  (Ctrl-C stops it)
//
// Mail end to end on one machine: starts the reference SMTP server of
// exercise 05 and the reference POP3 server of exercise 06 on one Maildir root
// (a temp folder), lets nodemailer — a real mail client library — hand two
// messages for bob to the SMTP server (one has a line holding a single dot),
// then reads them the way a user agent does later: a raw POP3 dialogue,
// printed as C:/S: lines (STAT, LIST, UIDL, RETR 1, DELE 1, QUIT). Finally it
// shows bob's Maildir: the messages moved from new/ to cur/, message 1 gone
// (the temp folder is removed on exit).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { connectTcp } from '../lib/tcp/connect.ts';
import type { Connection } from '../lib/tcp/connection.ts';
import { renderTranscript } from '../lib/transcript/render.ts';
import { Transcript } from '../lib/transcript/transcript.ts';
import { startSmtpServer } from '../solutions/05-smtp-server/smtp-server.ts';
import { startPop3Server } from '../solutions/06-pop3/pop3-server.ts';

const keep = process.argv.includes('--keep');
const maildir = await mkdtemp(path.join(tmpdir(), 'wirelab-pop3-'));
const smtp = await startSmtpServer({ maildir, domains: ['mail.test'], hostname: 'mx.mail.test' });
const pop3 = await startPop3Server({ maildir, users: new Map([['bob', 'hunter2']]), hostname: 'pop.mail.test' });
console.log(`SMTP on ${smtp.host}:${smtp.port}, POP3 on ${pop3.host}:${pop3.port}, mailboxes in ${maildir}\n`);

// 1. Mail arrives while bob is away: nodemailer → our SMTP server → maildir/bob/new/.
const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
await transport.sendMail({ from: 'alice@a.test', to: 'bob@mail.test', subject: 'lunch?', text: 'Noon at the usual place?\n.\nThe line above holds a single dot.\n' });
await transport.sendMail({ from: 'carol@c.test', to: 'bob@mail.test', subject: 'slides', text: 'Here are the slides.\n' });
transport.close();
const bob = path.join(maildir, 'bob');
console.log(`delivered: ${(await readdir(path.join(bob, 'new'))).length} files in bob/new/\n`);

// 2. Later, bob's user agent reads it over POP3.
const transcript = new Transcript();
const conn = await connectTcp({ host: pop3.host, port: pop3.port, transcript, timeoutMs: 5000 });

/** Reads a one-line response, and for a multi-line one the lines up to the "." terminator. */
async function response(c: Connection, multiLine: boolean): Promise<string> {
  const first = (await c.readLine({ timeoutMs: 5000 })) ?? '';
  if (!multiLine || !first.startsWith('+OK')) return first;
  for (;;) {
    const line = await c.readLine({ timeoutMs: 5000 });
    if (line === null || line === '.') return first;
  }
}

async function command(line: string, multiLine = false): Promise<string> {
  await conn.write(`${line}\r\n`);
  return response(conn, multiLine);
}

await response(conn, false); // the greeting
await command('USER bob');
await command('PASS hunter2');
await command('STAT');
await command('LIST', true);
await command('UIDL', true);
await command('RETR 1', true);
await command('DELE 1');
await command('QUIT');
await conn.closed;

console.log('the POP3 dialogue (C: the user agent, S: our POP3 server):');
console.log(renderTranscript(transcript, { maxLines: 200 }));

// 3. What the dialogue did to the Maildir: new/ emptied into cur/ (":2," = seen by a reader), message 1 removed at QUIT.
for (const sub of ['new', 'cur']) {
  const names = await readdir(path.join(bob, sub));
  console.log(`\nbob/${sub}/: ${names.length === 0 ? '(empty)' : ''}`);
  for (const name of names) console.log(`  ${name}`);
}

if (keep) {
  console.log(`\nnow try: nc -C ${pop3.host} ${pop3.port}   (USER bob, PASS hunter2; Ctrl-C here to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
await Promise.all([pop3.close(), smtp.close()]);
await rm(maildir, { recursive: true, force: true });
