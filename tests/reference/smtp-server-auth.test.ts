/**
 * SMTP AUTH (RFC 4954: PLAIN, RFC 4616, and LOGIN) and the relay policy of
 * the reference SMTP server, which exercise 07's mail server builds on. Real
 * clients (nodemailer, and swaks where installed) log in and relay; scripted
 * sessions poke every branch of the dialogue: challenges, cancel, malformed
 * base64, wrong mechanisms, wrong order, wrong passwords. Run against solutions/.
 *
 *   C: AUTH PLAIN AGFsaWNlAHNlY3JldA==      base64 of "\0alice\0secret"
 *   S: 235 2.7.0 authentication successful
 *   C: RCPT TO:<bob@b.test>                 another domain: fine now that we know alice
 */
import { afterEach, describe, expect, test } from 'vitest';
import nodemailer from 'nodemailer';
import { startSmtpServer, type AcceptedMessage, type SmtpServerOptions } from '@impl/05-smtp-server/smtp-server.ts';
import fc from 'fast-check';
import { awaitsSaslResponse, credentialsChecked, decodeBase64, handleSaslResponse, parsePlainResponse } from '@impl/05-smtp-server/auth.ts';
import { handleCommand, initialState, sessionConfig } from '@impl/05-smtp-server/session.ts';
import { makeRecipientPolicy } from '@impl/05-smtp-server/recipients.ts';
import { REPLY } from '@impl/05-smtp-server/smtp-constants.ts';
import { SmtpScript } from '../helpers/smtp-session.ts';
import { maildirServerAfterEach } from '../helpers/smtp-maildir-server.ts';
import { readNewMail, withoutReceived } from '../helpers/smtp-session-maildir.ts';
import { findTool, runTool } from '../helpers/cli-process.ts';

const DOMAIN = 'a.test';
const USERS = new Map([
  ['alice', 'secret'],
  ['carol', 'pässwörd'],
]);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const PLAIN_ALICE = b64('\0alice\0secret');

const swaks = await findTool(['swaks'], ['--version']);
const startServer = maildirServerAfterEach();
let sessions: SmtpScript[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

/** A server for a.test that knows USERS, relays for whoever logged in, and records what it would deliver. */
async function relayServer(options: Partial<SmtpServerOptions> = {}): Promise<{ port: number; delivered: AcceptedMessage[]; relayAsked: Array<{ user: string | undefined; clientAddress: string }> }> {
  const delivered: AcceptedMessage[] = [];
  const relayAsked: Array<{ user: string | undefined; clientAddress: string }> = [];
  const { server } = await startServer({
    domains: [DOMAIN],
    hostname: 'mx.a.test',
    authenticate: (user, password) => USERS.get(user) === password,
    mayRelay: (session) => {
      relayAsked.push({ ...session });
      return session.user !== undefined;
    },
    deliver: async (message) => void delivered.push(message),
    ...options,
  });
  return { port: server.port, delivered, relayAsked };
}

/** Opens a session (greeting checked) that is closed after the test. */
async function open(port: number, ehlo = true): Promise<SmtpScript> {
  const s = await SmtpScript.open(port);
  sessions.push(s);
  if (ehlo) await s.command('EHLO client.test', 250, 'EHLO');
  return s;
}

const text = (message: AcceptedMessage) => withoutReceived(Buffer.concat(message.parts))?.toString('utf8');

describe('real clients log in and relay', () => {
  test.each(['PLAIN', 'LOGIN'] as const)('nodemailer with AUTH %s sends to another domain and to a local mailbox', async (authMethod) => {
    const { port, delivered } = await relayServer();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, auth: { user: 'carol', pass: 'pässwörd' }, authMethod });
    try {
      const info = await transport.sendMail({ from: 'carol@a.test', to: ['Bob@b.test', 'alice@a.test'], subject: `via ${authMethod}`, text: 'hello over there' });
      expect(info.accepted).toEqual(['Bob@b.test', 'alice@a.test']);
      expect(info.response).toMatch(/^250 .*delivered to 1 mailbox, queued for relay to 1 recipient/);
    } finally {
      transport.close();
    }
    expect(delivered).toHaveLength(1);
    const [message] = delivered;
    expect(message).toMatchObject({ from: 'carol@a.test', remote: ['Bob@b.test'], mailboxes: ['alice'] });
    expect(text(message!)).toMatch(new RegExp(`Subject: via ${authMethod}\\r\\n[^]*hello over there`));
  });

  test('nodemailer with a wrong password is refused with 535 and nothing is sent', async () => {
    const { port, delivered } = await relayServer();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, auth: { user: 'alice', pass: 'guess' }, authMethod: 'PLAIN' });
    try {
      await expect(transport.sendMail({ from: 'alice@a.test', to: 'bob@b.test', text: 'x' })).rejects.toMatchObject({ responseCode: 535 });
    } finally {
      transport.close();
    }
    expect(delivered).toEqual([]);
  });

  test.skipIf(swaks === undefined)(`swaks --auth PLAIN relays${swaks === undefined ? ' (skipped: swaks is not installed; apt-get install swaks)' : ''}`, async () => {
    const { port, delivered } = await relayServer();
    const run = await runTool(
      swaks!,
      ['--server', '127.0.0.1', '--port', String(port), '--helo', 'client.test', '--from', 'alice@a.test', '--to', 'bob@b.test', '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'secret', '--timeout', '5'],
      15_000,
    );
    const output = `exit ${run.code}\n${run.stdout.toString('latin1')}${run.stderr.toString('latin1')}`;
    expect(run.code, output).toBe(0);
    expect(output).toMatch(/^<- {2}235 /m);
    expect(output).toMatch(/^<- {2}250 .*queued for relay to 1 recipient/m);
    expect(delivered.map((m) => ({ from: m.from, remote: m.remote, mailboxes: m.mailboxes }))).toEqual([{ from: 'alice@a.test', remote: ['bob@b.test'], mailboxes: [] }]);
  }, 20_000);
});

