// Poke it with: nc -C 127.0.0.1 2525   then type  EHLO me, MAIL FROM:<a@x.test>, RCPT TO:<bob@mail.test>, DATA, …, ., QUIT
// Run it with:  npx tsx examples/smtp-server.ts [port]
//
// Starts the reference SMTP server of exercise 05 (mail for *@mail.test lands
// in a Maildir under the system's temp folder), lets nodemailer — a real mail
// client library — send it a message with an attachment and a line starting
// with a dot to two recipients, one of them refused, and prints the dialogue
// as the server saw it, then the file that landed in bob's new/ folder.
// The server keeps running so you can talk to it by hand; Ctrl-C stops it.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { renderTranscript } from '../lib/transcript/render.ts';
import { Transcript } from '../lib/transcript/transcript.ts';
import { startSmtpServer } from '../solutions/05-smtp-server/smtp-server.ts';

const port = Number(process.argv[2] ?? 2525);
const maildir = await mkdtemp(path.join(tmpdir(), 'wirelab-mail-'));
const transcript = new Transcript();
const server = await startSmtpServer({ port, maildir, domains: ['mail.test'], hostname: 'mx.mail.test', transcript });
console.log(`listening on ${server.host}:${server.port}; mailboxes in ${maildir}`);

const transport = nodemailer.createTransport({ host: server.host, port: server.port, secure: false, ignoreTLS: true });
try {
  const info = await transport.sendMail({
    from: 'alice@a.test',
    to: ['bob@mail.test', 'eve@elsewhere.test'],
    subject: 'lunch?',
    text: 'Noon at the usual place?\n.this line starts with a dot\n\nAlice',
    attachments: [{ filename: 'menu.txt', content: 'soup\nbread\n' }],
  });
  console.log(`nodemailer: accepted ${info.accepted.join(', ')}; rejected ${info.rejected.join(', ') || 'none'}`);
} catch (error) {
  console.log(`nodemailer: ${(error as Error).message}`);
} finally {
  transport.close();
}

console.log('\nthe dialogue (C: nodemailer, S: our server):');
console.log(renderTranscript(transcript));

const newDir = path.join(maildir, 'bob', 'new');
for (const name of await readdir(newDir)) {
  console.log(`\n${path.join(newDir, name)}:`);
  console.log((await readFile(path.join(newDir, name), 'utf8')).replace(/\r\n/g, '\n'));
}

console.log(`now try: nc -C ${server.host} ${server.port}   (Ctrl-C here to stop)`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
