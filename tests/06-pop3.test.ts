/**
 * Graded tests of exercise 06: a POP3 server (RFC 1939) serving the Maildirs
 * exercise 05 fills. Each test writes mail straight into a fresh Maildir
 * (`<root>/<user>/new/` and `cur/`), then checks the server's replies line
 * by line; node-pop3, a real client, fetches mail that nodemailer delivered
 * over SMTP, byte for byte.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { TimeoutError, startTcpChunkProxy } from '../lib/index.ts';
import { startPop3Server, type Pop3Server, type Pop3ServerOptions } from '@impl/06-pop3/pop3-server.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { crlf, lf, makeMailRoot, onTheWire, readMaildir, removeMailRoot, uniqueNames, wireSize, writeMessage } from './helpers/pop3-maildir.ts';
import { Pop3Script, loginWhenUnlocked } from './helpers/pop3-session.ts';
import { startMaildirMta } from './helpers/pop3-smtp-delivery.ts';
import { destroyNodePop3, nodePop3, retrBytes } from './helpers/pop3-node-pop3.ts';

const test = graded('06-pop3', {
  'greets with +OK, logs in with USER and PASS, and closes after +OK to QUIT': 2,
  'refuses a wrong password and an unknown user with -ERR, and lets the client try again': 2,
  'answers -ERR to mailbox commands before login, and to USER or PASS out of turn': 2,
  'reads verbs in any case': 1,
  'answers an unknown command with -ERR and keeps serving; CAPA gets +OK and a list, or -ERR': 1,
  'locks the maildrop: a second login of the same user gets -ERR while the first session goes on': 2,
  'STAT answers +OK count octets for the messages in new/ and cur/, never tmp/': 2,
  'counts every line end as CRLF: a file with bare LF line ends is larger on the wire': 2,
  'LIST lists every message with its size, LIST n that one message': 2,
  'UIDL gives each Maildir unique name, the same in the next session and after a restart': 2,
  'a user without a Maildir yet has an empty maildrop: +OK 0 0': 1,
  'shows a user only their own mail, and user names never lead outside the Maildir root': 2,
  'RETR sends the message byte-exact, 8-bit bytes included, ended by a line with a single dot': 2,
  'RETR doubles the dot on every line that starts with one': 2,
  'RETR sends a file with bare LF line ends with CRLF, exactly as many octets as LIST said': 2,
  'TOP n k sends the header, the blank line and the first k lines of the body': 2,
  'answers -ERR to message numbers that are 0, not numbers or past the end, and to missing arguments': 1,
  'DELE marks a message: RETR, LIST and DELE of it get -ERR and STAT leaves it out': 2,
  'RSET unmarks every message': 1,
  'QUIT after DELE removes exactly the marked files; the next session sees the rest': 2,
  'deletes nothing when the client vanishes without QUIT, or quits before logging in': 2,
  'moves the messages from new/ to cur/ under the same unique name, losing none': 2,
  'node-pop3 lists, fetches byte-exact and deletes mail that nodemailer delivered over SMTP': 3,
  'serves many clients at once, each seeing only their own maildrop': 2,
  'understands commands that arrive one byte at a time': 2,
  'answers an overlong command line with -ERR (or hangs up) and keeps serving others': 1,
});

const USERS: ReadonlyMap<string, string> = new Map([
  ['bob', 'secret'],
  ['alice', 'wonderland'],
  ['carol', 'c4rol'],
]);

// Registered before closeAfterEach: vitest runs after-hooks newest first, so
// clients and servers are closed before their Maildirs are removed.
const roots: string[] = [];
afterEach(async () => {
  await Promise.allSettled(roots.splice(0).map(removeMailRoot));
});
const track = closeAfterEach();

/** A fresh Maildir root, removed after the test. */
async function mailRoot(): Promise<string> {
  const root = await makeMailRoot();
  roots.push(root);
  return root;
}

/** Starts the server under test on `root`; it is closed after the test. */
async function start(root: string, options: Partial<Pop3ServerOptions> = {}): Promise<Pop3Server> {
  return track(await startPop3Server({ maildir: root, users: USERS, hostname: 'pop.wirelab.test', ...options }));
}

/** A fresh root and the server on it. */
async function setup(options: Partial<Pop3ServerOptions> = {}): Promise<{ server: Pop3Server; root: string }> {
  const root = await mailRoot();
  return { server: await start(root, options), root };
}

