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
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** The three subfolders of every Maildir. */
export const MAILDIR_SUBFOLDERS = ['tmp', 'new', 'cur'] as const;

let sequence = 0;
/** This host's name with `/` and `:` escaped as Maildir asks (they cannot appear in file names). */
const HOST = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072') || 'localhost';

/**
 * A file name no other delivery can produce: `<seconds>.M<µs>P<pid>Q<n>R<random>.<host>`.
 * Never contains `/` or `:` and never starts with a dot.
 */
export function uniqueName(now: Date = new Date()): string {
  const ms = now.getTime();
  const seconds = Math.floor(ms / 1000);
  const micros = (ms % 1000) * 1000;
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${seconds}.M${micros}P${process.pid}Q${sequence}R${randomBytes(6).toString('hex')}.${HOST}`;
}

/** Mailbox folders made (or found) already, so a busy mailbox costs no mkdir per message. */
const existing = new Set<string>();

/** Creates `DIR/<mailbox>/{tmp,new,cur}` if missing; returns the mailbox folder. */
export async function ensureMaildir(root: string, mailbox: string): Promise<string> {
  const folder = path.join(root, mailbox);
  if (existing.has(folder)) return folder;
  await Promise.all(MAILDIR_SUBFOLDERS.map((sub) => mkdir(path.join(folder, sub), { recursive: true })));
  existing.add(folder);
  return folder;
}

/** Writes `parts` to a new file and fsyncs it before closing. */
async function writeDurably(file: string, parts: readonly Uint8Array[]): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writev(parts);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder so a rename into it survives a crash too. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Delivers one message into every mailbox: first a durable copy in each tmp/,
 * then the renames into new/. If any copy cannot be written, none is
 * delivered (the tmp/ files are removed) and the error is thrown, so the
 * client can be told 451 and try again without creating duplicates.
 * Resolves with the paths of the files in new/.
 */
export async function deliverToMaildirs(root: string, mailboxes: readonly string[], parts: readonly Uint8Array[]): Promise<string[]> {
  const name = uniqueName();
  const folders = await Promise.all(mailboxes.map((mailbox) => ensureMaildir(root, mailbox)));
  const written: string[] = [];
  try {
    await Promise.all(
      folders.map(async (folder) => {
        const file = path.join(folder, 'tmp', name);
        try {
          await writeDurably(file, parts);
        } catch (error) {
          // Someone removed the mailbox since we made it: make it again, once.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          existing.delete(folder);
          await ensureMaildir(root, path.basename(folder));
          await writeDurably(file, parts);
        }
        written.push(file);
      }),
    );
  } catch (error) {
    await Promise.all(written.map((file) => unlink(file).catch(() => {})));
    throw error;
  }
  const delivered = await Promise.all(
    folders.map(async (folder) => {
      const target = path.join(folder, 'new', name);
      await rename(path.join(folder, 'tmp', name), target);
      await syncFolder(path.join(folder, 'new'));
      return target;
    }),
  );
  return delivered;
}