describe('the AUTH dialogue', () => {
  test('EHLO offers AUTH PLAIN LOGIN; PLAIN with an initial response logs in, then RCPT to another domain is relayed', async () => {
    const { port, delivered, relayAsked } = await relayServer();
    const s = await open(port, false);
    const ehlo = await s.command('EHLO client.test', 250, 'EHLO');
    expect(ehlo.lines).toContain('AUTH PLAIN LOGIN');
    await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 235, 'good credentials');
    await s.command('MAIL FROM:<alice@a.test> AUTH=<> SIZE=100', 250, 'MAIL with the AUTH= parameter of RFC 4954 §5');
    await s.command('RCPT TO:<Bob@B.test>', 250, 'an authenticated user may relay');
    await s.command('RCPT TO:<Bob@B.test>', 250, 'a duplicate remote recipient is fine (kept once)');
    await s.command('DATA', 354, 'DATA with only remote recipients');
    await s.send('Subject: relayed\r\n\r\nhi\r\n.\r\n');
    const done = await s.expectReply(250, 'stored for relay');
    expect(done.lines[0]).toMatch(/ queued for relay to 1 recipient$/);
    expect(delivered.map((m) => [m.from, m.remote, m.mailboxes])).toEqual([['alice@a.test', ['Bob@B.test'], []]]);
    expect(relayAsked.at(-1)).toEqual({ user: 'alice', clientAddress: '127.0.0.1' });
  });

  test('PLAIN without an initial response: 334, then the response line', async () => {
    const { port } = await relayServer();
    const s = await open(port);
    const challenge = await s.command('auth plain', 334, 'PLAIN without initial response gets an empty challenge');
    expect(challenge.lines).toEqual(['']);
    await s.command(PLAIN_ALICE, 235, 'the response line logs in');
    await s.command('AUTH PLAIN', 503, 'a second AUTH after success');
    await s.command('NOOP', 250, 'the session goes on');
  });

  test('LOGIN: Username: and Password: challenges, and a user name as initial response', async () => {
    const { port } = await relayServer();
    const s = await open(port);
    expect((await s.command('AUTH LOGIN', 334, 'LOGIN asks for the user name')).lines).toEqual(['VXNlcm5hbWU6']);
    expect((await s.command(b64('alice'), 334, 'then for the password')).lines).toEqual(['UGFzc3dvcmQ6']);
    await s.command(b64('secret'), 235, 'good credentials');

    const t = await open(port);
    expect((await t.command(`AUTH LOGIN ${b64('carol')}`, 334, 'user name given on the AUTH line')).lines).toEqual(['UGFzc3dvcmQ6']);
    await t.command(b64('pässwörd'), 235, 'UTF-8 passwords work');
  });

  test('"*" cancels with 501, malformed base64 is 501, and AUTH can be tried again afterwards', async () => {
    const { port } = await relayServer();
    const s = await open(port);
    await s.command('AUTH LOGIN', 334, 'user name challenge');
    await s.command('*', 501, 'the client gave up');
    await s.command('AUTH PLAIN', 334, 'challenge');
    await s.command('*', 501, 'the client gave up');
    await s.command('AUTH PLAIN not/base64!', 501, 'malformed initial response');
    await s.command('AUTH PLAIN', 334, 'challenge');
    await s.command('AGFsaWNlAHNlY3JldA=', 501, 'bad padding');
    await s.command(`AUTH PLAIN ${b64('alice\0secret')}`, 501, 'only one NUL: not authzid NUL user NUL password');
    await s.command('AUTH PLAIN =', 501, 'an empty initial response has no credentials');
    await s.command('AUTH LOGIN', 334, 'user name challenge');
    await s.command('@@@@', 501, 'malformed user name');
    await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 235, 'still possible after all that');
  });

  test('an unknown mechanism is 504; no mechanism is 501', async () => {
    const { port } = await relayServer();
    const s = await open(port);
    await s.command('AUTH CRAM-MD5', 504, 'we offer PLAIN and LOGIN only');
    await s.command('AUTH', 501, 'AUTH needs a mechanism');
  });

  test('AUTH before EHLO, after HELO and inside a transaction is 503', async () => {
    const { port } = await relayServer();
    const s = await open(port, false);
    await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 503, 'AUTH before EHLO');
    await s.command('HELO client.test', 250, 'HELO');
    await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 503, 'AUTH is an ESMTP extension: EHLO first');
    await s.command('EHLO client.test', 250, 'EHLO');
    await s.command('MAIL FROM:<x@a.test>', 250, 'MAIL');
    await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 503, 'AUTH inside a transaction');
    await s.command('RSET', 250, 'RSET');
    await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 235, 'now it is fine');
    await s.command('EHLO again.test', 250, 'a second EHLO');
    await s.command('MAIL FROM:<alice@a.test>', 250, 'MAIL');
    await s.command('RCPT TO:<bob@b.test>', 250, 'still logged in after the second EHLO');
  });

  test('wrong passwords are 535; the third closes the connection with 421', async () => {
    const { port } = await relayServer();
    const s = await open(port);
    await s.command(`AUTH PLAIN ${b64('\0alice\0nope')}`, 535, 'wrong password');
    await s.command(`AUTH PLAIN ${b64('\0mallory\0secret')}`, 535, 'unknown user');
    await s.command('MAIL FROM:<alice@a.test>', 250, 'MAIL');
    await s.command('RCPT TO:<bob@b.test>', 550, 'not logged in: relaying denied');
    await s.command('RSET', 250, 'RSET');
    await s.command('AUTH LOGIN', 334, 'LOGIN');
    await s.command(b64('alice'), 334, 'password please');
    await s.command(b64('wrong'), 535, 'the third wrong password');
    await s.expectReply(421, 'too many failures: goodbye');
    expect(await s.closedByServer()).toBe(true);
  });

  test('acting as someone else (an authzid not the user) is refused with 535', async () => {
    const { port } = await relayServer();
    const s = await open(port);
    await s.command(`AUTH PLAIN ${b64('carol\0alice\0secret')}`, 535, 'alice may not act as carol');
    await s.command(`AUTH PLAIN ${b64('alice\0alice\0secret')}`, 235, 'acting as oneself is fine');
  });

  test('a password check that throws gives 454 and the session goes on', async () => {
    const { port } = await relayServer({
      authenticate: async () => {
        throw new Error('user database unreachable');
      },
    });
    const s = await open(port);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 454, 'temporary failure');
    } finally {
      console.error = original;
    }
    expect(JSON.stringify(errors.map(String))).not.toContain('secret');
    await s.command('NOOP', 250, 'the session goes on');
  });
});