/** Connects, checks the +OK greeting; the connection is dropped after the test. */
async function open(port: number, transcript?: Parameters<typeof Pop3Script.open>[1]): Promise<Pop3Script> {
  return track(await Pop3Script.open(port, transcript));
}

/** Three messages of different sizes for bob, one of them already in cur/. */
async function threeMessages(root: string): Promise<{ unique: string; bytes: Buffer }[]> {
  const messages = [
    crlf('From: alice@a.test', 'To: bob@mail.test', 'Subject: one', '', 'First.'),
    crlf('From: carol@c.test', 'To: bob@mail.test', 'Subject: two', '', 'Second,', 'a little longer.'),
    crlf('From: dave@d.test', 'To: bob@mail.test', 'Subject: three', '', 'Third,', 'the longest', 'of them all.'),
  ];
  const folders = ['new', 'new', 'cur'] as const;
  return Promise.all(messages.map(async (bytes, i) => ({ unique: await writeMessage(root, 'bob', bytes, { folder: folders[i]!, flags: 'S' }), bytes })));
}

const sortedSizes = (messages: readonly { bytes: Buffer }[]) => messages.map((m) => wireSize(m.bytes)).sort((a, b) => a - b);
const sum = (numbers: Iterable<number>) => [...numbers].reduce((a, b) => a + b, 0);
const asText = (bytes: Buffer | undefined) => bytes?.toString('latin1');

describe('step 1: greeting and login', () => {
  test('greets with +OK, logs in with USER and PASS, and closes after +OK to QUIT', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.ok('USER bob', 'USER names a user the server knows');
    await s.ok('PASS secret', "PASS with bob's password logs in");
    await s.ok('NOOP', 'NOOP after login does nothing and says +OK');
    await s.quit('QUIT is answered with +OK, then the server closes the connection');
  });

  test('refuses a wrong password and an unknown user with -ERR, and lets the client try again', async ({ transcript }) => {
    const { server, root } = await setup();
    await writeMessage(root, 'bob', crlf('Subject: for bob', '', 'hello'));
    const s = await open(server.port, transcript);
    await s.ok('USER bob', 'USER names a user the server knows');
    await s.err('PASS Secret', 'a wrong password (passwords are case-sensitive) is refused with -ERR');
    await s.ok('USER alice', 'after a failed login the client may start again with USER');
    await s.err('PASS secret', "bob's password is not alice's: -ERR");
    // The server may refuse an unknown name at once, or (telling nobody who exists) only after PASS.
    await s.send('USER mallory\r\n');
    if ((await s.reply()).ok) await s.err('PASS secret', 'a user the server does not know cannot log in: -ERR');
    await s.login('bob', 'secret');
    await s.ok('NOOP', 'after the failed attempts, the right password logged in');
  });

  test('answers -ERR to mailbox commands before login, and to USER or PASS out of turn', async ({ transcript }) => {
    const { server, root } = await setup();
    await threeMessages(root);
    const s = await open(server.port, transcript);
    for (const command of ['STAT', 'LIST', 'LIST 1', 'RETR 1', 'TOP 1 0', 'DELE 1', 'UIDL', 'UIDL 1', 'RSET']) {
      await s.err(command, `${command.split(' ')[0]} before login is refused with -ERR: the session is still in the AUTHORIZATION state`);
    }
    await s.err('PASS secret', 'PASS without USER before it is refused with -ERR');
    await s.login('bob', 'secret');
    await s.err('USER alice', 'USER after login is refused with -ERR: the session is in the TRANSACTION state');
    await s.err('PASS secret', 'PASS after login is refused with -ERR');
    await s.quit();
    expect(await uniqueNames(root, 'bob'), 'the DELE refused before login deleted nothing').toHaveLength(3);
  });

  test('reads verbs in any case', async ({ transcript }) => {
    const { server, root } = await setup();
    await writeMessage(root, 'bob', crlf('Subject: case', '', 'any case will do'));
    const s = await open(server.port, transcript);
    await s.err('stat', 'stat is STAT, and STAT before login is -ERR');
    await s.ok('user bob', 'verbs are case-insensitive: user is USER');
    await s.ok('pAsS secret', 'pAsS is PASS');
    await s.ok('noop', 'noop is NOOP');
    await s.ok('NoOp', 'NoOp is NOOP');
    await s.quit('quit is QUIT: +OK, then the server closes the connection');
  });

  test('answers an unknown command with -ERR and keeps serving; CAPA gets +OK and a list, or -ERR', async ({ transcript }) => {
    const { server } = await setup();
    const s = await open(server.port, transcript);
    await s.err('XYZZY', 'an unknown command is answered with -ERR');
    // Clients often start with CAPA (RFC 2449): a server without it says -ERR, one with it lists its capabilities.
    await s.send('CAPA\r\n');
    if ((await s.reply()).ok) await s.readBody('the capability list');
    await s.login('bob', 'secret');
    await s.err('XYZZY plugh', 'an unknown command after login is answered with -ERR too');
    await s.send('CAPA\r\n');
    if ((await s.reply()).ok) await s.readBody('the capability list');
    await s.ok('NOOP', 'the session goes on after the unknown commands');
  });

  test('locks the maildrop: a second login of the same user gets -ERR while the first session goes on', async ({ transcript }) => {
    const { server, root } = await setup();
    await threeMessages(root);
    const first = await open(server.port, transcript);
    await first.login('bob', 'secret');
    const second = await open(server.port, transcript);
    await second.ok('USER bob', 'USER names a user the server knows');
    await second.err('PASS secret', "bob's maildrop is locked by the first session: the second login gets -ERR");
    await first.ok('NOOP', 'the first session goes on');
    await first.quit();
    const third = track(await loginWhenUnlocked(server.port, 'bob', 'secret', 3000, transcript));
    await third.ok('NOOP', 'after QUIT the maildrop is free again: the next session logs in');
  });
});

