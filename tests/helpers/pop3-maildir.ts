/**
 * Maildirs for POP3 tests, written by hand the way an MTA (exercise 05, or
 * any real one) leaves them: `<root>/<user>/{tmp,new,cur}/`, one message per
 * file, named by a unique name (`cur/` files carry `:2,FLAGS` after it).
 * Plus what a POP3 server must make of those files: the size on the wire
 * (every line end counted as CRLF) and the bytes it sends.
 *
 *   const root = await makeMailRoot();
 *   const uid = await writeMessage(root, 'bob', crlf('Subject: hi', '', 'hello'));
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The three folders of a Maildir. */
export type MaildirFolder = 'tmp' | 'new' | 'cur';

/** A fresh empty folder to hold one test's Maildirs. */
export function makeMailRoot(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'wirelab-pop3-'));
}

/** Removes a folder made by {@link makeMailRoot}. */
export function removeMailRoot(root: string): Promise<void> {
  return rm(root, { recursive: true, force: true });
}

/** Creates `<root>/<user>/{tmp,new,cur}` (no harm if they exist). */
export async function makeMaildir(root: string, user: string): Promise<void> {
  for (const folder of ['tmp', 'new', 'cur'] as const) await mkdir(path.join(root, user, folder), { recursive: true });
}

let counter = 0;

/**
 * A Maildir unique name in the classic shape `TIME.MmicrosPpidQn.HOST`:
 * printable, no `/`, no `:`, never starting with a dot, at most 70 octets
 * (so it is also a valid POP3 unique-id).
 */
export function uniqueName(): string {
  counter += 1;
  const seconds = 1_700_000_000 + Math.floor(Math.random() * 1e8);
  const micros = Math.floor(Math.random() * 1e6);
  return `${seconds}.M${micros}P${process.pid}Q${counter}.wirelab.test`;
}

/** Options for {@link writeMessage}. */
export interface WriteMessageOptions {
  /** Where the file goes. @default 'new' */
  folder?: MaildirFolder;
  /** The unique name. @default a fresh {@link uniqueName} */
  name?: string;
  /** For `cur/`: the flags after `:2,` (a file in cur/ is `NAME:2,FLAGS`). @default '' */
  flags?: string;
}

/**
 * Delivers `bytes` into `<root>/<user>/` as an MTA does (written in tmp/,
 * then renamed into new/, or cur/ with `:2,FLAGS`); returns the unique name.
 */
export async function writeMessage(root: string, user: string, bytes: Buffer, options: WriteMessageOptions = {}): Promise<string> {
  await makeMaildir(root, user);
  const name = options.name ?? uniqueName();
  const folder = options.folder ?? 'new';
  const inTmp = path.join(root, user, 'tmp', name);
  await writeFile(inTmp, bytes);
  if (folder === 'tmp') return name;
  const file = folder === 'cur' ? `${name}:2,${options.flags ?? ''}` : name;
  await rename(inTmp, path.join(root, user, folder, file));
  return name;
}

/** One message file found in a Maildir. */
export interface StoredMessage {
  folder: MaildirFolder;
  /** The file name as it is on disk. */
  file: string;
  /** The unique name: the file name up to its first `:`. */
  unique: string;
  bytes: Buffer;
}

/** Every file in `<root>/<user>/new/` and `cur/` (and tmp/ if asked), read; empty if the Maildir does not exist. */
export async function readMaildir(root: string, user: string, folders: readonly MaildirFolder[] = ['new', 'cur']): Promise<StoredMessage[]> {
  const found: StoredMessage[] = [];
  for (const folder of folders) {
    let names: string[];
    try {
      names = (await readdir(path.join(root, user, folder))).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const file of names) {
      found.push({ folder, file, unique: file.split(':')[0]!, bytes: await readFile(path.join(root, user, folder, file)) });
    }
  }
  return found;
}

/** The unique names of the messages in new/ and cur/, sorted. */
export async function uniqueNames(root: string, user: string): Promise<string[]> {
  return (await readMaildir(root, user)).map((m) => m.unique).sort();
}

/** Lines joined with CRLF, a CRLF after the last one too (latin1: one char, one byte). */
export function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
}

/** The same lines with bare LF line ends, as many Unix tools write mail. */
export function lf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\n`).join(''), 'latin1');
}

/**
 * What a POP3 server sends for a stored message (before dot-stuffing): every
 * bare LF becomes CRLF, CRLF stays CRLF.
 */
export function onTheWire(stored: Buffer): Buffer {
  return Buffer.from(stored.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** The size POP3 reports for a stored message: its octets with every line end counted as CRLF. */
export function wireSize(stored: Buffer): number {
  return onTheWire(stored).length;
}
