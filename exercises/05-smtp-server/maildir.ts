/**
 * Maildir delivery (https://cr.yp.to/proto/maildir.html), the format of
 * Dovecot, Courier, mutt and friends. A mailbox is a folder with three
 * subfolders:
 *
 *   DIR/<mailbox>/tmp/   being written: readers ignore it
 *   DIR/<mailbox>/new/   delivered, not yet seen by a reader
 *   DIR/<mailbox>/cur/   seen (readers move files here)
 *
 * A message is written into tmp/ under a name nobody else can pick, flushed
 * to the disk (fsync), and only then renamed into new/. A rename within one
 * filesystem is atomic, so a reader sees either nothing or the whole message,
 * and a crash leaves at worst a stray file in tmp/. Only after that may the
 * server answer 250: the message is now the server's responsibility.
 */
// The tools for the job: randomBytes for unique names; mkdir, open (FileHandle.writev/sync/close), rename, unlink.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** The three subfolders of every Maildir. */
export const MAILDIR_SUBFOLDERS = ['tmp', 'new', 'cur'] as const;

/** This host's name with `/` and `:` escaped as Maildir asks (they cannot appear in file names). */
const HOST = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072') || 'localhost';

/**
 * A file name no other delivery can produce: `<seconds>.M<µs>P<pid>Q<n>R<random>.<host>`.
 * Never contains `/` or `:` and never starts with a dot.
 */
export function uniqueName(now: Date = new Date()): string {
  // TODO: "<seconds>.M<microseconds>P<pid>Q<counter>R<random hex>.<HOST>": time, process and a counter make it unique
  // TODO: no "/" or ":" (HOST is already escaped) and no leading dot
  throw new Error('TODO(05-smtp-server): uniqueName');
}

/** Creates `DIR/<mailbox>/{tmp,new,cur}` if missing; returns the mailbox folder. */
export async function ensureMaildir(root: string, mailbox: string): Promise<string> {
  // TODO: mkdir -p DIR/<mailbox>/tmp, new and cur (remember which exist already: it saves syscalls)
  throw new Error('TODO(05-smtp-server): ensureMaildir');
}

/**
 * Delivers one message into every mailbox: first a durable copy in each tmp/,
 * then the renames into new/. If any copy cannot be written, none is
 * delivered (the tmp/ files are removed) and the error is thrown, so the
 * client can be told 451 and try again without creating duplicates.
 * Resolves with the paths of the files in new/.
 */
export async function deliverToMaildirs(root: string, mailboxes: readonly string[], parts: readonly Uint8Array[]): Promise<string[]> {
  // TODO: ensureMaildir for every mailbox; one uniqueName() for this delivery
  // TODO: write each copy into tmp/ (open with "wx"), writev the parts, fsync (handle.sync()) and close
  // TODO: if any copy fails: unlink the tmp/ files written so far and throw
  // TODO: then rename each tmp/ file into new/ (and fsync new/ so the rename survives a crash)
  // TODO: resolve with the paths in new/
  throw new Error('TODO(05-smtp-server): deliverToMaildirs');
}
