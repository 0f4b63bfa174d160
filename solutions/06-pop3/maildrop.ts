/**
 * A user's maildrop: the Maildir that exercise 05 delivers into, seen by a
 * reader (https://cr.yp.to/proto/maildir.html). File system only, no sockets.
 *
 *   DIR/<user>/new/<unique>          delivered, never seen by a reader
 *   DIR/<user>/cur/<unique>:2,<flags> seen: a reader moved it here
 *   DIR/<user>/tmp/                  being written: never ours to touch
 *
 * Opening a maildrop moves every file of new/ to cur/ (adding the `:2,` info
 * suffix, as every Maildir reader does), then lists cur/ in delivery order and
 * numbers the messages from 1. A message's unique id (UIDL) is its unique name,
 * the file name before `:`, so it stays the same across sessions. RFC 1939
 * allows 1 to 70 printable characters; a longer name (exercise 05 puts the
 * host name in it, and host names can be long) is replaced by its SHA-1 in
 * hex, 40 characters, just as stable. Its size is counted as POP3 sends it:
 * every line end as CRLF.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { MAILDIR_INFO_SEPARATOR } from './pop3-constants.ts';
import { splitLines } from './multiline.ts';

/** One message of a maildrop, as listed when the session opened it. */
export interface MessageInfo {
  /** 1, 2, 3 …: the number the client uses for it in this session. */
  readonly number: number;
  /** The UIDL: the Maildir unique name (file name before `:`), or its SHA-1 when longer than 70 characters; the same in every session. */
  readonly uid: string;
  /** Octets as sent by RETR (every line end counted as CRLF, byte-stuffing not counted). */
  readonly size: number;
  /** Where the file is now (in cur/). */
  readonly path: string;
}

/** A user's maildrop as a session sees it: a snapshot taken when it was opened. */
export interface Maildrop {
  /** The mailbox name (the lower-cased user name). */
  readonly mailbox: string;
  /** The Maildir folder, `<maildir>/<mailbox>`. */
  readonly folder: string;
  /** The messages, numbered from 1 in delivery order. */
  readonly messages: readonly MessageInfo[];
}

/** Thrown for a user name that cannot safely become a folder name (`../x`, `a/b`, `.hidden`). */
export class UnsafeMailboxError extends Error {
  override name = 'UnsafeMailboxError';
  constructor(readonly user: string) {
    super(`user name ${JSON.stringify(user)} cannot be a mailbox name`);
  }
}

