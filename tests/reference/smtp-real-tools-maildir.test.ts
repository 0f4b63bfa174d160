/**
 * The Maildirs the reference SMTP server writes, read by another program:
 * Python's standard-library `mailbox.Maildir`, the reader behind many a
 * script and mail tool. After nodemailer delivered a few messages, Python
 * must list exactly those (keys = the file names in new/), hand back the
 * same bytes, parse their headers (Subject, and our Received: line down to
 * its date) without defects, and move them new/ → cur/ with the Seen flag
 * as a mail reader does, after which the files are `cur/<key>:2,S`.
 *
 * Runs where `python3` is found (/usr/bin/python3 first: the system one);
 * skipped elsewhere.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, test } from 'vitest';
import { startSmtpServer } from '@impl/05-smtp-server/smtp-server.ts';
import { findTool, runTool } from '../helpers/cli-process.ts';
import { listMaildir, makeMaildirRoot, readNewMail, withoutReceived } from '../helpers/smtp-session-maildir.ts';

const python = await findTool(['/usr/bin/python3', 'python3'], ['-c', 'import mailbox, email.utils, json']);

/**
 * `python3 -c SCRIPT list|read ROOT USER…`. `list` prints one JSON line per
 * mailbox: its messages as Python sees them. `read` marks every message seen
 * the way a reader does (`MaildirMessage.set_subdir('cur')`, flag S, store).
 */
const SCRIPT = String.raw`
import base64, email.utils, json, mailbox, os, sys
mode, root, users = sys.argv[1], sys.argv[2], sys.argv[3:]
for user in users:
    md = mailbox.Maildir(os.path.join(root, user), factory=None, create=False)
    if mode == "read":
        for key in md.keys():
            msg = md[key]
            msg.set_subdir("cur")
            msg.add_flag("S")
            md[key] = msg
        continue
    out = []
    for key in sorted(md.keys()):
        msg = md[key]
        received = msg["Received"]
        when = email.utils.parsedate_tz(received.rsplit(";", 1)[1].strip()) if received and ";" in received else None
        out.append({"key": key, "subdir": msg.get_subdir(), "flags": msg.get_flags(), "subject": msg["Subject"],
            "received": received, "receivedAt": email.utils.mktime_tz(when) if when else None,
            "defects": [type(d).__name__ for d in msg.defects], "bytes": base64.b64encode(md.get_bytes(key)).decode()})
    print(json.dumps({"user": user, "count": len(md), "messages": out}), flush=True)
`;

interface PyMessage {
  key: string;
  subdir: string;
  flags: string;
  subject: string | null;
  received: string | null;
  receivedAt: number | null;
  defects: string[];
  bytes: string;
}
interface PyMailbox {
  user: string;
  count: number;
  messages: PyMessage[];
}

/** Runs the Python reader; resolves with one entry per user. */
async function pythonMaildir(mode: 'list' | 'read', root: string, users: string[]): Promise<Map<string, PyMailbox>> {
  const run = await runTool(python!, ['-c', SCRIPT, mode, root, ...users], 15_000);
  expect(run.code, `python3 ${mode}: ${run.stderr.toString()}`).toBe(0);
  const lines = run.stdout.toString().trim().split('\n').filter(Boolean);
  return new Map(lines.map((line) => JSON.parse(line) as PyMailbox).map((box) => [box.user, box]));
}

/** The messages of the test, by Subject, with who gets each. */
const MESSAGES = [
  { to: ['bob'], subject: 'first', raw: 'From: alice@a.test\r\nTo: bob@mail.test\r\nSubject: first\r\n\r\nHello Bob.\r\n' },
  {
    to: ['bob', 'carol'],
    subject: 'second, 8-bit',
    raw: 'Subject: second, 8-bit\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus dem Café ☕\r\n.a line with a dot\r\n',
  },
  { to: ['carol'], subject: 'third', raw: 'Subject: third\r\nX-Folded: one\r\n\ttwo\r\n\r\n\r\nafter an empty line\r\n' },
] as const;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((f) => f()));
});

