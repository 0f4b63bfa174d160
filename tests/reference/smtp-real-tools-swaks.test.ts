/**
 * `wirelab serve smtp --impl solutions` judged by swaks, the Swiss Army Knife
 * for SMTP (a Perl client mail administrators test their servers with): the
 * real CLI as a child process, swaks sending a plain message, several
 * recipients, lines starting with dots, 8-bit bytes, its own generated MIME
 * message with an attachment, PIPELINING, HELO, and mail for a domain that is
 * not ours (swaks must see the 550 and exit 24, "no RCPTs accepted"). Every
 * accepted message must sit byte for byte in DIR/<user>/new/ under our
 * Received: header.
 *
 * Runs where `swaks` is on the PATH (Debian/Ubuntu: `apt-get install swaks`;
 * .ci/run installs it); skipped elsewhere, since npm has no swaks.
 *
 * swaks takes the message from a file (`--data @FILE`), stuffs the dots
 * itself and ends the data with CRLF . CRLF, so a file without its last CRLF
 * arrives as exactly the file plus that CRLF.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findTool, runTool, startCliServer, stopCliServers, type CliServer, type ToolRun } from '../helpers/cli-process.ts';
import { listMaildir, listMailboxes, readNewMail, receivedHeaderOf, withoutReceived } from '../helpers/smtp-session-maildir.ts';

const swaks = await findTool(['swaks'], ['--version']);
const DOMAIN = 'mail.test';
/** swaks' own limit for each SMTP step, and ours for the whole run. */
const SWAKS_STEP_SECONDS = 5;
const SWAKS_RUN_MS = 15_000;
const TEST_MS = 20_000;

let server: CliServer;
let maildir: string;
let scratch: string;

beforeAll(async () => {
  if (swaks === undefined) return;
  maildir = await mkdtemp(path.join(tmpdir(), 'wirelab-swaks-mail-'));
  scratch = await mkdtemp(path.join(tmpdir(), 'wirelab-swaks-data-'));
  server = await startCliServer(['serve', 'smtp', '--impl', 'solutions', '--port', '0', '--maildir', maildir, '--domain', DOMAIN]);
}, 20_000);

