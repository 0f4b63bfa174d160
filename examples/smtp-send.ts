// Poke it with: nc -C 127.0.0.1 2525   then type  EHLO me  (and MAIL FROM:<a@x.test>, RCPT TO:<b@y.test>, DATA, …, QUIT)
// Run it with:  npx tsx examples/smtp-send.ts [port]
//
// Starts a small SMTP server (nodemailer's smtp-server from npm, standing in
// for the one you write in exercise 05), sends two messages over one
// connection with the reference SMTP client of exercise 04 — one recipient is
// refused, one message has lines that start with a dot and 8-bit bytes — and
// prints the whole dialogue, then what the server stored, byte for byte.
// The server keeps running so you can talk to it by hand or with
// `npx wirelab send --server 127.0.0.1:2525 --from a@x.test --to b@y.test --impl solutions < some.eml`.
import { SMTPServer } from 'smtp-server';
import { renderTranscript } from '../lib/transcript/render.ts';
import { Transcript } from '../lib/transcript/transcript.ts';
import { SmtpClient } from '../solutions/04-smtp-client/smtp-client.ts';

const port = Number(process.argv[2] ?? 2525);

const server = new SMTPServer({
  logger: false,
  authOptional: true,
  hideSTARTTLS: true, // no TLS on loopback: a client would try STARTTLS whenever it is offered
  size: 1024 * 1024,
  onRcptTo(address, _session, callback) {
    // Refuse one recipient, to show the client reporting it and delivering to the others.
    if (address.address.startsWith('nobody@')) return callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
    callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      console.log(`\n[server] stored ${Buffer.concat(chunks).length} bytes for ${to}:`);
      console.log(JSON.stringify(Buffer.concat(chunks).toString('utf8')));
      callback(null);
    });
  },
});
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
console.log(`listening on 127.0.0.1:${port}`);

const transcript = new Transcript();
const client = await SmtpClient.connect({ host: '127.0.0.1', port, clientName: 'client.example.test', timeoutMs: 5000, transcript });

const first = await client.send({
  from: 'alice@example.test',
  to: ['bob@example.test', 'nobody@example.test', 'carol@example.test'],
  // LF line ends on purpose: the client sends CRLF whatever the input had.
  message: 'From: alice@example.test\nSubject: dots\n\n.this line starts with a dot\n.\nthe line above is a lone dot\n',
});
console.log(`\n[client] accepted: ${first.accepted.join(', ')}`);
for (const r of first.rejected) console.log(`[client] refused:  ${r.recipient} (${r.code} ${r.text})`);

const second = await client.send({ from: 'alice@example.test', to: ['bob@example.test'], message: 'Subject: Grüße\r\n\r\n8-bit: café, 5 €\r\n' });
console.log(`[client] second message: ${second.reply.code} ${second.reply.lines.join(' ')}`);
await client.quit();

console.log('\nThe dialogue (C: our client, S: the server):');
console.log(renderTranscript(transcript, { maxLines: 200 }));

console.log(`\nthe server keeps running: nc -C 127.0.0.1 ${port}   (Ctrl-C here to stop)`);
const stop = (): void => {
  server.close(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
