/**
 * Graded tests of exercise 05: an SMTP server that delivers into Maildirs.
 * Scripted sessions check the exact replies; nodemailer, a real SMTP client,
 * checks that real mail arrives byte-exact.
 */
import { afterEach, describe, expect } from 'vitest';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { startTcpChunkProxy, type TcpChunkProxy, type Transcript } from '../lib/index.ts';
import { startSmtpServer, type SmtpServer, type SmtpServerOptions } from '@impl/05-smtp-server/smtp-server.ts';
import { graded } from './helpers/graded.ts';
import { SmtpScript, dotStuff } from './helpers/smtp-session.ts';
import { listMaildir, listMailboxes, makeMaildirRoot, readNewMail, receivedHeaderOf, removeMaildirRoot, withoutReceived } from './helpers/smtp-session-maildir.ts';

const test = graded('05-smtp-server', {
  'greets with 220 and answers EHLO with a multi-line 250 offering PIPELINING, SIZE and 8BITMIME, not STARTTLS': 2,
  'answers HELO with 250, NOOP with 250 and QUIT with 221, then closes the connection': 2,
  'reads verbs in any case': 1,
  'answers an unknown command with 500 and keeps serving': 1,
  'answers a command line longer than 512 octets with 500 and keeps serving': 2,
  'answers commands out of sequence with 503': 3,
  'answers malformed arguments with 501 and unknown parameters with 555': 2,
  'accepts RCPT TO:<Postmaster> and refuses other domains with 550 (no relay)': 2,
  'refuses unknown users with 550 when it has a users list': 2,
  'RSET forgets the transaction but not the greeting; VRFY gets 252': 1,
  'accepts 100 recipients and answers 452 to the next one': 1,
  'delivers a message into DIR/<user>/new/ with a Received: header on top, byte-exact': 3,
  'removes the extra dot from lines that start with a dot': 2,
  'finds the end of data when every byte arrives in its own read': 2,
  'never takes a bare LF or LF.LF as the end of data (no SMTP smuggling)': 2,
  'stores nothing when the client vanishes mid-DATA, and keeps serving others': 2,
  'answers pipelined commands in order, all sent in one write': 2,
  'refuses MAIL with a SIZE over the limit with 552': 1,
  'answers 552 after DATA when the message is over the limit and stores nothing': 2,
  'answers 500 after DATA when a message line is longer than 1000 octets, and stores nothing': 1,
  'nodemailer delivers attachments, 8-bit text, dot lines and several recipients byte-exact': 4,
  'serves many clients at once': 2,
  'sends 421 to connected clients when it shuts down': 1,
});

const DOMAIN = 'mail.test';
let servers: SmtpServer[] = [];
let proxies: TcpChunkProxy[] = [];
let sessions: SmtpScript[] = [];
let roots: string[] = [];

/** Starts the server under test on a fresh Maildir root; everything is closed after the test. */
async function setup(options: Partial<SmtpServerOptions> = {}): Promise<{ server: SmtpServer; root: string }> {
  const root = await makeMaildirRoot();
  roots.push(root);
  const server = await startSmtpServer({ maildir: root, domains: [DOMAIN], hostname: 'mx.mail.test', ...options });
  servers.push(server);
  return { server, root };
}

/** Opens a scripted session (greeting checked) that is closed after the test. */
async function open(port: number, transcript?: Transcript): Promise<SmtpScript> {
  const session = await SmtpScript.open(port, transcript);
  sessions.push(session);
  return session;
}

afterEach(async () => {
  for (const s of sessions) s.close();
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(roots.map(removeMaildirRoot));
  servers = [];
  proxies = [];
  sessions = [];
  roots = [];
});

const crlf = (...lines: string[]) => Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');

