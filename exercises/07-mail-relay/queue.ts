/**
 * The outgoing queue: mail for other domains waits here, on disk, until the
 * receiving server takes it. A server that answered 250 owns the message, so
 * the queue must survive a crash or a restart at any moment (RFC 5321 §6.1).
 *
 * One entry is two files in the queue folder, named by the entry's id:
 *
 *   <queue>/<id>.eml    the message, exactly as it will be sent (never changes)
 *   <queue>/<id>.json   its envelope and schedule (rewritten after every attempt):
 *                       {"id","from","recipients","attempts","firstQueuedAt","nextAttemptAt","lastReply"}
 *   <queue>/tmp/        files being written
 *
 * Every file is written under tmp/, flushed to the disk (fsync), then renamed
 * into place: a rename is atomic, so a reader (or a restarted server) sees the
 * old file or the new one, never half of one. The envelope is written last and
 * removed first: an entry exists exactly when its .json does, and an .eml
 * without one is a leftover of a crash (never acknowledged) that loading removes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';

// Given complete below: the entry type, newId, syncFolder, encodeEntry and decodeEntry (checking JSON read from disk).
// Yours: writeAtomically, loadQueue, enqueue, updateEntry, removeEntry, readQueuedMessage.

/** One queued message: who sent it, who still waits for it, and when to try next. */
export interface QueueEntry {
  /** Names the entry's files; letters, digits and `-` only. */
  readonly id: string;
  /** The envelope sender (MAIL FROM), `''` for a bounce. */
  readonly from: string;
  /** The recipients still waiting for delivery (delivered and bounced ones are gone). */
  readonly recipients: readonly string[];
  /** How many delivery attempts failed so far. */
  readonly attempts: number;
  /** When the message entered the queue (ms since the epoch): the give-up clock starts here. */
  readonly firstQueuedAt: number;
  /** When to try next (ms since the epoch). */
  readonly nextAttemptAt: number;
  /** The last reply (or connection error) per recipient, e.g. `451 4.3.0 try again later`: a bounce quotes it. */
  readonly lastReply: Readonly<Record<string, string>>;
}

/** The envelope of a message to queue. */
export interface NewEnvelope {
  readonly from: string;
  readonly recipients: readonly string[];
}

/** The file endings of an entry, and the folder files are written in first. */
export const MESSAGE_SUFFIX = '.eml';
export const ENVELOPE_SUFFIX = '.json';
export const TMP_FOLDER = 'tmp';

/** Ids are time-ordered (base 36) with random bytes, so two servers or two restarts never collide. */
function newId(now: number): string {
  return `${now.toString(36)}-${randomBytes(8).toString('hex')}`;
}

/** Writes `parts` to `target` atomically: a tmp/ file, fsync, rename, fsync of the folder. */
async function writeAtomically(dir: string, target: string, parts: readonly Uint8Array[]): Promise<void> {
  // TODO: a fresh name in <dir>/tmp/ (the target's name plus a few random hex digits)
  // TODO: open it with 'wx', writev the parts, handle.sync() (fsync), close it (also when writing failed: try/finally)
  // TODO: rename it onto target (atomic: readers see the old file or the new one), unlink the tmp file if that fails
  // TODO: syncFolder(dir), so the rename itself survives a crash
  throw new Error('TODO(07-mail-relay): writeAtomically');
}

/** Flushes a folder so renames and removals in it survive a crash. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The envelope file's text (one JSON document). */
function encodeEntry(entry: QueueEntry): Buffer {
  return Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
}

/** Reads back an envelope file; undefined when it is not one (damaged by hand, say). */
function decodeEntry(text: string, id: string): QueueEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (typeof v.from !== 'string' || !strings(v.recipients)) return undefined;
  if (typeof v.attempts !== 'number' || typeof v.firstQueuedAt !== 'number' || typeof v.nextAttemptAt !== 'number') return undefined;
  const lastReply: Record<string, string> = {};
  if (typeof v.lastReply === 'object' && v.lastReply !== null) {
    for (const [k, r] of Object.entries(v.lastReply)) if (typeof r === 'string') lastReply[k] = r;
  }
  return { id, from: v.from, recipients: v.recipients, attempts: v.attempts, firstQueuedAt: v.firstQueuedAt, nextAttemptAt: v.nextAttemptAt, lastReply };
}

/**
 * Opens the queue folder (creating it) and returns every entry in it, oldest
 * first. Cleans up after a crash: half-written files in tmp/ and messages
 * whose envelope was never written (both were never acknowledged with 250).
 */
export async function loadQueue(dir: string): Promise<QueueEntry[]> {
  // TODO: mkdir -p <dir>/tmp, and empty tmp/ (half-written files of a crash)
  // TODO: for every <id>.eml without its <id>.json: unlink it (a crash between the two writes; never acknowledged)
  // TODO: for every <id>.json: decodeEntry(text, id); skip (with a message on stderr) one that does not decode or has no .eml
  // TODO: sort by firstQueuedAt (then id), oldest first
  throw new Error('TODO(07-mail-relay): loadQueue');
}

/**
 * Puts a message into the queue, durably: when this resolves, the message and
 * its envelope are on disk and the server may answer 250. The first attempt is
 * due at once (`nextAttemptAt` = `now`).
 */
export async function enqueue(dir: string, envelope: NewEnvelope, parts: readonly Uint8Array[], now: number = Date.now()): Promise<QueueEntry> {
  // TODO: no recipients: throw a RangeError (there is nobody to deliver to)
  // TODO: mkdir -p <dir>/tmp; the entry: newId(now), 0 attempts, firstQueuedAt = nextAttemptAt = now, no replies yet
  // TODO: writeAtomically the message as <id>.eml FIRST, then the envelope (encodeEntry) as <id>.json
  // TODO: if the envelope cannot be written, unlink the .eml and rethrow (the client will be told 451)
  throw new Error('TODO(07-mail-relay): enqueue');
}

/** Replaces an entry's envelope (after an attempt), atomically: a crash keeps the old one or the new one. */
export async function updateEntry(dir: string, entry: QueueEntry): Promise<void> {
  // TODO: writeAtomically <id>.json with encodeEntry(entry)
  throw new Error('TODO(07-mail-relay): updateEntry');
}

/** Removes an entry once every recipient got the message or a bounce; no error if it is gone already. */
export async function removeEntry(dir: string, id: string): Promise<void> {
  // TODO: remove <id>.json FIRST (from then on the entry no longer exists), then <id>.eml; { force: true } ignores missing ones
  // TODO: syncFolder(dir)
  throw new Error('TODO(07-mail-relay): removeEntry');
}

/** The queued message's bytes, as they go on the wire (before dot-stuffing). */
export function readQueuedMessage(dir: string, id: string): Promise<Buffer> {
  // TODO: read <id>.eml as bytes (a Buffer, never a string)
  throw new Error('TODO(07-mail-relay): readQueuedMessage');
}
