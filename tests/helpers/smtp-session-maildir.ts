/**
 * Looking into the Maildirs a test server delivered to: what is in new/,
 * tmp/ and cur/ of a mailbox, and a message with the server's Received:
 * header taken off, to compare byte for byte with what the client sent.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh empty folder for one test's mailboxes. */
export function makeMaildirRoot(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'wirelab-smtp-'));
}

/** Removes a folder made by {@link makeMaildirRoot}. */
export function removeMaildirRoot(root: string): Promise<void> {
  return rm(root, { recursive: true, force: true });
}

/** The names in one subfolder of a mailbox (empty if it does not exist). */
export async function listMaildir(root: string, mailbox: string, sub: 'new' | 'tmp' | 'cur'): Promise<string[]> {
  try {
    return (await readdir(path.join(root, mailbox, sub))).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The contents of every file in `<root>/<mailbox>/new/`, in name order. */
export async function readNewMail(root: string, mailbox: string): Promise<Buffer[]> {
  const names = await listMaildir(root, mailbox, 'new');
  return Promise.all(names.map((name) => readFile(path.join(root, mailbox, 'new', name))));
}

/** The mailbox folders under a root (each user that got mail). */
export async function listMailboxes(root: string): Promise<string[]> {
  try {
    return (await readdir(root)).sort();
  } catch {
    return [];
  }
}

/**
 * Takes the first header field off a stored message if it is `Received:`
 * (with its folded continuation lines); returns undefined when the message
 * does not start with a Received: header.
 */
export function withoutReceived(stored: Buffer): Buffer | undefined {
  const text = stored.toString('latin1');
  const match = /^Received:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/i.exec(text);
  return match ? stored.subarray(match[0].length) : undefined;
}

/** The Received: header of a stored message, unfolded, or undefined. */
export function receivedHeaderOf(stored: Buffer): string | undefined {
  const text = stored.toString('latin1');
  const match = /^Received:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/i.exec(text);
  return match?.[0].replace(/\r\n[ \t]+/g, ' ').trimEnd();
}