describe('step 1: greeting, hello and goodbye', () => {
  test('greets with 220 and answers EHLO with a multi-line 250 offering PIPELINING, SIZE and 8BITMIME, not STARTTLS', async ({ transcript }) => {
    const { server } = await setup({ maxMessageBytes: 123456 });
    const s = await open(server.port, transcript);
    const ehlo = await s.command('EHLO client.test', 250, 'EHLO is answered with 250 and the extensions');
    const keywords = ehlo.lines.slice(1).map((l) => l.toUpperCase());
    if (ehlo.lines.length < 2) transcript.expect('expected a multi-line reply: 250-<name>, then one line per extension', 'server');
    expect(keywords).toContain('PIPELINING');
    expect(keywords).toContain('8BITMIME');
    expect(keywords).toContain('SIZE 123456');
    expect(keywords.some((k) => k.startsWith('STARTTLS')), 'never offer STARTTLS without TLS').toBe(false);
  });

  test('answers HELO with 250, NOOP with 250 and QUIT with 221, then closes the connection', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('HELO client.test', 250, 'HELO is answered with 250');
    await s.command('NOOP', 250, 'NOOP does nothing and says 250');
    await s.command('QUIT', 221, 'QUIT is answered with 221');
    if (!(await s.closedByServer())) transcript.expect('expected the server to close the connection after 221');
    expect(true).toBe(true);
  });

  test('reads verbs in any case', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('ehlo client.test', 250, 'verbs are case-insensitive: ehlo is EHLO');
    await s.command('mail FROM:<a@b.test>', 250, 'mail is MAIL');
    await s.command('Rcpt To:<bob@mail.test>', 250, 'Rcpt To: is RCPT TO:');
    await s.command('rset', 250, 'rset is RSET');
    await s.command('qUiT', 221, 'qUiT is QUIT');
  });

  test('answers an unknown command with 500 and keeps serving', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('FROB nicate', 500, 'an unknown command is answered with 500');
    await s.command('', 500, 'an empty line is not a command either');
    await s.command('EHLO client.test', 250, 'the session goes on after a 500');
  });

  test('answers a command line longer than 512 octets with 500 and keeps serving', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('HELO client.test', 250, 'HELO is answered with 250');
    await s.command(`NOOP ${'x'.repeat(600)}`, 500, 'a command line over 512 octets (CRLF included) is answered with 500');
    await s.command(`NOOP ${'y'.repeat(5000)}`, 500, 'a much longer line gets one 500 too, and the rest of it is not read as commands');
    await s.command('NOOP', 250, 'the next normal command is served');
    await s.command(`NOOP ${'z'.repeat(505)}`, 250, 'a command line of exactly 512 octets with CRLF is allowed');
  });
});

