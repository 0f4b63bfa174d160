/**
 * Exercise 04: an SMTP client (RFC 5321). Graded against a scripted server
 * that checks every byte the client sends, and against `smtp-server` from npm,
 * which must receive every message byte for byte as it was sent.
 */
import { afterEach, describe, expect } from 'vitest';
import { ProtocolError, TimeoutError } from '../lib/errors.ts';
import type { Transcript } from '../lib/transcript/transcript.ts';
import { graded } from './helpers/graded.ts';
import { startScriptedSmtpServer } from './helpers/smtp-script.ts';
import type { ScriptedPeer, ScriptedServer } from './helpers/smtp-script.ts';
import { startRecordingProxy, startSmtpServerJudge } from './helpers/smtp-script-real.ts';
import type { JudgeOptions, JudgeServer } from './helpers/smtp-script-real.ts';
import { mailCommand, rcptCommand } from '@impl/04-smtp-client/commands.ts';
import { parseEhloReply, sizeLimit } from '@impl/04-smtp-client/extensions.ts';
import { dotStuff, encodeMessageData, normaliseLineEnds } from '@impl/04-smtp-client/message-data.ts';
import { SmtpClient } from '@impl/04-smtp-client/smtp-client.ts';
import type { SmtpClientOptions } from '@impl/04-smtp-client/smtp-client.ts';
import { InvalidAddressError, MessageTooLargeError, RecipientsRefusedError, SmtpReplyError } from '@impl/04-smtp-client/smtp-errors.ts';
import { ReplyAssembler, parseReplyLine } from '@impl/04-smtp-client/smtp-reply.ts';

