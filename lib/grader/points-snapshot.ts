/**
 * The points of every graded test, written into a student copy at pack time
 * (`tests/points.json`). The grader learns the total of an exercise whose
 * code does not load (a syntax error) by collecting the tests against the
 * reference solutions; a student copy has none, so it reads them from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CollectedTest } from './report-format.ts';
import { runVitest } from './run-vitest.ts';

/** Where the snapshot lives, relative to the kit's root. */
export const POINTS_SNAPSHOT_FILE = 'tests/points.json';

/** The snapshot on disk: per graded test file (relative path), its tests with `file` relative too. */
export interface PointsSnapshot {
  about: string;
  files: Record<string, CollectedTest[]>;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/**
 * Collects the tests of `testFiles` (absolute) against the solutions of the
 * kit at `root`, with paths made relative so the snapshot works wherever the
 * copy is unpacked. Throws when a file did not load: a snapshot missing an
 * exercise would show students a total of 0.
 */
export async function collectPointsSnapshot(root: string, testFiles: readonly string[]): Promise<PointsSnapshot> {
  const run = await runVitest({ files: [...testFiles], root, impl: 'solutions', mode: 'collect' });
  const files: Record<string, CollectedTest[]> = {};
  for (const e of run.events) {
    if (e.type !== 'collected' || e.tests.length === 0) continue;
    const rel = toPosix(path.relative(root, e.file));
    files[rel] = e.tests.map((t) => ({ ...t, file: rel }));
  }
  const missing = testFiles.map((f) => toPosix(path.relative(root, f))).filter((f) => !files[f]);
  if (missing.length > 0 || run.killed) {
    throw new Error(`could not collect the points of ${missing.join(', ') || 'the graded tests'} against solutions/${run.killed ? ` (${run.killed})` : ''}`);
  }
  return { about: 'The points of every graded test, for grading code that does not load. Written by `wirelab pack student`.', files };
}

/** The snapshot of the kit at `root` keyed by absolute test file path, or undefined when there is none. */
export function readPointsSnapshot(root: string): Map<string, CollectedTest[]> | undefined {
  const file = path.join(root, POINTS_SNAPSHOT_FILE);
  if (!existsSync(file)) return undefined;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as PointsSnapshot;
  const out = new Map<string, CollectedTest[]>();
  for (const [rel, tests] of Object.entries(snapshot.files)) {
    const absolute = path.join(root, rel);
    out.set(absolute, tests.map((t) => ({ ...t, file: absolute })));
  }
  return out;
}