describe('step 2: the envelope (MAIL, RCPT) and its errors', () => {
  test('answers commands out of sequence with 503', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('MAIL FROM:<a@b.test>', 503, 'MAIL before EHLO/HELO is out of sequence');
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command('RCPT TO:<bob@mail.test>', 503, 'RCPT before MAIL is out of sequence');
    await s.command('DATA', 503, 'DATA before MAIL is out of sequence');
    await s.command('MAIL FROM:<a@b.test>', 250, 'MAIL after EHLO is accepted');
    await s.command('MAIL FROM:<a@b.test>', 503, 'a second MAIL inside a transaction is out of sequence');
    await s.command('DATA', 503, 'DATA before any RCPT is out of sequence');
    await s.command('RCPT TO:<bob@mail.test>', 250, 'the transaction is still there after the 503s');
  });

  test('answers malformed arguments with 501 and unknown parameters with 555', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('EHLO', 501, 'EHLO needs the client name');
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command('MAIL FROM:a@b.test', 501, 'the address must be in angle brackets');
    await s.command('MAIL TO:<a@b.test>', 501, 'MAIL takes FROM:, not TO:');
    await s.command('MAIL FROM:<a@@b.test>', 501, 'a@@b.test is not an address');
    await s.command(`MAIL FROM:<${'l'.repeat(65)}@b.test>`, 501, 'a local part is at most 64 octets');
    await s.command('MAIL FROM:<a@b.test> FROBNICATE=yes', 555, 'an unknown MAIL parameter is answered with 555');
    await s.command('MAIL FROM:<a@b.test>', 250, 'a well-formed MAIL is accepted after the errors');
    await s.command('RCPT TO:<bob@>', 501, 'a recipient needs a domain');
    await s.command('RCPT TO:<bob@mail.test> NOTIFY=NEVER', 555, 'RCPT parameters we do not offer are answered with 555');
    await s.command('RCPT TO:<bob@mail.test>', 250, 'a well-formed RCPT is accepted');
    await s.command('DATA now', 501, 'DATA takes no arguments');
    await s.command('RSET please', 501, 'RSET takes no arguments');
    await s.command('QUIT now', 501, 'QUIT takes no arguments');
  });

  test('accepts RCPT TO:<Postmaster> and refuses other domains with 550 (no relay)', async ({ transcript }) => {
    const { server } = await setup({ users: ['alice'] });
    const s = await open(server.port, transcript);
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command('MAIL FROM:<a@b.test>', 250, 'MAIL is accepted');
    await s.command('RCPT TO:<someone@elsewhere.test>', 550, 'mail for a domain that is not ours is refused: we are not a relay');
    await s.command('RCPT TO:<alice@MAIL.TEST>', 250, 'domains are case-insensitive');
    await s.command('RCPT TO:<Postmaster>', 250, '<Postmaster> without a domain is always accepted');
    await s.command('RCPT TO:<postmaster@mail.test>', 250, 'postmaster at a local domain is always accepted');
  });

  test('refuses unknown users with 550 when it has a users list', async ({ transcript }) => {
    const { server, root } = await setup({ users: ['alice', 'Bob'] });
    const s = await open(server.port, transcript);
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command('MAIL FROM:<a@b.test>', 250, 'MAIL is accepted');
    await s.command('RCPT TO:<mallory@mail.test>', 550, 'a user not in the users list is refused with 550');
    await s.command('RCPT TO:<BOB@mail.test>', 250, 'a listed user is accepted (local parts compared lower-cased)');
    await s.command('DATA', 354, 'DATA after an accepted RCPT starts mail input');
    await s.send(crlf('Subject: hi', '', 'hello', '.'));
    await s.expectReply(250, 'the message is accepted');
    expect(await listMailboxes(root), 'only the accepted user got a mailbox').toEqual(['bob']);
  });

  test('RSET forgets the transaction but not the greeting; VRFY gets 252', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command('MAIL FROM:<a@b.test>', 250, 'MAIL is accepted');
    await s.command('RCPT TO:<bob@mail.test>', 250, 'RCPT is accepted');
    await s.command('RSET', 250, 'RSET is answered with 250');
    await s.command('DATA', 503, 'after RSET there is no transaction, so DATA is out of sequence');
    await s.command('MAIL FROM:<a@b.test>', 250, 'after RSET a new MAIL is accepted without a new EHLO');
    await s.command('VRFY bob', 252, 'VRFY is answered with 252: we do not tell who exists');
  });

  test('accepts 100 recipients and answers 452 to the next one', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command('MAIL FROM:<a@b.test>', 250, 'MAIL is accepted');
    for (let i = 1; i <= 100; i++) await s.command(`RCPT TO:<user${i}@mail.test>`, 250, `recipient ${i} of 100 is accepted`);
    await s.command('RCPT TO:<user101@mail.test>', 452, 'the 101st recipient is answered with 452: too many recipients');
  });
});

