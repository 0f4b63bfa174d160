/**
 * The pure parts of the reference SMTP server, without sockets: paths,
 * command arguments, recipient decisions, the DATA collector, Maildir names,
 * the Received: header and the state machine. Run against solutions/.
 */
import { describe, expect, test } from 'vitest';
import { parsePath } from '@impl/05-smtp-server/path.ts';
import { parseCommand, parsePathArgument, readMailParameters } from '@impl/05-smtp-server/command.ts';
import { decideRecipient, makeRecipientPolicy } from '@impl/05-smtp-server/recipients.ts';
import { MessageCollector } from '@impl/05-smtp-server/message-collector.ts';
import { uniqueName } from '@impl/05-smtp-server/maildir.ts';
import { receivedHeader } from '@impl/05-smtp-server/received-header.ts';
import { handleCommand, initialState, sessionConfig, type SessionState } from '@impl/05-smtp-server/session.ts';
import { encodeReply, reply, REPLY } from '@impl/05-smtp-server/smtp-constants.ts';

describe('paths', () => {
  test.each([
    ['<alice@a.test>', { kind: 'mailbox', mailbox: { localPart: 'alice', domain: 'a.test' } }],
    ['<>', { kind: 'null' }],
    ['<POSTMASTER>', { kind: 'postmaster' }],
    ['<@relay.test,@two.test:bob@b.test>', { kind: 'mailbox', mailbox: { localPart: 'bob', domain: 'b.test' } }],
    ['<"john doe"@a.test>', { kind: 'mailbox', mailbox: { localPart: '"john doe"', domain: 'a.test' } }],
    ['<x@[127.0.0.1]>', { kind: 'mailbox', mailbox: { localPart: 'x', domain: '[127.0.0.1]' } }],
    ['<x@[IPv6:::1]>', { kind: 'mailbox', mailbox: { localPart: 'x', domain: '[IPv6:::1]' } }],
  ])('%s parses', (text, value) => {
    expect(parsePath(text)).toEqual({ ok: true, value });
  });

  test.each(['alice@a.test', '<alice>', '<a..b@a.test>', '<.a@a.test>', '<a@-a.test>', '<a@a_b.test>', '<a@[1.2.3]>', `<${'l'.repeat(65)}@a.test>`, `<a@${'d'.repeat(64)}.test>`, '<a@b.test', `<a@${'abcdefgh.'.repeat(29)}test>`])(
    '%s is refused',
    (text) => {
      expect(parsePath(text).ok).toBe(false);
    },
  );
});

describe('command lines', () => {
  test('the verb is upper-cased, the arguments kept', () => {
    expect(parseCommand('mail FROM:<a@b.test>')).toEqual({ verb: 'MAIL', args: 'FROM:<a@b.test>' });
    expect(parseCommand('QUIT')).toEqual({ verb: 'QUIT', args: '' });
  });

  test('MAIL FROM with parameters, a space after the colon, a quoted ">"', () => {
    const parsed = parsePathArgument('from: <"a>b"@x.test> size=42 BODY=8BITMIME', 'FROM');
    expect(parsed).toEqual({
      ok: true,
      value: { path: { kind: 'mailbox', mailbox: { localPart: '"a>b"', domain: 'x.test' } }, parameters: [['SIZE', '42'], ['BODY', '8BITMIME']] },
    });
    if (parsed.ok) expect(readMailParameters(parsed.value.parameters)).toEqual({ ok: true, value: { size: 42, body: '8BITMIME' } });
  });

  test('bad arguments are 501, unknown parameters 555', () => {
    expect(parsePathArgument('TO:<a@b.test>', 'FROM')).toMatchObject({ ok: false, code: 501 });
    expect(parsePathArgument('FROM:<a@b.test>x', 'FROM')).toMatchObject({ ok: false, code: 501 });
    expect(parsePathArgument('FROM:<a@b.test> SIZE=1 SIZE=2', 'FROM')).toMatchObject({ ok: false, code: 501 });
    expect(readMailParameters([['SIZE', 'lots']])).toMatchObject({ ok: false, code: 501 });
    expect(readMailParameters([['BODY', 'BINARYMIME']])).toMatchObject({ ok: false, code: 501 });
    expect(readMailParameters([['SMTPUTF8', undefined]])).toMatchObject({ ok: false, code: 555 });
  });
});