const test = graded('04-smtp-client', {
  'parses one reply line into code, last-line flag and text': 1,
  'assembles a multi-line reply and refuses a change of code mid-reply': 2,
  'reads the server name and the extensions of an EHLO reply': 2,
  'turns LF, CRLF and lone CR line ends into CRLF and ends the last line': 2,
  'dot-stuffs every line that starts with a dot': 2,
  'ends the data with CRLF.CRLF and passes 8-bit bytes untouched': 1,
  'builds MAIL FROM and RCPT TO lines and refuses addresses with line breaks': 1,
  'waits for the greeting, then sends EHLO with its name': 2,
  'falls back to HELO when EHLO is refused': 2,
  'reads multi-line replies split across TCP reads': 2,
  'sends one exact transaction: MAIL FROM with SIZE, RCPT TO each, DATA, the dot-stuffed message': 3,
  'reports refused recipients and still delivers to the others': 2,
  'sends RSET and no DATA when every recipient is refused': 2,
  'sends several messages over one connection, with RSET after a failed one': 3,
  'ends the session with QUIT and closes the connection': 1,
  'surfaces a 4xx reply as a temporary SmtpReplyError': 2,
  'surfaces a 5xx reply as a permanent SmtpReplyError': 2,
  'treats 421 as the end of the session: no RSET, no QUIT, connection closed': 1,
  'times out when the server never greets': 1,
  'times out when the server never answers the end of data': 1,
  'does not send a message larger than the advertised SIZE': 1,
  'delivers to smtp-server byte for byte: dot lines, 8-bit bytes, several recipients': 3,
  'delivers several messages to smtp-server over one connection, whatever their line ends': 2,
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A scripted server closed after the test. */
async function scripted(transcript: Transcript, script: (peer: ScriptedPeer) => Promise<void>): Promise<ScriptedServer> {
  const server = await startScriptedSmtpServer(transcript, script);
  cleanups.push(() => server.close());
  return server;
}

/** Connects the client under test as `client.test`, aborted after the test. */
async function connect(server: { host: string; port: number }, options: Partial<SmtpClientOptions> = {}): Promise<SmtpClient> {
  const client = await SmtpClient.connect({ host: server.host, port: server.port, clientName: 'client.test', timeoutMs: 2000, ...options });
  cleanups.push(() => client.abort());
  return client;
}

/** The usual opening: greeting, EHLO, and an EHLO reply advertising `extensions`. */
async function greet(peer: ScriptedPeer, ...extensions: string[]): Promise<void> {
  await peer.reply(220, 'mx.test ESMTP scripted');
  await peer.expectLine('EHLO client.test\r\n');
  await peer.reply(250, 'mx.test greets client.test', ...extensions);
}

/**
 * Reads `MAIL FROM:<from>` and checks its parameters: `SIZE=size` exactly when
 * a size is given, no SIZE otherwise; BODY=8BITMIME/7BIT allowed, nothing else.
 */
async function expectMail(peer: ScriptedPeer, from: string, size?: number): Promise<void> {
  const what = `MAIL FROM:<${from}>${size === undefined ? ' (no SIZE: the server did not offer it)' : ` SIZE=${size}`}`;
  const line = await peer.expectLine(/^MAIL FROM:<[^>]*>( [A-Za-z0-9-]+=[^ ]+)*\r\n$/, what);
  const [path, ...params] = line.slice('MAIL '.length, -2).split(' ');
  const sizes = params.filter((p) => p.toUpperCase().startsWith('SIZE='));
  const others = params.filter((p) => !/^SIZE=|^BODY=(8BITMIME|7BIT)$/i.test(p));
  const ok = path === `FROM:<${from}>` && others.length === 0 && (size === undefined ? sizes.length === 0 : sizes.length === 1 && sizes[0] === `SIZE=${size}`);
  if (!ok) peer.fail(what, line);
}

/** Reads `MAIL FROM:<from>` (no SIZE offered, so none sent) and accepts it with 250 OK. */
async function acceptMail(peer: ScriptedPeer, from: string): Promise<void> {
  await expectMail(peer, from);
  await peer.reply(250, 'OK');
}

/** Reads `RCPT TO:<to>` and accepts it with 250 OK. */
async function acceptRcpt(peer: ScriptedPeer, to: string): Promise<void> {
  await peer.expectLine(`RCPT TO:<${to}>\r\n`);
  await peer.reply(250, 'OK');
}

/** Reads DATA, answers 354 and returns the data the client sends, up to and including CRLF.CRLF. */
async function acceptData(peer: ScriptedPeer, what?: string): Promise<Buffer> {
  await peer.expectLine('DATA\r\n', what);
  await peer.reply(354, 'go ahead');
  return peer.readData();
}

describe('step 1: replies and extensions', () => {
  test('parses one reply line into code, last-line flag and text', () => {
    expect(parseReplyLine('250-SIZE 1000')).toEqual({ code: 250, last: false, text: 'SIZE 1000' });
    expect(parseReplyLine('250 OK')).toEqual({ code: 250, last: true, text: 'OK' });
    expect(parseReplyLine('354')).toEqual({ code: 354, last: true, text: '' });
    expect(parseReplyLine('550 5.1.1 no such user')).toEqual({ code: 550, last: true, text: '5.1.1 no such user' });
    for (const bad of ['hello', '25 OK', '2500 OK', '250_OK', '']) {
      expect(() => parseReplyLine(bad), JSON.stringify(bad)).toThrow(ProtocolError);
    }
  });

  test('assembles a multi-line reply and refuses a change of code mid-reply', () => {
    const assembler = new ReplyAssembler();
    expect(assembler.push('250-mx.test greets you')).toBeUndefined();
    expect(assembler.push('250-SIZE 1000')).toBeUndefined();
    expect(assembler.push('250 8BITMIME')).toEqual({ code: 250, lines: ['mx.test greets you', 'SIZE 1000', '8BITMIME'] });
    // Ready for the next reply, nothing left over from the last one.
    expect(assembler.push('221 bye')).toEqual({ code: 221, lines: ['bye'] });

    const confused = new ReplyAssembler();
    confused.push('250-first');
    expect(() => confused.push('550 second')).toThrow(ProtocolError);
  });

  test('reads the server name and the extensions of an EHLO reply', () => {
    const info = parseEhloReply({
      code: 250,
      lines: ['mx.test Hello client.test', 'size 35882577', '8BITMIME', 'PIPELINING', 'AUTH PLAIN LOGIN'],
    });
    expect(info.serverName).toBe('mx.test');
    expect(info.extensions.get('SIZE')).toEqual(['35882577']);
    expect(info.extensions.get('8BITMIME')).toEqual([]);
    expect(info.extensions.get('PIPELINING')).toEqual([]);
    expect(info.extensions.get('AUTH')).toEqual(['PLAIN', 'LOGIN']);
    expect(info.extensions.has('Hello')).toBe(false); // the greeting line is not an extension
    expect(sizeLimit(info)).toBe(35882577);
    expect(sizeLimit(parseEhloReply({ code: 250, lines: ['mx.test', 'SIZE'] }))).toBe(0);
    expect(sizeLimit(parseEhloReply({ code: 250, lines: ['mx.test'] }))).toBeUndefined();
  });
});

describe('step 2: the message on the wire', () => {
  test('turns LF, CRLF and lone CR line ends into CRLF and ends the last line', () => {
    const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));
    expect(show(normaliseLineEnds('a\nb\r\nc\rd'))).toBe(JSON.stringify('a\r\nb\r\nc\r\nd\r\n'));
    expect(show(normaliseLineEnds('already\r\nfine\r\n'))).toBe(JSON.stringify('already\r\nfine\r\n'));
    expect(show(normaliseLineEnds('a\r\r\nb\n\n'))).toBe(JSON.stringify('a\r\n\r\nb\r\n\r\n'));
    expect(show(normaliseLineEnds(Buffer.from('no end')))).toBe(JSON.stringify('no end\r\n'));
    expect(normaliseLineEnds('').length).toBe(0);
  });

  test('dot-stuffs every line that starts with a dot', () => {
    const stuffed = dotStuff(Buffer.from('.first\r\nplain\r\n..two\r\n.\r\nmid.dle\r\n'));
    expect(JSON.stringify(stuffed.toString('latin1'))).toBe(JSON.stringify('..first\r\nplain\r\n...two\r\n..\r\nmid.dle\r\n'));
    expect(dotStuff(Buffer.from('no dots\r\n')).toString('latin1')).toBe('no dots\r\n');
  });

  test('ends the data with CRLF.CRLF and passes 8-bit bytes untouched', () => {
    const eightBit = Buffer.from([0x80, 0xa9, 0xe9, 0xff]);
    const message = Buffer.concat([Buffer.from('Subject: caf'), eightBit, Buffer.from('\n.\nlast')]);
    const expected = Buffer.concat([Buffer.from('Subject: caf'), eightBit, Buffer.from('\r\n..\r\nlast\r\n.\r\n')]);
    expect(encodeMessageData(message).toString('hex')).toBe(expected.toString('hex'));
    expect(encodeMessageData('x\r\n').toString('latin1')).toBe('x\r\n.\r\n');
    expect(encodeMessageData('Grüße').equals(Buffer.from('Grüße\r\n.\r\n', 'utf8'))).toBe(true);
  });

  test('builds MAIL FROM and RCPT TO lines and refuses addresses with line breaks', () => {
    expect(mailCommand('alice@a.test')).toBe('MAIL FROM:<alice@a.test>\r\n');
    expect(mailCommand('alice@a.test', { size: 42 })).toBe('MAIL FROM:<alice@a.test> SIZE=42\r\n');
    expect(mailCommand('a@a.test', { size: 7, eightBitMime: true })).toBe('MAIL FROM:<a@a.test> SIZE=7 BODY=8BITMIME\r\n');
    expect(mailCommand('')).toBe('MAIL FROM:<>\r\n'); // the null sender of bounces
    expect(rcptCommand('bob@b.test')).toBe('RCPT TO:<bob@b.test>\r\n');
    // A line break in an address would smuggle a second command onto the wire.
    expect(() => rcptCommand('bob@b.test>\r\nRCPT TO:<eve@e.test')).toThrow(InvalidAddressError);
    expect(() => mailCommand('alice@a.test\nDATA')).toThrow(InvalidAddressError);
  });
});