describe.skipIf(python === undefined)(
  `the reference server's Maildirs read by Python's mailbox.Maildir${python === undefined ? ' (skipped: no python3 found)' : ''}`,
  () => {
    test('lists exactly the delivered messages, parses their headers, and moves them new/ → cur/ as a reader does', async () => {
      const root = await makeMaildirRoot();
      cleanup.push(() => rm(root, { recursive: true, force: true }));
      const server = await startSmtpServer({ host: '127.0.0.1', port: 0, maildir: root, domains: ['mail.test'], hostname: 'mx.mail.test' });
      cleanup.push(() => server.close());
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true, name: 'client.test' });
      cleanup.push(async () => transport.close());
      const sentAt = Date.now() / 1000;
      for (const m of MESSAGES) {
        const info = await transport.sendMail({ envelope: { from: 'alice@a.test', to: m.to.map((u) => `${u}@mail.test`) }, raw: Buffer.from(m.raw) });
        expect(info.accepted).toHaveLength(m.to.length);
      }
      const users = ['bob', 'carol'];

      // 1. Python lists what is in new/, nothing more, nothing less, byte for byte.
      const listed = await pythonMaildir('list', root, users);
      const keys = new Map<string, string[]>();
      for (const user of users) {
        const box = listed.get(user)!;
        const expected = MESSAGES.filter((m) => (m.to as readonly string[]).includes(user));
        expect(box.count, `${user}: Python counts the delivered messages`).toBe(expected.length);
        expect(box.messages.map((m) => m.key), `${user}: Python's keys are the file names in new/`).toEqual(await listMaildir(root, user, 'new'));
        expect(box.messages.map((m) => m.subject).sort(), `${user}: Python parses each Subject`).toEqual(expected.map((m) => m.subject).sort());
        const onDisk = await readNewMail(root, user);
        for (const [i, message] of box.messages.entries()) {
          const bytes = Buffer.from(message.bytes, 'base64');
          expect(bytes.equals(onDisk[i]!), `${user}/${message.key}: Python reads the very bytes on disk`).toBe(true);
          expect(withoutReceived(bytes)?.toString(), 'which are what nodemailer sent, under our Received:').toBe(MESSAGES.find((m) => m.subject === message.subject)?.raw);
          expect(message.subdir).toBe('new');
          expect(message.flags).toBe('');
          expect(message.defects, 'the email parser found nothing malformed').toEqual([]);
          expect(message.received?.replace(/\r?\n[ \t]+/g, ' '), 'Python reads our Received: line, folds and all').toMatch(
            /^from client\.test \(\[127\.0\.0\.1\]\) by mx\.mail\.test \(wirelab\) with ESMTP id \S+; \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/,
          );
          expect(message.receivedAt, 'and its date, as email.utils parses it').not.toBeNull();
          expect(Math.abs(message.receivedAt! - sentAt), 'which is now').toBeLessThan(120);
        }
        keys.set(user, box.messages.map((m) => m.key));
      }

      // 2. A reader marks them seen: Python moves each to cur/<key>:2,S.
      await pythonMaildir('read', root, users);
      for (const user of users) {
        expect(await listMaildir(root, user, 'new'), `${user}/new/ is empty once read`).toEqual([]);
        expect(await listMaildir(root, user, 'tmp'), `${user}/tmp/ is left clean`).toEqual([]);
        expect(await listMaildir(root, user, 'cur'), `${user}/cur/ holds each message with the Seen flag`).toEqual(keys.get(user)!.map((k) => `${k}:2,S`).sort());
      }

      // 3. And reads them back from cur/: same keys, same headers, same text
      //    (Python stores with the local line ending, LF).
      const reread = await pythonMaildir('list', root, users);
      for (const user of users) {
        const before = listed.get(user)!.messages;
        const after = reread.get(user)!.messages;
        expect(after.map((m) => m.key)).toEqual(keys.get(user));
        for (const [i, message] of after.entries()) {
          expect(message).toMatchObject({ subdir: 'cur', flags: 'S', subject: before[i]!.subject, defects: [] });
          const lf = (b64: string): string => Buffer.from(b64, 'base64').toString('latin1').replace(/\r\n/g, '\n');
          expect(lf(message.bytes)).toBe(lf(before[i]!.bytes));
        }
      }
    }, 30_000);
  },
);