/** Lower-case dot-atoms without `/`, as exercise 05 names mailboxes: safe as a single folder name. */
const SAFE_MAILBOX = /^[a-z0-9!#$%&'*+\-=?^_`{|}~]+(?:\.[a-z0-9!#$%&'*+\-=?^_`{|}~]+)*$/;

/**
 * The mailbox (folder) name of a user: the name lower-cased, as exercise 05
 * names mailboxes (`Bob` reads `<maildir>/bob/`). Undefined when the name could
 * climb out of the Maildir root or hide (`..`, `/`, a leading dot, empty).
 */
export function mailboxName(user: string): string | undefined {
  const mailbox = user.toLowerCase();
  return SAFE_MAILBOX.test(mailbox) ? mailbox : undefined;
}

/** Octets of `bytes` once every line end is CRLF (a bare LF counts 2, a missing last line end adds 2). */
export function crlfSize(bytes: Buffer): number {
  let size = 0;
  for (const line of splitLines(bytes)) size += line.length + 2;
  return size;
}

/** The unique name of a Maildir file: everything before the info suffix `:2,…`. */
export function uniqueNameOf(fileName: string): string {
  const colon = fileName.indexOf(':');
  return colon === -1 ? fileName : fileName.slice(0, colon);
}

/** What RFC 1939 §7 allows as a unique-id: 1 to 70 characters from 0x21 to 0x7E. */
const VALID_UNIQUE_ID = /^[\x21-\x7e]{1,70}$/;

/** The UIDL of a unique name: the name itself when RFC 1939 allows it, else its SHA-1 in hex (stable, 40 characters). */
function uniqueIdOf(uniqueName: string): string {
  return VALID_UNIQUE_ID.test(uniqueName) ? uniqueName : createHash('sha1').update(uniqueName).digest('hex');
}

/** File names a reader must ignore: hidden files (and `.`/`..`). */
const isHidden = (name: string) => name.startsWith('.');

/** The entries of a folder, or none if it does not exist (a user who never got mail). */
async function listFolder(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((name) => !isHidden(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

/** Moves every message of new/ to cur/ with the `:2,` suffix ("seen by a reader, no flags yet"). */
async function moveNewToCur(folder: string): Promise<void> {
  const names = await listFolder(path.join(folder, 'new'));
  if (names.length === 0) return;
  await mkdir(path.join(folder, 'cur'), { recursive: true }); // a Maildir made by hand may lack it
  await Promise.all(
    names.map(async (name) => {
      const target = path.join(folder, 'cur', uniqueNameOf(name) + MAILDIR_INFO_SEPARATOR);
      try {
        await rename(path.join(folder, 'new', name), target);
      } catch (error) {
        // Another reader moved it first (ENOENT): it is in cur/ now, which is what we wanted.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }),
  );
}

/** Delivery order: by modification time (a rename keeps it), then by name with numbers compared as numbers. */
function byDelivery(a: { name: string; mtimeMs: number }, b: { name: string; mtimeMs: number }): number {
  return a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name, 'en', { numeric: true });
}

/**
 * Opens `user`'s maildrop under `maildir`: moves new/ to cur/, then lists
 * cur/ with sizes and unique ids. A missing Maildir is an empty maildrop.
 * Does not lock: see {@link lockMaildrop}.
 * @throws UnsafeMailboxError when the user name cannot be a folder name.
 */
export async function openMaildrop(maildir: string, user: string): Promise<Maildrop> {
  const mailbox = mailboxName(user);
  if (mailbox === undefined) throw new UnsafeMailboxError(user);
  const folder = path.join(maildir, mailbox);
  const cur = path.join(folder, 'cur');
  await moveNewToCur(folder);
  const found = await Promise.all(
    (await listFolder(cur)).map(async (name) => {
      const file = path.join(cur, name);
      try {
        const info = await stat(file);
        if (!info.isFile()) return undefined;
        return { name, file, mtimeMs: info.mtimeMs, size: crlfSize(await readFile(file)) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted under our feet
        throw error;
      }
    }),
  );
  const files = found.filter((f) => f !== undefined).sort(byDelivery);
  const messages = files.map((f, i): MessageInfo => ({ number: i + 1, uid: uniqueIdOf(uniqueNameOf(f.name)), size: f.size, path: f.file }));
  return { mailbox, folder, messages };
}

/** Reads a message's bytes as stored (line ends as they are on disk). */
export function readMessage(message: MessageInfo): Promise<Buffer> {
  return readFile(message.path);
}

/**
 * Deletes the given messages from disk (the UPDATE state, RFC 1939 §6).
 * A file already gone counts as deleted. Resolves with the messages that
 * could not be removed (empty when all went).
 */
export async function deleteMessages(messages: readonly MessageInfo[]): Promise<MessageInfo[]> {
  const failed: MessageInfo[] = [];
  await Promise.all(
    messages.map(async (message) => {
      try {
        await unlink(message.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') failed.push(message);
      }
    }),
  );
  return failed;
}

/** Maildrops in use by a session of this process, by folder. */
const locked = new Set<string>();

/**
 * Takes the exclusive lock on a maildrop (RFC 1939 §4: one session at a time
 * per maildrop). In-process only. Returns the function that releases it,
 * or undefined when another session holds it.
 */
export function lockMaildrop(maildir: string, mailbox: string): (() => void) | undefined {
  const key = path.resolve(maildir, mailbox);
  if (locked.has(key)) return undefined;
  locked.add(key);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    locked.delete(key);
  };
}