describe('recipients', () => {
  const policy = makeRecipientPolicy(['Mail.Test'], ['Bob']);
  const decide = (text: string) => {
    const path = parsePath(text);
    if (!path.ok) throw new Error(path.reason);
    return decideRecipient(path.value, policy);
  };
  test('known users and postmaster are accepted, lower-cased', () => {
    expect(decide('<BOB@mail.TEST>')).toEqual({ accepted: true, mailbox: 'bob' });
    expect(decide('<Postmaster>')).toEqual({ accepted: true, mailbox: 'postmaster' });
    expect(decide('<postmaster@mail.test>')).toEqual({ accepted: true, mailbox: 'postmaster' });
  });
  test('other domains, unknown users and unsafe names are 550; <> is 501', () => {
    expect(decide('<bob@other.test>')).toMatchObject({ accepted: false, reply: { code: 550 } });
    expect(decide('<carol@mail.test>')).toMatchObject({ accepted: false, reply: { code: 550 } });
    const open = makeRecipientPolicy(['mail.test']);
    expect(decideRecipient({ kind: 'mailbox', mailbox: { localPart: 'a/b', domain: 'mail.test' } }, open)).toMatchObject({ accepted: false, reply: { code: 550 } });
    expect(decide('<"..x"@mail.test>')).toMatchObject({ accepted: false, reply: { code: 550 } });
    expect(decideRecipient({ kind: 'null' }, policy)).toMatchObject({ accepted: false, reply: { code: 501 } });
  });
});

describe('DATA collector', () => {
  const lines = (...l: string[]) => l.map((s) => Buffer.from(s, 'latin1'));
  test('unstuffs dots, ends at a lone dot, keeps bare LF inside lines', () => {
    const c = new MessageCollector(1000);
    for (const line of lines('Subject: x', '', '..dot', 'bare\n.\nlf', '...')) expect(c.push(line)).toBe('more');
    expect(c.push(Buffer.from('.'))).toBe('end');
    expect(c.verdict).toBe('complete');
    expect(Buffer.concat(c.message()).toString('latin1')).toBe('Subject: x\r\n\r\n.dot\r\nbare\n.\nlf\r\n..\r\n');
  });
  test('over the limit it counts on but stores nothing', () => {
    const c = new MessageCollector(10);
    c.push(Buffer.from('0123456789'));
    expect(c.verdict).toBe('too-big');
    expect(c.size).toBe(12);
    expect(() => c.message()).toThrow();
  });
  test('an overlong line spoils the message', () => {
    const c = new MessageCollector(1000);
    c.push(Buffer.from('ok'));
    c.skipOverlongLine();
    expect(c.verdict).toBe('line-too-long');
  });
});

describe('Maildir names and the Received: header', () => {
  test('unique names: no "/" or ":", no leading dot, never the same twice', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName()));
    expect(names.size).toBe(1000);
    for (const n of names) expect(n).toMatch(/^[^.:/][^:/]*$/);
  });
  test('the Received: header is folded, ASCII and ends in CRLF', () => {
    const h = receivedHeader({ clientName: 'evil\r\nX-Injected: 1', clientAddress: '127.0.0.1', hostname: 'mx.test', extended: true, id: 'abc', date: new Date(0) });
    expect(h).toBe('Received: from evil??X-Injected:?1 ([127.0.0.1])\r\n\tby mx.test (wirelab) with ESMTP id abc;\r\n\tThu, 01 Jan 1970 00:00:00 +0000\r\n');
  });
  test('reply text never carries CR, LF or 8-bit characters', () => {
    expect(encodeReply(reply(REPLY.OK, 'a\r\nb', 'é'))).toBe('250-a??b\r\n250 ?\r\n');
  });
});

describe('the state machine', () => {
  const config = sessionConfig('mx.test', makeRecipientPolicy(['mail.test']), 5000);
  /** Runs lines through the machine; returns the reply codes and the final state. */
  function run(...lines: string[]): { codes: number[]; state: SessionState } {
    let state = initialState();
    const codes: number[] = [];
    for (const line of lines) {
      const outcome = handleCommand(state, line, config);
      codes.push(...outcome.replies.map((r) => r.code));
      state = outcome.next;
    }
    return { codes, state };
  }
  test('a whole transaction', () => {
    const { codes, state } = run('EHLO c', 'MAIL FROM:<a@b.test> SIZE=10', 'RCPT TO:<x@mail.test>', 'RCPT TO:<X@mail.test>', 'DATA');
    expect(codes).toEqual([250, 250, 250, 250, 354]);
    expect(state.name).toBe('data');
    if (state.name === 'data') expect(state.envelope.recipients.map((r) => r.mailbox)).toEqual(['x']);
  });
  test('DATA after only refused recipients is 554; HELO forbids parameters; SIZE over is 552', () => {
    expect(run('HELO c', 'MAIL FROM:<a@b.test>', 'RCPT TO:<x@other.test>', 'DATA').codes).toEqual([250, 250, 550, 554]);
    expect(run('HELO c', 'MAIL FROM:<a@b.test> SIZE=1').codes).toEqual([250, 555]);
    expect(run('EHLO c', 'MAIL FROM:<a@b.test> SIZE=5001').codes).toEqual([250, 552]);
    expect(run('EHLO c', 'MAIL FROM:<Postmaster>').codes).toEqual([250, 501]);
  });
  test('"constructor" and friends are not verbs', () => {
    expect(run('constructor', 'toString', '__proto__').codes).toEqual([500, 500, 500]);
  });
});