describe('step 3: DATA and the Maildir', () => {
  test('delivers a message into DIR/<user>/new/ with a Received: header on top, byte-exact', async ({ transcript }) => {
    const { server, root } = await setup();
    const s = await open(server.port, transcript);
    await s.startMessage('alice@b.test', ['Bob@mail.test']);
    const message = crlf('From: alice@b.test', 'To: Bob@mail.test', 'Subject: lunch?', '', 'At noon,', '', '  Alice');
    await s.send(dotStuff(message));
    await s.expectReply(250, 'the message is stored and acknowledged with 250');
    const mail = await readNewMail(root, 'bob');
    expect(mail, 'one file in DIR/bob/new/ (the lower-cased local part)').toHaveLength(1);
    const stored = mail[0]!;
    expect(receivedHeaderOf(stored), 'the stored message starts with a Received: header').toMatch(/^Received: from client\.test .*by mx\.mail\.test/);
    expect(withoutReceived(stored)?.toString('latin1'), 'below it, the message exactly as sent').toBe(message.toString('latin1'));
    expect(await listMaildir(root, 'bob', 'tmp'), 'nothing left in tmp/').toEqual([]);
    expect(await listMaildir(root, 'bob', 'cur'), 'cur/ exists and is empty').toEqual([]);
    const [name] = await listMaildir(root, 'bob', 'new');
    expect(name, 'a Maildir file name has no ":" and does not start with a dot').toMatch(/^[^.:/][^:/]*$/);
  });

  test('removes the extra dot from lines that start with a dot', async ({ transcript }) => {
    const { server, root } = await setup();
    const s = await open(server.port, transcript);
    await s.startMessage('alice@b.test', ['bob@mail.test']);
    await s.send(crlf('Subject: dots', '', '..', '...leading', 'a.b', '..', '.'));
    await s.expectReply(250, 'the message is accepted');
    const [stored] = await readNewMail(root, 'bob');
    expect(withoutReceived(stored!)?.toString('latin1'), 'each line that began with ".." is stored with one dot less').toBe(
      crlf('Subject: dots', '', '.', '..leading', 'a.b', '.').toString('latin1'),
    );
  });

  test('finds the end of data when every byte arrives in its own read', async ({ transcript }) => {
    const { server, root } = await setup();
    const proxy = await startTcpChunkProxy({ target: { host: server.host, port: server.port }, seed: 5, maxChunk: 1, toClient: { maxChunk: 65536 } });
    proxies.push(proxy);
    const s = await open(proxy.port, transcript);
    await s.startMessage('alice@b.test', ['bob@mail.test']);
    const message = crlf('Subject: one byte at a time', '', '.dot', 'end');
    await s.send(dotStuff(message));
    await s.expectReply(250, 'CRLF.CRLF split over five reads still ends the message');
    await s.command('NOOP', 250, 'the session goes on after the message');
    const [stored] = await readNewMail(root, 'bob');
    expect(stored && withoutReceived(stored)?.toString('latin1')).toBe(message.toString('latin1'));
  });

  test('never takes a bare LF or LF.LF as the end of data (no SMTP smuggling)', async ({ transcript }) => {
    const { server, root } = await setup();
    const s = await open(server.port, transcript);
    await s.startMessage('alice@b.test', ['bob@mail.test']);
    const body = 'Subject: smuggle\r\n\r\nhello\n.\nMAIL FROM:<evil@b.test>\r\nRCPT TO:<bob@mail.test>\r\nDATA\r\nsmuggled\r\n\n.\r\nbare\r.\r\n';
    await s.send(`${body}.\r\n`);
    const r = await s.expectReply(250, 'only CRLF.CRLF ends the data: one message, one 250');
    await s.command('NOOP', 250, 'no smuggled command was answered: the next reply is for NOOP');
    expect(r.code).toBe(250);
    const mail = await readNewMail(root, 'bob');
    expect(mail, 'exactly one message was stored').toHaveLength(1);
    expect(withoutReceived(mail[0]!)?.toString('latin1'), 'the bare LFs and what follows them are part of the message').toBe(body);
  });

  test('stores nothing when the client vanishes mid-DATA, and keeps serving others', async ({ transcript }) => {
    const { server, root } = await setup();
    const quitter = await open(server.port);
    await quitter.startMessage('alice@b.test', ['bob@mail.test']);
    await quitter.send(crlf('Subject: never finished', '', 'half a message'));
    await new Promise((r) => setTimeout(r, 50));
    quitter.close();
    await new Promise((r) => setTimeout(r, 100));
    const s = await open(server.port, transcript);
    await s.startMessage('carol@b.test', ['dave@mail.test']);
    await s.send(crlf('Subject: complete', '', 'whole', '.'));
    await s.expectReply(250, 'another client is still served');
    expect(await listMaildir(root, 'bob', 'new'), 'no partial message in new/').toEqual([]);
    expect(await listMaildir(root, 'bob', 'tmp'), 'and none left in tmp/ either').toEqual([]);
    expect(await readNewMail(root, 'dave')).toHaveLength(1);
  });
});

