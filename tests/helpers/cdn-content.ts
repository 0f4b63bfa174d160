/**
 * What the CDN tests serve: a temporary content folder with a page, a 10 KiB
 * object, a 256 KiB "video" whose every byte is known (so a range can be
 * checked exactly), and a live feed the origin marks no-store. Plus a clock
 * the tests move by hand, so ages grow without waiting.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The files of the folder, by URL path. */
export const CONTENT = {
  '/index.html': Buffer.from('<!doctype html><title>cdn.test</title><p>hello from the origin</p>\n'),
  '/obj-10k.bin': Buffer.from(Array.from({ length: 10 * 1024 }, (_, i) => (i * 7 + 3) & 0xff)),
  '/video.mp4': Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 31 + (i >> 8)) & 0xff)),
  '/live/feed.txt': Buffer.from('score 1-0\n'),
} as const;

export type ContentPath = keyof typeof CONTENT;

/** Cache-Control the tests' origin uses per path: the live feed is never stored. */
export const liveIsNoStore = (urlPath: string): string | undefined => (urlPath.startsWith('/live/') ? 'no-store' : undefined);

/** A content folder on disk; `close()` removes it. */
export interface ContentFolder {
  readonly root: string;
  /** Writes (or rewrites) one file, for "the object changed at the origin". */
  write(urlPath: string, body: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** Makes the folder with {@link CONTENT}, plus `extra` files (URL path → bytes). */
export async function makeContent(extra: Record<string, Buffer> = {}): Promise<ContentFolder> {
  const root = await mkdtemp(path.join(tmpdir(), 'wirelab-cdn-'));
  const write = async (urlPath: string, body: Buffer): Promise<void> => {
    const file = path.join(root, ...urlPath.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  };
  for (const [urlPath, body] of Object.entries({ ...CONTENT, ...extra })) await write(urlPath, body);
  return { root, write, close: () => rm(root, { recursive: true, force: true }) };
}

/** A clock that only moves when told: `now()` for the origin and the edge, `advance(s)` for the test. */
export class ManualClock {
  /** Starts on a whole second, like the Date fields it feeds. */
  private t = Math.floor(Date.now() / 1000) * 1000;
  readonly now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

/** A short description of some bytes, so a mismatch shows what came instead of a 256 KiB dump. */
export function fingerprint(bytes: Uint8Array): string {
  return `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}