describe('step 2: STAT, LIST and UIDL', () => {
  test('STAT answers +OK count octets for the messages in new/ and cur/, never tmp/', async ({ transcript }) => {
    const { server, root } = await setup();
    const messages = await threeMessages(root);
    await writeMessage(root, 'bob', crlf('Subject: half written', '', 'an MTA is still writing this'), { folder: 'tmp' });
    await writeMessage(root, 'alice', crlf('Subject: for alice', '', 'not for bob'));
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const stat = await s.stat();
    if (stat.count !== 3) transcript.expect('expected 3 messages: two in new/, one in cur/ (tmp/ holds mail still being delivered)', 'server');
    expect(stat, 'STAT counts new/ and cur/ and adds up their sizes').toEqual({ count: 3, octets: sum(messages.map((m) => m.bytes.length)) });
  });

  test('counts every line end as CRLF: a file with bare LF line ends is larger on the wire', async ({ transcript }) => {
    const { server, root } = await setup();
    const unix = lf('From: alice@a.test', 'Subject: written by a Unix tool', '', 'line one', 'line two');
    const dos = crlf('Subject: written with CRLF', '', 'one line');
    await writeMessage(root, 'bob', unix);
    await writeMessage(root, 'bob', dos);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const stat = await s.stat();
    const octets = unix.length + 5 + dos.length;
    if (stat.octets !== octets) transcript.expect(`expected ${octets} octets: the LF file's ${unix.length} bytes + 5 CRs it gets on the wire + ${dos.length}`, 'server');
    expect(stat).toEqual({ count: 2, octets });
    expect([...(await s.list()).values()].sort((a, b) => a - b), 'LIST counts the same way').toEqual([dos.length, unix.length + 5].sort((a, b) => a - b));
  });

  test('LIST lists every message with its size, LIST n that one message', async ({ transcript }) => {
    const { server, root } = await setup();
    const messages = await threeMessages(root);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const listing = await s.list();
    expect([...listing.keys()].sort(), 'the messages are numbered 1, 2, 3').toEqual([1, 2, 3]);
    expect([...listing.values()].sort((a, b) => a - b), 'each with its size in octets').toEqual(sortedSizes(messages));
    for (const [n, size] of listing) expect(await s.listOne(n, `LIST ${n} is answered "+OK ${n} size"`), `LIST ${n} agrees with LIST`).toBe(size);
  });

  test('UIDL gives each Maildir unique name, the same in the next session and after a restart', async ({ transcript }) => {
    const root = await mailRoot();
    let server = await start(root);
    const messages = await threeMessages(root);
    const sizeOf = new Map(messages.map((m) => [m.unique, wireSize(m.bytes)]));
    /** One session: unique-id → size, checking UIDL n against UIDL. */
    const session = async (port: number): Promise<Map<string, number>> => {
      const s = await open(port, transcript);
      await s.login('bob', 'secret');
      const uids = await s.uidl();
      const sizes = await s.list();
      const result = new Map<string, number>();
      for (const [n, uid] of uids) {
        expect(await s.uidlOne(n, `UIDL ${n} is answered "+OK ${n} unique-id"`), `UIDL ${n} agrees with UIDL`).toBe(uid);
        result.set(uid, sizes.get(n)!);
      }
      await s.quit();
      return result;
    };
    const first = await session(server.port);
    expect([...first.keys()].sort(), "the unique-ids are the files' unique names (the name up to ':')").toEqual([...sizeOf.keys()].sort());
    expect(first, 'each unique-id belongs to its own message').toEqual(sizeOf);
    expect(await session(server.port), 'the next session sees the same unique-ids (though the files may have moved to cur/)').toEqual(sizeOf);
    await server.close();
    server = await start(root);
    expect(await session(server.port), 'a restarted server sees the same unique-ids').toEqual(sizeOf);
  });

  test('a user without a Maildir yet has an empty maildrop: +OK 0 0', async ({ transcript }) => {
    const { server, root } = await setup();
    await writeMessage(root, 'bob', crlf('Subject: for bob', '', 'not for carol'));
    const s = await open(server.port, transcript);
    await s.login('carol', 'c4rol');
    expect(await s.stat('carol has no Maildir yet: STAT is +OK 0 0'), 'an empty maildrop').toEqual({ count: 0, octets: 0 });
    expect((await s.list()).size, 'LIST lists nothing').toBe(0);
    expect((await s.uidl()).size, 'UIDL lists nothing').toBe(0);
    await s.err('RETR 1', 'there is no message 1');
    await s.quit();
  });

  test('shows a user only their own mail, and user names never lead outside the Maildir root', async ({ transcript }) => {
    const base = await mailRoot();
    const root = path.join(base, 'mail');
    await mkdir(root);
    const outside = crlf('Subject: outside the Maildir root', '', 'never to be served');
    await writeMessage(base, 'outside', outside); // what "../outside" would reach
    await writeMessage(base, 'mail', outside); // <root>/new/: what "." would reach
    const forBob = crlf('Subject: for bob', '', 'only bob reads this');
    await writeMessage(root, 'bob', forBob);
    await writeMessage(root, 'alice', crlf('Subject: for alice', '', 'only alice reads this'));
    await writeMessage(root, 'alice', crlf('Subject: for alice too', '', 'only alice reads this'));
    const risky = ['../outside', 'x/../alice', '.', 'bob/../alice', 'alice/cur/..'];
    const users = new Map([...USERS, ...risky.map((name) => [name, 'pw'] as const)]);
    // A server may refuse to start with such names in its users list; then only its own mail is checked.
    const server = await startPop3Server({ maildir: root, users, hostname: 'pop.wirelab.test' }).then(track, () => undefined) ?? (await start(root));
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    expect(await s.stat('bob sees his one message'), "not alice's").toEqual({ count: 1, octets: forBob.length });
    expect(asText(await s.retr(1))).toBe(asText(forBob));
    await s.quit();
    for (const name of risky) {
      const t = await open(server.port, transcript);
      await t.send(`USER ${name}\r\n`);
      if ((await t.reply()).ok) {
        await t.send('PASS pw\r\n');
        if ((await t.reply()).ok) {
          const stat = await t.stat(`the user called ${name} has no Maildir of its own`);
          if (stat.count !== 0) transcript.expect(`expected +OK 0 0: "${name}" must never be used as a path unchecked`, 'server');
          expect(stat, `"${name}" sees no mail: not the mail outside the root, not alice's`).toEqual({ count: 0, octets: 0 });
        }
      }
      t.close();
    }
  });
});

