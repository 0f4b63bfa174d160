/**
 * The small world the relay tests run in: spool folders, free ports to
 * start a receiver on later, bounded polling, submission with nodemailer
 * (SMTP AUTH), reading a maildrop over POP3, and looking at a message's
 * header without trusting the code under test.
 *
 *   const spool = await makeSpool();
 *   const port = await freePort();             // nothing listens there (yet)
 *   await submit(a.smtpPort, alice, { from: 'alice@a.test', to: ['bob@b.test'] }, raw);
 *   await eventually(async () => (await mailboxFiles(spoolB, 'bob')).length === 1, 3000, "bob's mail");
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Transcript } from '../../lib/index.ts';
import { Pop3Script } from './pop3-session.ts';

/** A fresh empty spool folder. */
export function makeSpool(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'wirelab-relay-'));
}

/** Removes a folder made by {@link makeSpool}. */
export function removeSpool(spool: string): Promise<void> {
  return rm(spool, { recursive: true, force: true });
}

/** A TCP port on 127.0.0.1 that was free a moment ago: the OS picked it, we closed it again. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown by {@link eventually} when the deadline passes. */
export class DeadlineError extends Error {}

/**
 * Polls `check` every `everyMs` until it returns something truthy, and
 * returns that; throws {@link DeadlineError} naming `what` after `timeoutMs`.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs: number, what: string, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new DeadlineError(`waited ${timeoutMs} ms for ${what}`);
    await sleep(everyMs);
  }
}

/** One message file of a Maildir. */
export interface MailFile {
  folder: 'new' | 'cur';
  name: string;
  bytes: Buffer;
}

/** The messages in `<spool>/mailboxes/<user>/new/` and `cur/` (none if the Maildir does not exist yet). */
export async function mailboxFiles(spool: string, user: string): Promise<MailFile[]> {
  const found: MailFile[] = [];
  for (const folder of ['new', 'cur'] as const) {
    let names: string[];
    try {
      names = (await readdir(path.join(spool, 'mailboxes', user, folder))).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const name of names) {
      try {
        found.push({ folder, name, bytes: await readFile(path.join(spool, 'mailboxes', user, folder, name)) });
      } catch (error) {
        // A POP3 session may move it to cur/ between readdir and readFile.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return found;
}

/** Every file anywhere under `<spool>/queue/` (paths relative to it); empty if there is no queue folder. */
export async function queueFiles(spool: string): Promise<string[]> {
  try {
    const entries = await readdir(path.join(spool, 'queue'), { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.relative(path.join(spool, 'queue'), path.join(e.parentPath, e.name))).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A user's name and password (SMTP AUTH and POP3). */
export interface Login {
  user: string;
  pass: string;
}

/** Options of {@link submit}. */
export interface SubmitOptions {
  /** Force one SASL mechanism. @default nodemailer's choice */
  authMethod?: 'PLAIN' | 'LOGIN';
}

/**
 * Submits one raw message with nodemailer over SMTP to 127.0.0.1:`port`,
 * logging in with `login` (no AUTH when undefined); resolves with
 * nodemailer's info once the server said 250.
 */
export async function submit(
  port: number,
  login: Login | undefined,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  options: SubmitOptions = {},
): Promise<{ accepted: unknown[]; rejected: unknown[]; response: string }> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1', port, secure: false, ignoreTLS: true,
    connectionTimeout: 3000, greetingTimeout: 3000, socketTimeout: 5000,
    ...(login ? { auth: { user: login.user, pass: login.pass }, ...(options.authMethod ? { authMethod: options.authMethod } : {}) } : {}),
  });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return { accepted: info.accepted, rejected: info.rejected, response: info.response };
  } finally {
    transport.close();
  }
}

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

/** A message as nodemailer builds it (CRLF line ends), to be sent as raw bytes. */
export async function compose(mail: SendMailOptions): Promise<Buffer> {
  const message = (await composer.sendMail(mail)).message as Buffer;
  return message.subarray(-2).toString('latin1') === '\r\n' ? message : Buffer.concat([message, Buffer.from('\r\n')]);
}

/** Lines joined with CRLF, a CRLF after the last one too (latin1: one char, one byte). */
export function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
}

/**
 * Splits off the `Received:` header fields at the top of a message (every
 * relay adds one; folded lines included): the fields, unfolded, and the rest.
 */
export function splitReceived(message: Buffer): { received: string[]; rest: Buffer } {
  const text = message.toString('latin1');
  const received: string[] = [];
  let offset = 0;
  const field = /^Received:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*/i;
  for (;;) {
    const match = field.exec(text.slice(offset));
    if (!match) break;
    received.push(match[0].replace(/\r?\n[ \t]+/g, ' ').trimEnd());
    offset += match[0].length;
  }
  return { received, rest: message.subarray(offset) };
}

/** The header section of a message (up to the first empty line), unfolded, as [name lower-cased, value] pairs. */
export function headerFields(message: Buffer): [string, string][] {
  const text = message.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  return head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
    })
    .filter(([name]) => name.length > 0);
}

/** The first header field called `name` (case-insensitive), unfolded, or undefined. */
export function header(message: Buffer, name: string): string | undefined {
  return headerFields(message).find(([n]) => n === name.toLowerCase())?.[1];
}

/** Logs in over POP3 (raw client, recorded into `transcript`), RETRs every message, QUITs; returns them in LIST order. */
export async function popAll(port: number, login: Login, transcript?: Transcript): Promise<Buffer[]> {
  const s = await Pop3Script.open(port, transcript);
  try {
    await s.login(login.user, login.pass);
    const messages: Buffer[] = [];
    for (const n of [...(await s.list()).keys()].sort((a, b) => a - b)) messages.push(await s.retr(n));
    await s.quit();
    return messages;
  } finally {
    s.close();
  }
}