describe('step 3: the session', () => {
  test('waits for the greeting, then sends EHLO with its name', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await peer.expectSilence(150, 'the client must wait for the 220 greeting');
      await greet(peer, 'SIZE 1000', '8BITMIME');
    });
    const client = await server.run(() => connect(server));
    expect(client.ehlo?.serverName).toBe('mx.test');
    expect(client.ehlo?.extensions.get('SIZE')).toEqual(['1000']);
    expect(client.state).toBe('ready');
  });

  test('falls back to HELO when EHLO is refused', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await peer.reply(220, 'old.test SMTP');
      await peer.expectLine('EHLO client.test\r\n');
      await peer.reply(502, 'command not implemented');
      await peer.expectLine('HELO client.test\r\n', '"HELO client.test\\r\\n" after EHLO was refused');
      await peer.reply(250, 'old.test');
      await acceptMail(peer, 'alice@a.test'); // HELO means no extensions: no SIZE
      await acceptRcpt(peer, 'bob@b.test');
      expect((await acceptData(peer)).toString('latin1')).toBe('hi\r\n.\r\n');
      await peer.reply(250, 'OK');
    });
    const result = await server.run(async () => {
      const client = await connect(server);
      expect(client.ehlo).toBeUndefined();
      return client.send({ from: 'alice@a.test', to: ['bob@b.test'], message: 'hi\r\n' });
    });
    expect(result.accepted).toEqual(['bob@b.test']);
  });

  test('reads multi-line replies split across TCP reads', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await peer.sendInPieces('220-mx.test ESMTP\r\n220 second greeting line\r\n', 3);
      await peer.expectLine('EHLO client.test\r\n');
      await peer.sendInPieces('250-mx.test greets client.test\r\n250-SIZE 5000\r\n250-8BITMIME\r\n250 PIPELINING\r\n', 7);
      await peer.expectLine('QUIT\r\n');
      await peer.sendInPieces('221-bye\r\n221 see you\r\n', 1);
    });
    await server.run(async () => {
      const client = await connect(server);
      expect(client.ehlo?.extensions.get('SIZE')).toEqual(['5000']);
      expect(client.ehlo?.extensions.has('8BITMIME')).toBe(true);
      expect(client.ehlo?.extensions.has('PIPELINING')).toBe(true);
      await client.quit();
    });
  });

  test('sends one exact transaction: MAIL FROM with SIZE, RCPT TO each, DATA, the dot-stuffed message', async ({ transcript }) => {
    const message = 'Subject: dots\r\n\r\n.hidden\r\n.\r\n..\r\nlast line without an end';
    const stored = 'Subject: dots\r\n\r\n.hidden\r\n.\r\n..\r\nlast line without an end\r\n';
    const server = await scripted(transcript, async (peer) => {
      await greet(peer, 'SIZE 100000', '8BITMIME');
      await expectMail(peer, 'alice@a.test', Buffer.byteLength(stored));
      await peer.reply(250, 'sender OK');
      await peer.expectLine('RCPT TO:<bob@b.test>\r\n');
      await peer.reply(250, 'recipient OK');
      await peer.expectLine('RCPT TO:<carol@c.test>\r\n');
      await peer.reply(250, 'recipient OK');
      await peer.expectLine('DATA\r\n');
      await peer.reply(354, 'end data with <CR><LF>.<CR><LF>');
      const data = (await peer.readData()).toString('latin1');
      const wanted = 'Subject: dots\r\n\r\n..hidden\r\n..\r\n...\r\nlast line without an end\r\n.\r\n';
      if (data !== wanted) {
        transcript.expect('expected the message dot-stuffed, with CRLF line ends, then CRLF.CRLF', 'client');
        expect(JSON.stringify(data)).toBe(JSON.stringify(wanted));
      }
      await peer.reply(250, 'queued as 1');
    });
    const result = await server.run(async () => {
      const client = await connect(server);
      return client.send({ from: 'alice@a.test', to: ['bob@b.test', 'carol@c.test'], message });
    });
    expect(result.accepted).toEqual(['bob@b.test', 'carol@c.test']);
    expect(result.rejected).toEqual([]);
    expect(result.reply.code).toBe(250);
  });

  test('reports refused recipients and still delivers to the others', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await acceptMail(peer, 'alice@a.test');
      await acceptRcpt(peer, 'bob@b.test');
      await peer.expectLine('RCPT TO:<nobody@b.test>\r\n');
      await peer.reply(550, '5.1.1 no such user');
      await peer.expectLine('RCPT TO:<busy@b.test>\r\n');
      await peer.reply(451, '4.3.0 try again later');
      await acceptData(peer, '"DATA\\r\\n": one recipient was accepted, so the message goes to it');
      await peer.reply(250, 'OK');
    });
    const result = await server.run(async () => {
      const client = await connect(server);
      return client.send({ from: 'alice@a.test', to: ['bob@b.test', 'nobody@b.test', 'busy@b.test'], message: 'hi\r\n' });
    });
    expect(result.accepted).toEqual(['bob@b.test']);
    expect(result.rejected).toEqual([
      { recipient: 'nobody@b.test', code: 550, text: '5.1.1 no such user', temporary: false },
      { recipient: 'busy@b.test', code: 451, text: '4.3.0 try again later', temporary: true },
    ]);
  });

  test('sends RSET and no DATA when every recipient is refused', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await acceptMail(peer, 'alice@a.test');
      await peer.expectLine('RCPT TO:<x@b.test>\r\n');
      await peer.reply(550, 'no such user');
      await peer.expectLine('RCPT TO:<y@b.test>\r\n');
      await peer.reply(550, 'no such user either');
      await peer.expectLine('RSET\r\n', '"RSET\\r\\n" (not DATA): no recipient was accepted');
      await peer.reply(250, 'reset');
      await peer.expectLine('QUIT\r\n');
      await peer.reply(221, 'bye');
    });
    await server.run(async () => {
      const client = await connect(server);
      const error = await client.send({ from: 'alice@a.test', to: ['x@b.test', 'y@b.test'], message: 'hi\r\n' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecipientsRefusedError);
      expect(error).toBeInstanceOf(SmtpReplyError);
      const refused = error as RecipientsRefusedError;
      expect(refused.rejected.map((r) => [r.recipient, r.code])).toEqual([['x@b.test', 550], ['y@b.test', 550]]);
      expect(refused.temporary).toBe(false);
      await client.quit();
    });
  });

  test('sends several messages over one connection, with RSET after a failed one', async ({ transcript }) => {
    const transaction = async (peer: ScriptedPeer, finalCode: number, finalText: string): Promise<void> => {
      await acceptMail(peer, 'alice@a.test');
      await acceptRcpt(peer, 'bob@b.test');
      await acceptData(peer);
      await peer.reply(finalCode, finalText);
    };
    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await transaction(peer, 250, 'queued as 1');
      await transaction(peer, 554, '5.7.1 looks like spam');
      await peer.expectLine('RSET\r\n', '"RSET\\r\\n" after the refused message, before the next one');
      await peer.reply(250, 'reset');
      await transaction(peer, 250, 'queued as 3');
      await peer.expectLine('QUIT\r\n');
      await peer.reply(221, 'bye');
      await peer.expectClose();
    });
    await server.run(async () => {
      const client = await connect(server);
      const mail = { from: 'alice@a.test', to: ['bob@b.test'] };
      expect((await client.send({ ...mail, message: 'one\r\n' })).reply.lines).toEqual(['queued as 1']);
      const error = await client.send({ ...mail, message: 'two\r\n' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmtpReplyError);
      expect((error as SmtpReplyError).code).toBe(554);
      expect((await client.send({ ...mail, message: 'three\r\n' })).reply.lines).toEqual(['queued as 3']);
      await client.quit();
    });
  });

  test('ends the session with QUIT and closes the connection', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await peer.expectLine('QUIT\r\n');
      await peer.reply(221, 'mx.test closing');
      await peer.expectClose();
    });
    await server.run(async () => {
      const client = await connect(server);
      await client.quit();
      expect(client.state).toBe('closed');
      await expect(client.send({ from: 'a@a.test', to: ['b@b.test'], message: 'late\r\n' })).rejects.toThrow();
    });
  });
});