afterAll(async () => {
  await stopCliServers();
  await Promise.all([maildir, scratch].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

let files = 0;
/** Writes a message file for `--data @FILE`: the message without its last CRLF (swaks adds it back). */
async function messageFile(message: Buffer): Promise<string> {
  expect(message.subarray(-2).toString(), 'test messages end with CRLF').toBe('\r\n');
  const file = path.join(scratch, `message-${++files}.eml`);
  await writeFile(file, message.subarray(0, -2));
  return file;
}

/** Runs swaks against our server with `args` added; HELO name client.test, sender alice@a.test. */
function runSwaks(args: string[]): Promise<ToolRun> {
  return runTool(
    swaks!,
    ['--server', server.host, '--port', String(server.port), '--helo', 'client.test', '--from', 'alice@a.test', '--timeout', String(SWAKS_STEP_SECONDS), ...args],
    SWAKS_RUN_MS,
  );
}

/** swaks' transcript (it prints the dialogue on stdout, its complaints on stderr), for failure messages. */
function transcriptOf(run: ToolRun): string {
  return `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}\n${run.stdout.toString('latin1')}${run.stderr.toString('latin1')}`;
}

/** Expects exactly `message` in each user's new/, under a Received: header naming client.test. */
async function expectDelivered(users: string[], message: Buffer): Promise<void> {
  for (const user of users) {
    const stored = await readNewMail(maildir, user);
    expect(stored, `one message in ${user}/new/`).toHaveLength(1);
    const mail = stored[0]!;
    expect(receivedHeaderOf(mail), `${user}'s copy starts with our Received: header`).toMatch(/^Received: from client\.test .*\(wirelab\) with ESMTP id /);
    expect(withoutReceived(mail)?.toString('latin1'), `${user}'s copy is byte for byte what swaks sent`).toBe(message.toString('latin1'));
    expect(await listMaildir(maildir, user, 'tmp'), `nothing left in ${user}/tmp/`).toEqual([]);
  }
}

describe.skipIf(swaks === undefined)(
  `wirelab serve smtp --impl solutions judged by swaks${swaks === undefined ? ' (skipped: swaks is not installed; apt-get install swaks)' : ''}`,
  () => {
    test('a plain message lands byte for byte in DIR/<user>/new/', async () => {
      const message = Buffer.from('From: alice@a.test\r\nTo: plain@mail.test\r\nSubject: plain\r\n\r\nHello Bob,\r\nthis came by swaks.\r\n');
      const run = await runSwaks(['--to', `plain@${DOMAIN}`, '--data', `@${await messageFile(message)}`]);
      expect(run.code, transcriptOf(run)).toBe(0);
      expect(run.stdout.toString(), 'swaks saw our 250 after the data').toMatch(/^<- {2}250 OK.*delivered/m);
      await expectDelivered(['plain'], message);
    }, TEST_MS);

    test('several recipients each get one copy, local parts lower-cased', async () => {
      const message = Buffer.from('Subject: for three\r\n\r\none message, three mailboxes\r\n');
      const run = await runSwaks(['--to', `one@${DOMAIN},Two@${DOMAIN},THREE@MAIL.TEST`, '--data', `@${await messageFile(message)}`]);
      expect(run.code, transcriptOf(run)).toBe(0);
      await expectDelivered(['one', 'two', 'three'], message);
    }, TEST_MS);

    test('lines starting with dots survive swaks stuffing them and us removing it', async () => {
      const message = Buffer.from(
        'Subject: dots\r\n\r\n.\r\n..\r\n.hidden\r\n...three\r\nmiddle . line\r\n. \r\nlast.\r\n.\r\nnot the end\r\n',
      );
      const run = await runSwaks(['--to', `dots@${DOMAIN}`, '--data', `@${await messageFile(message)}`]);
      expect(run.code, transcriptOf(run)).toBe(0);
      expect(run.stdout.toString(), 'swaks doubled the leading dots on the wire').toMatch(/^ -> \.\.hidden\r?$/m);
      await expectDelivered(['dots'], message);
    }, TEST_MS);

    test('an 8-bit body (UTF-8 and Latin-1 bytes) arrives untouched', async () => {
      const message = Buffer.concat([
        Buffer.from('Subject: 8bit\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
        Buffer.from('Grüße, café, 漢字, emoji 📬\r\n', 'utf8'),
        Buffer.from([0xe9, 0x74, 0xe9, 0x0d, 0x0a, 0x80, 0xff, 0xfe, 0x01, 0x7f, 0x0d, 0x0a]),
      ]);
      const run = await runSwaks(['--to', `eight@${DOMAIN}`, '--data', `@${await messageFile(message)}`]);
      expect(run.code, transcriptOf(run)).toBe(0);
      await expectDelivered(['eight'], message);
    }, TEST_MS);

    test("swaks' own MIME message with an attachment arrives exactly as swaks shows it sent", async () => {
      const attachment = path.join(scratch, 'attachment.bin');
      await writeFile(attachment, Buffer.from([0, 1, 2, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a, 0xff]));
      const run = await runSwaks(['--to', `generated@${DOMAIN}`, '--h-Subject', 'made by swaks', '--body', 'see the attachment', '--attach', `@${attachment}`]);
      expect(run.code, transcriptOf(run)).toBe(0);
      // swaks prints each line it sends in DATA as " -> line\r"; up to the lone ".".
      const lines = run.stdout.toString('latin1').split('\n');
      const start = lines.findIndex((line) => line.startsWith('<-  354'));
      const end = lines.indexOf(' -> .', start);
      expect(start, transcriptOf(run)).toBeGreaterThan(0);
      expect(end, transcriptOf(run)).toBeGreaterThan(start);
      const sent = lines.slice(start + 1, end).map((line) => line.slice(' -> '.length).replace(/^\./, '') + '\n');
      expect(sent.join(''), 'the message swaks generated').toMatch(/\r\nX-Mailer: swaks .*\r\nContent-Type: multipart\/mixed;.*attachment\.bin/s);
      await expectDelivered(['generated'], Buffer.from(sent.join(''), 'latin1'));
    }, TEST_MS);

    test('PIPELINING: swaks sends MAIL, every RCPT and DATA in one go; the foreign recipient alone is refused', async () => {
      const message = Buffer.from('Subject: pipelined\r\n\r\n.one write, many commands\r\n');
      const run = await runSwaks(['--pipeline', '--to', `p1@${DOMAIN},eve@elsewhere.test,p2@${DOMAIN}`, '--data', `@${await messageFile(message)}`]);
      expect(run.code, transcriptOf(run)).toBe(0);
      const out = run.stdout.toString('latin1');
      // In lock-step mode a reply follows each command; pipelined, DATA is written before the first 250.
      const afterMail = out.slice(out.indexOf(' -> MAIL FROM:'));
      expect(afterMail.indexOf(' -> DATA'), transcriptOf(run)).toBeGreaterThan(0);
      expect(afterMail.indexOf(' -> DATA'), 'DATA sent before any reply to MAIL').toBeLessThan(afterMail.indexOf('<-'));
      expect(out, 'the replies come back in order: 250, 250, 550, 250, 354').toMatch(
        /<- {2}250 [^\n]*\n<- {2}250 [^\n]*\n<\*\* 550 [^\n]*relay[^\n]*\n<- {2}250 [^\n]*\n<- {2}354 /,
      );
      await expectDelivered(['p1', 'p2'], message);
      expect(await listMailboxes(maildir), 'no mailbox for the foreign recipient').not.toContain('eve');
    }, TEST_MS);

    test('HELO instead of EHLO: plain SMTP works and the Received: line says so', async () => {
      const message = Buffer.from('Subject: old school\r\n\r\nHELO, not EHLO\r\n');
      const run = await runSwaks(['--protocol', 'SMTP', '--to', `helo@${DOMAIN}`, '--data', `@${await messageFile(message)}`]);
      expect(run.code, transcriptOf(run)).toBe(0);
      expect(run.stdout.toString(), transcriptOf(run)).toMatch(/^ -> HELO client\.test\r?$/m);
      const [stored] = await readNewMail(maildir, 'helo');
      expect(receivedHeaderOf(stored!)).toMatch(/\(wirelab\) with SMTP id /);
      expect(withoutReceived(stored!)?.toString()).toBe(message.toString());
    }, TEST_MS);

    test('mail for a domain that is not ours: swaks reports the 550 and exits non-zero', async () => {
      const message = Buffer.from('Subject: relay me\r\n\r\nplease\r\n');
      const run = await runSwaks(['--to', 'eve@elsewhere.test', '--data', `@${await messageFile(message)}`]);
      expect(run.code, `24 is swaks' "no RCPTs accepted"\n${transcriptOf(run)}`).toBe(24);
      expect(transcriptOf(run)).toMatch(/^<\*\* 550 /m);
      expect(transcriptOf(run), 'swaks never got to DATA').not.toMatch(/^ -> DATA/m);
      expect(await listMailboxes(maildir)).not.toContain('eve');
    }, TEST_MS);

    test('after all that, SIGTERM stops the server cleanly', async () => {
      const { code, stderr } = await server.stop('SIGTERM');
      expect(stderr).toMatch(/SIGTERM: shutting down/);
      expect(code).toBe(0);
      // Mailboxes only for the recipients we accepted (fewer if tests were filtered out).
      const accepted = ['dots', 'eight', 'generated', 'helo', 'one', 'p1', 'p2', 'plain', 'three', 'two'];
      expect(accepted).toEqual(expect.arrayContaining(await readdir(maildir)));
    }, TEST_MS);
  },
);