describe('step 3: RETR and TOP', () => {
  test('RETR sends the message byte-exact, 8-bit bytes included, ended by a line with a single dot', async ({ transcript }) => {
    const { server, root } = await setup();
    const eightBit = Buffer.concat([
      crlf('From: alice@a.test', 'To: bob@mail.test', 'Subject: 8bit', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', ''),
      Buffer.from('Grüße, café, ☃\r\n', 'utf8'),
      Buffer.from([0x80, 0xfe, 0xff, 0x01, 0x09, 0x20, 0x0d, 0x0a]),
      crlf('', `${'long line '.repeat(95)}end`, '   indented', 'last line'),
    ]);
    const plain = crlf('From: carol@c.test', 'Subject: plain', '', 'Hello Bob.');
    await writeMessage(root, 'bob', eightBit);
    await writeMessage(root, 'bob', plain);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const listing = await s.list();
    const got: string[] = [];
    for (const [n, size] of listing) {
      const message = await s.retr(n);
      expect(message.length, `RETR ${n} sends as many octets as LIST ${n} said`).toBe(size);
      got.push(asText(message)!);
    }
    expect(got.sort(), 'RETR sends each message exactly as stored').toEqual([asText(eightBit), asText(plain)].sort());
    expect((await s.stat('RETR does not delete')).count).toBe(2);
  });

  test('RETR doubles the dot on every line that starts with one', async ({ transcript }) => {
    const { server, root } = await setup();
    const message = crlf('Subject: dots', '', '.', '..', '.hidden', 'a.b', '. ', 'end.', '.');
    await writeMessage(root, 'bob', message);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const { raw } = await s.multiline('RETR 1', 'RETR 1 is answered +OK and the message');
    const stuffed = ['Subject: dots', '', '..', '...', '..hidden', 'a.b', '.. ', 'end.', '..'];
    if (raw.length !== stuffed.length) transcript.expect('expected every line starting with "." to be sent with one more dot, so that only the last "." ends the message', 'server');
    expect(raw.map(asText), 'each line that starts with a dot gets one more on the wire').toEqual(stuffed);
  });

  test('RETR sends a file with bare LF line ends with CRLF, exactly as many octets as LIST said', async ({ transcript }) => {
    const { server, root } = await setup();
    const unix = lf('From: alice@a.test', 'Subject: unix', '', '.dot line', 'plain line', '');
    await writeMessage(root, 'bob', unix);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const size = await s.listOne(1, 'LIST 1 gives its size on the wire');
    const message = await s.retr(1);
    expect(asText(message), 'each LF is sent as CRLF (a bare LF is never a POP3 line end)').toBe(asText(onTheWire(unix)));
    expect(size, 'LIST counted the CRs the server adds').toBe(message.length);
  });

  test('TOP n k sends the header, the blank line and the first k lines of the body', async ({ transcript }) => {
    const { server, root } = await setup();
    const header = ['From: alice@a.test', 'Subject: top', 'X-Folded: a header', '  folded over two lines', ''];
    const body = ['line 1', '.line 2 starts with a dot', '', 'line 4', 'line 5'];
    await writeMessage(root, 'bob', crlf(...header, ...body));
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    for (const k of [0, 2, 3]) {
      const { lines } = await s.multiline(`TOP 1 ${k}`, `TOP 1 ${k} is answered +OK, the header, a blank line and ${k} body lines`);
      expect(lines.map(asText), `TOP 1 ${k}: the header, the blank line, then ${k} lines of the body (dots stuffed as in RETR)`).toEqual([...header, ...body.slice(0, k)]);
    }
    const { lines } = await s.multiline('TOP 1 100', 'TOP 1 100 is answered +OK');
    expect(lines.map(asText), 'asking for more lines than the body has sends the whole message').toEqual([...header, ...body]);
    await s.err('TOP 2 0', 'there is no message 2: -ERR');
    expect(asText(await s.retr(1)), 'RETR still sends the whole message').toBe(asText(crlf(...header, ...body)));
  });

  test('answers -ERR to message numbers that are 0, not numbers or past the end, and to missing arguments', async ({ transcript }) => {
    const { server, root } = await setup();
    await writeMessage(root, 'bob', crlf('Subject: one', '', '1'));
    await writeMessage(root, 'bob', crlf('Subject: two', '', '2'));
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    for (const verb of ['LIST', 'UIDL', 'RETR', 'TOP', 'DELE']) {
      for (const n of ['0', '3', '-1', 'one', '99999999999999999999']) {
        const line = verb === 'TOP' ? `TOP ${n} 1` : `${verb} ${n}`;
        await s.err(line, `there are messages 1 and 2 only: "${n}" is not one of them`);
      }
    }
    for (const line of ['RETR', 'DELE', 'TOP 1', 'TOP 1 x', 'TOP 1 -1']) await s.err(line, `${line} lacks a valid argument: -ERR`);
    expect(await s.stat('the session goes on'), 'no DELE succeeded').toMatchObject({ count: 2 });
  });
});

describe('step 4: DELE, RSET, QUIT and the UPDATE state', () => {
  test('DELE marks a message: RETR, LIST and DELE of it get -ERR and STAT leaves it out', async ({ transcript }) => {
    const { server, root } = await setup();
    const messages = await threeMessages(root);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const listing = await s.list();
    await s.ok('DELE 2', 'DELE 2 marks message 2 as deleted');
    for (const command of ['RETR 2', 'TOP 2 0', 'LIST 2', 'UIDL 2', 'DELE 2']) await s.err(command, `${command.split(' ')[0]} of a message marked as deleted is refused with -ERR`);
    expect(await s.stat('STAT after DELE'), 'STAT leaves the marked message out').toEqual({ count: 2, octets: sum(messages.map((m) => m.bytes.length)) - listing.get(2)! });
    const after = await s.list();
    expect([...after.keys()].sort(), 'LIST leaves it out; the other messages keep their numbers').toEqual([1, 3]);
    expect(after.get(3), 'message 3 is still the same message').toBe(listing.get(3));
    await s.retr(3, 'RETR 3 still works');
  });

  test('RSET unmarks every message', async ({ transcript }) => {
    const { server, root } = await setup();
    const messages = await threeMessages(root);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    await s.ok('DELE 1', 'DELE 1 marks message 1');
    await s.ok('DELE 3', 'DELE 3 marks message 3');
    await s.ok('RSET', 'RSET is answered with +OK');
    expect(await s.stat('STAT after RSET'), 'every message is back').toEqual({ count: 3, octets: sum(messages.map((m) => m.bytes.length)) });
    await s.retr(1, 'RETR 1 works again after RSET');
    await s.quit();
    expect(await uniqueNames(root, 'bob'), 'QUIT after RSET deletes nothing').toEqual(messages.map((m) => m.unique).sort());
  });

  test('QUIT after DELE removes exactly the marked files; the next session sees the rest', async ({ transcript }) => {
    const { server, root } = await setup();
    const messages = await threeMessages(root);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    const listing = await s.list();
    // Pick the middle-sized message by its size: it is the one to delete.
    const doomed = messages[1]!;
    const n = [...listing].find(([, size]) => size === doomed.bytes.length)?.[0];
    expect(n, 'LIST shows the message to delete').toBeDefined();
    await s.ok(`DELE ${n}`, `DELE ${n} marks the message`);
    await s.quit('QUIT after DELE is answered +OK once the marked message is gone');
    const kept = messages.filter((m) => m !== doomed);
    expect(await uniqueNames(root, 'bob'), 'exactly the marked file is gone from the Maildir').toEqual(kept.map((m) => m.unique).sort());
    const next = await open(server.port, transcript);
    await next.login('bob', 'secret');
    expect(await next.stat('the next session'), 'sees the two other messages').toEqual({ count: 2, octets: sum(kept.map((m) => m.bytes.length)) });
  });

  test('deletes nothing when the client vanishes without QUIT, or quits before logging in', async ({ transcript }) => {
    const { server, root } = await setup();
    const messages = await threeMessages(root);
    const all = messages.map((m) => m.unique).sort();
    const vanisher = await open(server.port, transcript);
    await vanisher.login('bob', 'secret');
    await vanisher.ok('DELE 1', 'DELE 1 marks message 1');
    await vanisher.ok('DELE 2', 'DELE 2 marks message 2');
    vanisher.close();
    const s = track(await loginWhenUnlocked(server.port, 'bob', 'secret', 3000, transcript));
    expect(await s.stat('the session after the one that vanished'), 'sees all three messages').toMatchObject({ count: 3 });
    await s.quit();
    expect(await uniqueNames(root, 'bob'), 'a session that ends without QUIT never enters UPDATE: no file deleted').toEqual(all);
    const early = await open(server.port, transcript);
    await early.ok('USER bob', 'USER names a user the server knows');
    await early.quit('QUIT before PASS is answered +OK and closes the connection');
    expect(await uniqueNames(root, 'bob'), 'QUIT in the AUTHORIZATION state deletes nothing').toEqual(all);
  });

  test('moves the messages from new/ to cur/ under the same unique name, losing none', async ({ transcript }) => {
    const { server, root } = await setup();
    const messages = await threeMessages(root);
    const s = await open(server.port, transcript);
    await s.login('bob', 'secret');
    for (const n of (await s.list()).keys()) await s.retr(n);
    await s.quit();
    const stored = await readMaildir(root, 'bob', ['tmp', 'new', 'cur']);
    expect(stored.filter((m) => m.folder !== 'cur').map((m) => m.file), 'after a session, nothing is left in new/ (nor in tmp/)').toEqual([]);
    for (const m of stored) expect(m.file, 'a file in cur/ is NAME:2,FLAGS').toMatch(/^[^:]+:2,[A-Za-z]*$/);
    expect(stored.map((m) => m.unique).sort(), 'every message is in cur/ under its unique name').toEqual(messages.map((m) => m.unique).sort());
    for (const m of messages) expect(asText(stored.find((x) => x.unique === m.unique)?.bytes), 'and its contents are untouched').toBe(asText(m.bytes));
  });
});

describe('step 5: real clients and robustness', () => {
  test('node-pop3 lists, fetches byte-exact and deletes mail that nodemailer delivered over SMTP', async ({ transcript }) => {
    const root = await mailRoot();
    const mta = track(await startMaildirMta(root));
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    const compose = async (mail: SendMailOptions) => (await composer.sendMail(mail)).message as Buffer;
    const sent = [
      await compose({
        from: 'alice@a.test', to: 'bob@mail.test', subject: 'report', text: 'see the attachment',
        attachments: [{ filename: 'data.bin', content: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256)) }],
      }),
      await compose({ from: 'alice@a.test', to: 'bob@mail.test', subject: 'dots', text: '.starts with a dot\n..two dots\n.\nend' }),
      Buffer.concat([
        crlf('From: alice@a.test', 'To: bob@mail.test', 'Subject: 8bit', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', ''),
        Buffer.from('Grüße, café, ☃\r\n.ünïcode after a dot\r\n', 'utf8'),
        Buffer.from([0x80, 0xfe, 0xff, 0x0d, 0x0a]),
      ]),
    ];
    const smtp = nodemailer.createTransport({ host: mta.host, port: mta.port, secure: false, ignoreTLS: true });
    try {
      for (const raw of sent) await smtp.sendMail({ envelope: { from: 'alice@a.test', to: ['bob@mail.test'] }, raw });
      await smtp.sendMail({ envelope: { from: 'bob@mail.test', to: ['alice@mail.test'] }, raw: crlf('Subject: for alice', '', 'not for bob') });
    } finally {
      smtp.close();
    }
    const unix = lf('From: cron@localhost', 'Subject: written by a Unix tool', '', '.hidden', 'bye');
    const stored = new Map(mta.delivered.filter((d) => d.user === 'bob').map((d) => [d.unique, d.bytes]));
    stored.set(await writeMessage(root, 'bob', unix), unix);
    expect(stored.size, 'the MTA filed three messages for bob').toBe(4);

    const server = await start(root);
    // The proxy only records the dialogue for the transcript; it passes every byte on as it comes.
    const proxy = track(await startTcpChunkProxy({ target: { host: server.host, port: server.port }, transcript }));
    const client = nodePop3(proxy.port, 'bob', 'secret');
    track({ close: () => destroyNodePop3(client) });
    const total = sum([...stored.values()].map(wireSize));
    const stat = await client.STAT();
    if (!new RegExp(`^4 ${total}\\b`).test(stat)) transcript.expect(`expected +OK 4 ${total}: four messages, every line end counted as CRLF`, 'server');
    expect(stat, 'node-pop3 reads STAT as "count octets"').toMatch(new RegExp(`^4 ${total}\\b`));
    const sizes = new Map(((await client.LIST()) as string[][]).map((row) => [Number(row[0]), Number(row[1])]));
    const uids = (await client.UIDL()) as string[][];
    if (uids.length !== 4) transcript.expect('expected a unique-id listing of the four messages', 'server');
    expect(uids.map((row) => row[1]).sort(), 'node-pop3 reads the Maildir unique names with UIDL').toEqual([...stored.keys()].sort());
    for (const [n, uid] of uids) {
      const expected = onTheWire(stored.get(uid!)!);
      const fetched = await retrBytes(client, Number(n));
      if (!fetched.equals(expected)) transcript.expect(`expected message ${n} exactly as stored, CRLF line ends, dots stuffed`, 'server');
      expect(asText(fetched), `node-pop3 fetches message ${n} (${uid}) byte for byte`).toBe(asText(expected));
      expect(sizes.get(Number(n)), `LIST ${n} gave its size`).toBe(expected.length);
    }
    const doomed = mta.delivered.find((d) => d.user === 'bob' && d.bytes.includes('Subject: dots'))!.unique;
    const doomedNumber = uids.find((row) => row[1] === doomed)![0]!;
    await client.DELE(Number(doomedNumber));
    await client.QUIT();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await uniqueNames(root, 'bob'), 'after QUIT the deleted message is gone').toEqual([...stored.keys()].filter((u) => u !== doomed).sort());
    const again = nodePop3(server.port, 'bob', 'secret');
    track({ close: () => destroyNodePop3(again) });
    expect(await again.STAT(), 'a new session sees one message fewer').toMatch(/^3 /);
    await again.QUIT();
  }, 15_000);

  test('serves many clients at once, each seeing only their own maildrop', async ({ transcript }) => {
    const root = await mailRoot();
    const users = new Map<string, string>(Array.from({ length: 12 }, (_, i) => [`user${i}`, `pw${i}`] as const));
    users.set('idle', 'idle');
    const server = await start(root, { users });
    for (const name of users.keys()) {
      await writeMessage(root, name, crlf(`Subject: first for ${name}`, '', `hello ${name}`));
      await writeMessage(root, name, crlf(`Subject: second for ${name}`, '', `bye ${name}`));
    }
    // A logged-in client that just sits there must not hold up anyone.
    const idle = await open(server.port, transcript);
    await idle.login('idle', 'idle');
    await Promise.all(
      [...users].filter(([name]) => name !== 'idle').map(async ([name, password]) => {
        const s = await open(server.port);
        await s.login(name, password);
        const listing = await s.list();
        expect(listing.size, `${name} has two messages`).toBe(2);
        for (const n of listing.keys()) expect(asText(await s.retr(n)), `${name} gets their own mail`).toMatch(new RegExp(`^Subject: (first|second) for ${name}\\r\\n`));
        await s.ok(`DELE 1`, 'DELE 1 marks message 1');
        await s.quit();
      }),
    );
    for (const name of users.keys()) if (name !== 'idle') expect(await uniqueNames(root, name), `${name}'s QUIT deleted one of their messages`).toHaveLength(1);
    expect(await idle.stat('the idle client is still served'), 'and still sees both its messages').toMatchObject({ count: 2 });
    await idle.quit();
  });

  test('understands commands that arrive one byte at a time', async ({ transcript }) => {
    const { server, root } = await setup();
    const message = crlf('Subject: byte by byte', '', '.a dot line', 'the end');
    await writeMessage(root, 'bob', message);
    await writeMessage(root, 'bob', crlf('Subject: another', '', 'x'));
    // Every byte in both directions in its own write: the server must put lines together itself.
    const proxy = track(await startTcpChunkProxy({ target: { host: server.host, port: server.port }, seed: 'pop3', maxChunk: 1 }));
    const s = await open(proxy.port, transcript);
    await s.login('bob', 'secret');
    expect((await s.stat()).count).toBe(2);
    const listing = await s.list();
    const n = [...listing].find(([, size]) => size === message.length)?.[0] ?? 1;
    expect(asText(await s.retr(n)), 'RETR arrives whole, byte-exact').toBe(asText(message));
    await s.ok(`DELE ${n}`, `DELE ${n} marks the message`);
    await s.quit();
    expect(await readMaildir(root, 'bob'), 'the QUIT that came byte by byte deleted the message').toHaveLength(1);
  });

  test('answers an overlong command line with -ERR (or hangs up) and keeps serving others', async ({ transcript }) => {
    const { server, root } = await setup();
    await writeMessage(root, 'alice', crlf('Subject: for alice', '', 'hello'));
    const s = await open(server.port, transcript);
    // RFC 2449 caps a command line at 255 octets; this one has 2000 (a server that never says -ERR to USER would say +OK).
    await s.send(`USER ${'x'.repeat(1993)}\r\n`);
    /** The next line, or null if the server hung up; silence fails. */
    const lineOrHangUp = async (): Promise<Buffer | null> => {
      try {
        return await s.conn.readLineBytes({ timeoutMs: 3000 });
      } catch (error) {
        if (!(error instanceof TimeoutError)) return null;
        transcript.expect('expected -ERR (or the server hanging up), not silence');
        throw error;
      }
    };
    const first = await lineOrHangUp();
    if (first !== null) {
      if (!asText(first)!.startsWith('-ERR')) transcript.expect('expected -ERR: a command line of 2000 octets is too long', 'server');
      expect(asText(first), 'an overlong line is answered with -ERR').toMatch(/^-ERR/);
      const next = await s.send('USER bob\r\n').then(lineOrHangUp, () => null);
      if (next !== null) {
        if (!asText(next)!.startsWith('+OK')) transcript.expect('expected +OK to USER bob: the rest of the long line must not be taken for commands', 'server');
        expect(asText(next), 'one -ERR for the long line, then the session goes on').toMatch(/^\+OK/);
        await s.ok('PASS secret', 'and the client can log in');
      }
    }
    const other = await open(server.port);
    await other.login('alice', 'wonderland');
    expect(await other.stat('another client is served as usual')).toMatchObject({ count: 1 });
    await other.quit();
  });
});