describe('no open relay', () => {
  test('without an authenticate option AUTH is not offered, and refused with 502', async () => {
    const { server } = await startServer({ domains: [DOMAIN] });
    const s = await open(server.port, false);
    const ehlo = await s.command('EHLO client.test', 250, 'EHLO');
    expect(ehlo.lines.some((l) => /^AUTH\b/i.test(l))).toBe(false);
    await s.command(`AUTH PLAIN ${PLAIN_ALICE}`, 502, 'AUTH not implemented here');
    await s.command('MAIL FROM:<alice@a.test> AUTH=<>', 555, 'no AUTH, no AUTH= parameter');
    await s.command('MAIL FROM:<alice@a.test>', 250, 'MAIL');
    await s.command('RCPT TO:<bob@b.test>', 550, 'relaying denied');
  });

  test('unauthenticated RCPT to another domain is 550; local mail still works, MAIL FROM:<> gives from ""', async () => {
    const { port, delivered } = await relayServer();
    const s = await open(port);
    await s.command('MAIL FROM:<>', 250, 'a bounce');
    const denied = await s.command('RCPT TO:<bob@b.test>', 550, 'not logged in: no relaying');
    expect(denied.lines[0]).toMatch(/relaying denied/);
    await s.command('RCPT TO:<alice@A.test>', 250, 'local recipient');
    await s.command('DATA', 354, 'DATA');
    await s.send('Subject: bounce\r\n\r\nreturned\r\n.\r\n');
    const done = await s.expectReply(250, 'stored');
    expect(done.lines[0]).toMatch(/delivered to 1 mailbox$/);
    expect(delivered.map((m) => [m.from, m.remote, m.mailboxes])).toEqual([['', [], ['alice']]]);
  });

  test('without the new options the server delivers as in 05; mayRelay without a deliver hook is refused at start', async () => {
    const { server, root } = await startServer({ domains: [DOMAIN] });
    const s = await open(server.port);
    await s.startMessage('x@y.test', ['carol@a.test']);
    await s.send('Subject: plain 05\r\n\r\nbody\r\n.\r\n');
    await s.expectReply(250, 'stored');
    expect((await readNewMail(root, 'carol')).map((m) => withoutReceived(m)?.toString())).toEqual(['Subject: plain 05\r\n\r\nbody\r\n']);
    await expect(startSmtpServer({ maildir: root, mayRelay: () => true })).rejects.toThrow(/deliver/);
  });
});

