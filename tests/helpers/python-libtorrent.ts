/**
 * libtorrent-rasterbar (the engine of qBittorrent and Deluge) through its
 * Python binding, as a judge in reference tests. Present where
 * `python3 -c "import libtorrent"` works (Debian/Ubuntu: python3-libtorrent);
 * tests skip themselves elsewhere, saying why.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

/** The first python3 that can import libtorrent, if any. */
export function findLibtorrentPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(python, ['-c', 'import libtorrent'], { stdio: 'ignore', timeout: 10_000 });
      return python;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * Runs a Python script (asynchronously: a server under test may run in this
 * very process) and returns each line of its output parsed as JSON.
 */
export async function runPythonJsonLines<T>(python: string, script: string, args: string[], timeoutMs: number): Promise<T[]> {
  const { stdout } = await promisify(execFile)(python, ['-c', script, ...args], { timeout: timeoutMs });
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}