describe('step 4: PIPELINING and SIZE', () => {
  test('answers pipelined commands in order, all sent in one write', async ({ transcript }) => {
    const { server, root } = await setup();
    const s = await open(server.port, transcript);
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.send(crlf('MAIL FROM:<a@b.test>', 'RCPT TO:<one@mail.test>', 'RCPT TO:<x@elsewhere.test>', 'RCPT TO:<two@mail.test>', 'DATA'));
    await s.expectReply(250, 'the reply to MAIL comes first');
    await s.expectReply(250, 'then RCPT one');
    await s.expectReply(550, 'then the refused RCPT');
    await s.expectReply(250, 'then RCPT two');
    await s.expectReply(354, 'then DATA');
    await s.send(crlf('Subject: piped', '', 'body', '.', 'MAIL FROM:<c@b.test>', 'RCPT TO:<one@mail.test>', 'NOOP', 'QUIT'));
    await s.expectReply(250, 'the message, with commands right behind it in the same write');
    await s.expectReply(250, 'MAIL of the next transaction');
    await s.expectReply(250, 'its RCPT');
    await s.expectReply(250, 'NOOP');
    await s.expectReply(221, 'QUIT');
    expect(await readNewMail(root, 'one')).toHaveLength(1);
    expect(await readNewMail(root, 'two')).toHaveLength(1);
  });

  test('refuses MAIL with a SIZE over the limit with 552', async ({ transcript }) => {
    const { server } = await setup({ maxMessageBytes: 1000 });
    const s = await open(server.port, transcript);
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await s.command('MAIL FROM:<a@b.test> SIZE=1001', 552, 'a declared size over the limit is refused at once');
    await s.command('MAIL FROM:<a@b.test> SIZE=1000 BODY=8BITMIME', 250, 'a size within the limit and BODY=8BITMIME are accepted');
  });

  test('answers 552 after DATA when the message is over the limit and stores nothing', async ({ transcript }) => {
    const { server, root } = await setup({ maxMessageBytes: 2000 });
    const s = await open(server.port, transcript);
    await s.startMessage('alice@b.test', ['bob@mail.test']);
    const line = 'x'.repeat(98);
    await s.send(crlf('Subject: big', '', ...Array.from({ length: 100 }, () => line), '.'));
    await s.expectReply(552, 'a message over the size limit (whatever SIZE said) is refused after the end of data');
    await s.command('MAIL FROM:<a@b.test>', 250, 'the session is back at the start of a transaction');
    await s.command('RCPT TO:<bob@mail.test>', 250, 'RCPT is accepted');
    await s.command('DATA', 354, 'DATA is accepted');
    await s.send(crlf('Subject: small', '', 'fits', '.'));
    await s.expectReply(250, 'a message within the limit is accepted');
    const mail = await readNewMail(root, 'bob');
    expect(mail.map((m) => withoutReceived(m)?.toString('latin1')), 'only the small message is stored').toEqual([crlf('Subject: small', '', 'fits').toString('latin1')]);
  });

  test('answers 500 after DATA when a message line is longer than 1000 octets, and stores nothing', async ({ transcript }) => {
    const { server, root } = await setup();
    const s = await open(server.port, transcript);
    await s.startMessage('alice@b.test', ['bob@mail.test']);
    await s.send(crlf('Subject: long line', '', 'x'.repeat(998), 'ok', '.'));
    await s.expectReply(250, 'a line of exactly 1000 octets with its CRLF is allowed');
    await s.command('MAIL FROM:<a@b.test>', 250, 'MAIL is accepted');
    await s.command('RCPT TO:<bob@mail.test>', 250, 'RCPT is accepted');
    await s.command('DATA', 354, 'DATA is accepted');
    await s.send(crlf('Subject: too long', '', 'y'.repeat(1500), 'after', '.'));
    await s.expectReply(500, 'a message line over 1000 octets cannot be stored faithfully: 500 after the end of data');
    await s.command('NOOP', 250, 'the rest of the long line was not taken for commands');
    expect((await readNewMail(root, 'bob')).map((m) => withoutReceived(m)?.toString('latin1').split('\r\n')[0]), 'only the first message is stored').toEqual(['Subject: long line']);
  });
});