describe('pure SASL parsing', () => {
  test('strict base64', () => {
    expect(decodeBase64('YWJj')?.toString()).toBe('abc');
    expect(decodeBase64('')?.length).toBe(0);
    for (const bad of ['YWJ', 'YW=j', 'YWJj\n', 'YW Jj', 'YQ===', '*']) expect(decodeBase64(bad), bad).toBeUndefined();
  });
  test('PLAIN responses', () => {
    expect(parsePlainResponse(b64('\0alice\0secret'))).toEqual({ ok: true, value: { authzid: '', user: 'alice', password: 'secret' } });
    expect(parsePlainResponse(b64('z\0alice\0se\u00e7ret'))).toEqual({ ok: true, value: { authzid: 'z', user: 'alice', password: 'seçret' } });
    for (const bad of [b64('\0\0secret'), b64('\0alice\0'), b64('alice\0secret'), b64('\0a\0b\0c'), Buffer.from([0, 0x61, 0, 0xff]).toString('base64')]) {
      expect(parsePlainResponse(bad).ok, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('the AUTH states under random input (pure, seeded)', () => {
  test('never throws, always answers with a known code, and logs in only after 235', () => {
    const config = sessionConfig('mx.a.test', makeRecipientPolicy([DOMAIN]), 5000, { offersAuth: true, mayRelay: (user) => user !== undefined });
    const known = new Set<number>(Object.values(REPLY));
    const line = fc.oneof(
      fc.constantFrom('EHLO c', 'HELO c', 'AUTH PLAIN', 'AUTH LOGIN', `AUTH PLAIN ${PLAIN_ALICE}`, `AUTH LOGIN ${b64('alice')}`, 'AUTH PLAIN =', 'AUTH XOAUTH2 x', 'AUTH', 'auth plain a b'),
      fc.constantFrom('*', '=', '', PLAIN_ALICE, b64('alice'), b64('secret'), b64('wrong'), b64('\0alice\0wrong'), 'MAIL FROM:<x@a.test>', 'RCPT TO:<bob@b.test>', 'RSET', 'DATA'),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString('base64')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), (lines) => {
        let state = initialState();
        for (const text of lines) {
          let outcome = awaitsSaslResponse(state) ? handleSaslResponse(state, text, config) : handleCommand(state, text, config);
          if (outcome.then === 'check-credentials') {
            expect(outcome.next.name).toBe('checking-credentials');
            if (outcome.next.name !== 'checking-credentials') return;
            const { user, password } = outcome.next;
            outcome = credentialsChecked(outcome.next, USERS.get(user) === password ? 'accepted' : 'refused', config);
          }
          for (const r of outcome.replies) expect(known.has(r.code), `reply ${r.code}`).toBe(true);
          const before = state.name === 'awaiting-hello' ? undefined : state.hello.user;
          state = outcome.next;
          expect(state.name).not.toBe('checking-credentials');
          const after = state.name === 'awaiting-hello' ? undefined : state.hello.user;
          if (after !== before) expect(outcome.replies.map((r) => r.code)).toEqual([REPLY.AUTH_SUCCEEDED]);
          if (outcome.then === 'close' || state.name === 'data') return;
        }
      }),
      { seed: 4954, numRuns: 2000 },
    );
  });
});
