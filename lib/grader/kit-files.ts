/**
 * Which files make up the kit, for `wirelab pack`: what git knows about
 * (tracked files, plus new files git does not ignore, so work not yet
 * committed still packs), never what .gitignore names (node_modules/,
 * .wirelab/, logs). Outside a git checkout: a walk that skips the same folders.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Folders never packed, whatever git says. */
const ALWAYS_SKIPPED = ['.git', 'node_modules', '.wirelab'];

/** The kit's files as sorted paths relative to `root`, with forward slashes. */
export function listKitFiles(root: string): string[] {
  const fromGit = gitFiles(root);
  const files = (fromGit ?? walk(root, '')).filter((f) => !ALWAYS_SKIPPED.includes(f.split('/')[0]!));
  // A tracked file deleted in the working tree (or a dangling symlink) has nothing to pack.
  return files.filter((f) => existsSync(path.join(root, f)) && statSync(path.join(root, f)).isFile()).sort();
}

function gitFiles(root: string): string[] | undefined {
  if (!existsSync(path.join(root, '.git'))) return undefined;
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', windowsHide: true });
  if (r.status !== 0 || r.error) return undefined;
  return [...new Set(r.stdout.split('\0').filter((f) => f !== ''))];
}

/** Without git: what the kit's .gitignore names, roughly (test coverage, logs such as V8's isolate-*.log). */
const WALK_SKIPPED_FOLDERS = [...ALWAYS_SKIPPED, 'coverage'];
const isLog = (name: string): boolean => name.endsWith('.log');

function walk(root: string, relative: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!WALK_SKIPPED_FOLDERS.includes(entry.name)) out.push(...walk(root, rel));
    } else if (entry.isFile() && !isLog(entry.name)) out.push(rel);
  }
  return out;
}

/** True when `file` (relative, forward slashes) is `folder` itself or lies under it. */
export function isUnder(file: string, folder: string): boolean {
  return file === folder || file.startsWith(`${folder}/`);
}