describe('step 5: real clients, many at once', () => {
  test('nodemailer delivers attachments, 8-bit text, dot lines and several recipients byte-exact', async () => {
    const { server, root } = await setup();
    // First let nodemailer build the messages (with CRLF), then send those exact bytes over SMTP.
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    const compose = async (mail: SendMailOptions) => (await composer.sendMail(mail)).message as Buffer;
    const withAttachment = await compose({
      from: 'alice@b.test', to: 'bob@mail.test', subject: 'report',
      text: 'see the attachment', attachments: [{ filename: 'data.bin', content: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256)) }],
    });
    const dotLines = await compose({ from: 'alice@b.test', to: 'bob@mail.test', subject: 'dots', text: '.starts with a dot\n..two dots\n.\nend' });
    expect(dotLines.toString('latin1'), 'the composed message really has lines starting with a dot').toContain('\r\n.starts');
    const eightBit = Buffer.concat([
      Buffer.from('From: alice@b.test\r\nTo: bob@mail.test\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      Buffer.from('Grüße, café, ☃\r\n.ünïcode after a dot\r\n', 'utf8'),
      Buffer.from([0x80, 0xfe, 0xff, 0x0d, 0x0a]),
    ]);
    const sent = [withAttachment, dotLines, eightBit];
    const recipients = ['bob@mail.test', 'Carol@mail.test', 'dave@MAIL.test'];
    const transport = nodemailer.createTransport({ host: server.host, port: server.port, secure: false, ignoreTLS: true });
    try {
      for (const raw of sent) {
        const info = await transport.sendMail({ envelope: { from: 'alice@b.test', to: recipients }, raw });
        expect(info.accepted, 'every recipient accepted').toHaveLength(3);
      }
    } finally {
      transport.close();
    }
    // SMTP messages always end with CRLF; nodemailer adds one if the message lacks it.
    const expected = sent.map((m) => (m.subarray(-2).toString() === '\r\n' ? m : Buffer.concat([m, Buffer.from('\r\n')])).toString('latin1')).sort();
    for (const mailbox of ['bob', 'carol', 'dave']) {
      const stored = (await readNewMail(root, mailbox)).map((m) => withoutReceived(m)?.toString('latin1'));
      expect(stored.sort(), `${mailbox}'s Maildir holds each message exactly once, byte-exact below the Received: header`).toEqual(expected);
      expect(await listMaildir(root, mailbox, 'tmp'), `nothing left in ${mailbox}/tmp/`).toEqual([]);
    }
  });

  test('serves many clients at once', async ({ transcript }) => {
    const { server, root } = await setup();
    // A client that holds a transaction open must not block anyone.
    const idle = await open(server.port, transcript);
    await idle.startMessage('slow@b.test', ['bob@mail.test']);
    const clients = 20;
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const s = await open(server.port);
        await s.startMessage(`c${i}@b.test`, ['bob@mail.test']);
        await s.send(crlf(`Subject: client ${i}`, '', `from client ${i}`, '.'));
        await s.expectReply(250, `client ${i}'s message is accepted`);
        await s.command('QUIT', 221, 'QUIT is answered with 221');
      }),
    );
    const subjects = (await readNewMail(root, 'bob')).map((m) => /Subject: (client \d+)/.exec(m.toString('latin1'))?.[1]).sort();
    expect(subjects).toEqual(Array.from({ length: clients }, (_, i) => `client ${i}`).sort());
    await idle.send(crlf('Subject: slow', '', 'finally', '.'));
    await idle.expectReply(250, 'the slow client is served too');
  });

  test('sends 421 to connected clients when it shuts down', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.command('EHLO client.test', 250, 'EHLO is answered with 250');
    const closing = server.close();
    await s.expectReply(421, 'a client waiting for its next command is told 421 when the server shuts down');
    expect(await s.closedByServer(), 'and the connection is closed').toBe(true);
    await closing;
  });
});
