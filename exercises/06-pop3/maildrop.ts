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
 * the file name before `:`, so it stays the same across sessions (RFC 1939
 * wants at most 70 printable characters: the names exercise 05 makes fit unless
 * the host name is very long). Its size is counted as POP3 sends it: every
 * line end as CRLF.
 */
// The tools for the job: mkdir, readdir, readFile, rename, stat, unlink (and error.code 'ENOENT' for "not there").
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
  // TODO: lower-case the name; it must match SAFE_MAILBOX (dot-separated atoms: no "/", no "..", no leading dot)
  // TODO: otherwise undefined
  throw new Error('TODO(06-pop3): mailboxName');
}

/** Octets of `bytes` once every line end is CRLF (a bare LF counts 2, a missing last line end adds 2). */
export function crlfSize(bytes: Buffer): number {
  // TODO: every line (splitLines) counts its bytes plus 2 for its CRLF, whatever the file had (CRLF, LF or nothing)
  throw new Error('TODO(06-pop3): crlfSize');
}

/** The unique name of a Maildir file: everything before the info suffix `:2,…`. */
export function uniqueNameOf(fileName: string): string {
  // TODO: everything before the first ":" (the whole name if there is none)
  throw new Error('TODO(06-pop3): uniqueNameOf');
}

/**
 * Opens `user`'s maildrop under `maildir`: moves new/ to cur/, then lists
 * cur/ with sizes and unique ids. A missing Maildir is an empty maildrop.
 * Does not lock: see {@link lockMaildrop}.
 * @throws UnsafeMailboxError when the user name cannot be a folder name.
 */
export async function openMaildrop(maildir: string, user: string): Promise<Maildrop> {
  // TODO: mailboxName(user); undefined → throw new UnsafeMailboxError(user)
  // TODO: move every file of <folder>/new/ to <folder>/cur/<unique name>:2, (MAILDIR_INFO_SEPARATOR);
  //       (mkdir cur/ first if new/ has any); skip names starting with "."; a folder that is missing (ENOENT)
  //       simply has no messages
  // TODO: list cur/ (regular files only, not hidden ones): for each its mtime (stat) and crlfSize(readFile(…))
  // TODO: sort in delivery order: by mtimeMs, then by name (numbers compared as numbers: localeCompare with { numeric: true })
  // TODO: number them from 1; uid = uniqueNameOf(file name), or its SHA-1 in hex when that is not 1 to 70 printable characters; path = where the file is now
  throw new Error('TODO(06-pop3): openMaildrop');
}

/** Reads a message's bytes as stored (line ends as they are on disk). */
export function readMessage(message: MessageInfo): Promise<Buffer> {
  // TODO: the bytes of the file, as they are
  throw new Error('TODO(06-pop3): readMessage');
}

/**
 * Deletes the given messages from disk (the UPDATE state, RFC 1939 §6).
 * A file already gone counts as deleted. Resolves with the messages that
 * could not be removed (empty when all went).
 */
export async function deleteMessages(messages: readonly MessageInfo[]): Promise<MessageInfo[]> {
  // TODO: unlink every message's file; ENOENT (already gone) is fine; collect the others that failed
  throw new Error('TODO(06-pop3): deleteMessages');
}

/** Maildrops in use by a session of this process, by folder. */
const locked = new Set<string>();

/**
 * Takes the exclusive lock on a maildrop (RFC 1939 §4: one session at a time
 * per maildrop). In-process only. Returns the function that releases it,
 * or undefined when another session holds it.
 */
export function lockMaildrop(maildir: string, mailbox: string): (() => void) | undefined {
  // TODO: key = path.resolve(maildir, mailbox); already in `locked` → undefined
  // TODO: otherwise add it and return a function that deletes it again (calling it twice must do no harm)
  throw new Error('TODO(06-pop3): lockMaildrop');
}