describe('step 4: errors and timeouts', () => {
  test('surfaces a 4xx reply as a temporary SmtpReplyError', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await expectMail(peer, 'alice@a.test');
      await peer.reply(451, '4.3.0 local error, try later');
      await peer.expectLine('RSET\r\n', '"RSET\\r\\n" after the failed MAIL');
      await peer.reply(250, 'reset');
      await peer.expectLine('QUIT\r\n');
      await peer.reply(221, 'bye');
    });
    await server.run(async () => {
      const client = await connect(server);
      const error = await client.send({ from: 'alice@a.test', to: ['bob@b.test'], message: 'hi\r\n' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmtpReplyError);
      expect(error).toMatchObject({ code: 451, temporary: true, command: 'MAIL' });
      expect((error as SmtpReplyError).text).toContain('local error, try later');
      await client.quit();
    });
  });

  test('surfaces a 5xx reply as a permanent SmtpReplyError', async ({ transcript }) => {
    const refusing = await scripted(transcript, async (peer) => {
      await peer.reply(554, 'no SMTP service here');
      await peer.expectClose('the client to give up after a 554 greeting');
    });
    const greetingError = await refusing.run(() => connect(refusing).catch((e: unknown) => e));
    expect(greetingError).toBeInstanceOf(SmtpReplyError);
    expect(greetingError).toMatchObject({ code: 554, temporary: false, text: 'no SMTP service here' });

    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await expectMail(peer, 'spammer@a.test');
      await peer.reply(553, '5.7.1 sender refused', 'see the policy');
      await peer.expectLine('RSET\r\n', '"RSET\\r\\n" after the refused MAIL');
      await peer.reply(250, 'reset');
    });
    await server.run(async () => {
      const client = await connect(server);
      const error = await client.send({ from: 'spammer@a.test', to: ['bob@b.test'], message: 'hi\r\n' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmtpReplyError);
      expect(error).toMatchObject({ code: 553, temporary: false, command: 'MAIL', text: '5.7.1 sender refused\nsee the policy' });
    });
  });

  test('treats 421 as the end of the session: no RSET, no QUIT, connection closed', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await acceptMail(peer, 'alice@a.test');
      await peer.expectLine('RCPT TO:<bob@b.test>\r\n');
      await peer.reply(421, '4.3.2 mx.test shutting down');
      await peer.expectClose('the client to close the connection: after 421 the server is gone');
    });
    await server.run(async () => {
      const client = await connect(server);
      const error = await client.send({ from: 'alice@a.test', to: ['bob@b.test', 'carol@c.test'], message: 'hi\r\n' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmtpReplyError);
      expect(error).toMatchObject({ code: 421, temporary: true });
      expect(client.state).toBe('closed');
    });
  });

  test('times out when the server never greets', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await peer.expectClose('the client to give up and close the connection');
    });
    const started = performance.now();
    const error = await server.run(() => connect(server, { timeoutMs: 300 }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  test('times out when the server never answers the end of data', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await greet(peer);
      await acceptMail(peer, 'alice@a.test');
      await acceptRcpt(peer, 'bob@b.test');
      await acceptData(peer);
      await peer.expectClose('the client to give up waiting for the 250 and close the connection');
    });
    await server.run(async () => {
      const client = await connect(server, { timeoutMs: 400 });
      const error = await client.send({ from: 'alice@a.test', to: ['bob@b.test'], message: 'hi\r\n' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
    });
  });

  test('does not send a message larger than the advertised SIZE', async ({ transcript }) => {
    const server = await scripted(transcript, async (peer) => {
      await greet(peer, 'SIZE 100');
      await peer.expectLine('QUIT\r\n', '"QUIT\\r\\n": a 200-octet message must not be offered to a server that takes 100');
      await peer.reply(221, 'bye');
    });
    await server.run(async () => {
      const client = await connect(server);
      const error = await client.send({ from: 'alice@a.test', to: ['bob@b.test'], message: `${'x'.repeat(198)}\r\n` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessageTooLargeError);
      expect(error).toMatchObject({ size: 200, limit: 100 });
      await client.quit();
    });
  });
});

describe('step 5: a real SMTP server (smtp-server from npm)', () => {
  /** smtp-server behind a recording proxy, both closed after the test. */
  async function judge(transcript: Transcript, options: JudgeOptions = {}): Promise<{ judge: JudgeServer; address: { host: string; port: number } }> {
    const server = await startSmtpServerJudge(options);
    cleanups.push(() => server.close());
    const proxy = await startRecordingProxy(server, transcript);
    cleanups.push(() => proxy.close());
    return { judge: server, address: proxy };
  }

  test('delivers to smtp-server byte for byte: dot lines, 8-bit bytes, several recipients', async ({ transcript }) => {
    const { judge: server, address } = await judge(transcript, { refuse: ['nobody@b.test'] });
    const allEightBit = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    const message = Buffer.concat([
      Buffer.from('From: alice@a.test\r\nTo: bob@b.test\r\nSubject: the dots\r\n\r\n'),
      Buffer.from('.\r\n..\r\n.leading dot\r\n...three\r\n\r\n.\r\n'),
      Buffer.from('8-bit: '),
      allEightBit,
      Buffer.from('\r\nprintable: '),
      Buffer.from(Array.from({ length: 95 }, (_, i) => 0x20 + i)),
      Buffer.from('\r\n.\r\nend\r\n'),
    ]);
    const client = await connect(address);
    const result = await client.send({ from: 'alice@a.test', to: ['bob@b.test', 'nobody@b.test', 'carol@c.test'], message });
    await client.quit();
    expect(result.accepted).toEqual(['bob@b.test', 'carol@c.test']);
    expect(result.rejected).toMatchObject([{ recipient: 'nobody@b.test', code: 550, temporary: false }]);
    expect(server.received).toHaveLength(1);
    const got = server.received[0]!;
    expect(got.from).toBe('alice@a.test');
    expect(got.to).toEqual(['bob@b.test', 'carol@c.test']);
    if (!got.data.equals(message)) transcript.expect('smtp-server received different bytes than were sent', 'client');
    expect(got.data.toString('hex')).toBe(message.toString('hex'));
    expect(got.sizeParam).toBe(String(message.length));
  });

  test('delivers several messages to smtp-server over one connection, whatever their line ends', async ({ transcript }) => {
    const { judge: server, address } = await judge(transcript);
    const sent = [
      { message: 'Subject: LF\n\n.one\nline\n', stored: 'Subject: LF\r\n\r\n.one\r\nline\r\n' },
      { message: 'Subject: CR\r\r.two\rline', stored: 'Subject: CR\r\n\r\n.two\r\nline\r\n' },
      { message: 'Subject: UTF-8\r\n\r\nGrüße, ½ €\r\n.\r\n', stored: 'Subject: UTF-8\r\n\r\nGrüße, ½ €\r\n.\r\n' },
    ];
    const client = await connect(address);
    for (const [i, { message }] of sent.entries()) {
      const result = await client.send({ from: 'alice@a.test', to: [`bob${i}@b.test`], message });
      expect(result.accepted).toEqual([`bob${i}@b.test`]);
    }
    await client.quit();
    expect(server.connections).toBe(1);
    expect(server.received.map((m) => m.to)).toEqual([['bob0@b.test'], ['bob1@b.test'], ['bob2@b.test']]);
    for (const [i, { stored }] of sent.entries()) {
      expect(JSON.stringify(server.received[i]!.data.toString('utf8'))).toBe(JSON.stringify(stored));
    }
  });
});
