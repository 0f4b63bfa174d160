/**
 * The rules `npm test` applies to one graded test file, as a pure function of
 * its two runs (against solutions/ and against the untouched stubs), so the
 * rules themselves are tested without running anything (tests/lib/grader-kit.test.ts).
 */
import path from 'node:path';
import type { ErrorInfo, TestOutcome } from './report-format.ts';
import type { FileResult } from './score.ts';

/** One thing that is wrong, and the detail to show under it. */
export interface KitFailure {
  what: string;
  detail?: string;
}

/** The verdict on one graded test file. */
export interface GradedFileVerdict {
  /** Checks that behaved as required: one per graded test per run. */
  passed: number;
  failures: KitFailure[];
  /** Titles of graded tests that did not fail against the stubs. */
  dishonest: string[];
  solutions: { earned: number; possible: number; ok: boolean };
  stubs: { earned: number; possible: number; ok: boolean };
}

/** The lines under a failure: message, expected/received, where. */
export function describeError(e: ErrorInfo): string {
  return [e.message, e.expected !== undefined ? `expected: ${e.expected}\nreceived: ${e.received}` : '', e.at ? `at ${e.at}` : '']
    .filter(Boolean)
    .join('\n');
}

/** `tests/01-udp-echo.test.ts › step 1: … › echoes …`, relative to `root`. */
export function testTitle(t: TestOutcome, root: string): string {
  return [path.relative(root, t.file).split(path.sep).join('/'), ...t.suite, t.name].join(' › ');
}

const pointsOf = (tests: readonly TestOutcome[]): number => tests.reduce((sum, t) => sum + (t.points ?? 0), 0);

/**
 * Every graded test must pass against the solutions (full marks, no file
 * error) and fail against the stubs (which must load: a student has to see
 * failing tests, not a load error).
 */
export function judgeGradedFile(file: string, sol: FileResult | undefined, stub: FileResult | undefined, root: string): GradedFileVerdict {
  const rel = path.relative(root, file).split(path.sep).join('/');
  const failures: KitFailure[] = [];
  const dishonest: string[] = [];
  let passed = 0;

  const solTests = (sol?.tests ?? []).filter((t) => t.points !== undefined);
  let solEarned = 0;
  for (const e of sol?.errors ?? []) failures.push({ what: `${rel} against solutions: ${e.message.split('\n')[0]}`, detail: describeError(e) });
  if (!sol?.loaded && (sol?.errors.length ?? 0) === 0) failures.push({ what: `${rel} never ran against the solutions` });
  if (sol?.loaded && solTests.length === 0) failures.push({ what: `${rel} has no graded tests (use graded() from tests/helpers/graded.ts)` });
  for (const t of solTests) {
    if (t.state === 'passed') {
      solEarned += t.points ?? 0;
      passed++;
    } else {
      failures.push({ what: `${testTitle(t, root)} ${t.state === 'skipped' ? 'is skipped' : 'fails'} against solutions`, detail: t.error ? describeError(t.error) : undefined });
    }
  }

  const stubTests = (stub?.tests ?? []).filter((t) => t.points !== undefined);
  let stubEarned = 0;
  if (!stub?.loaded) {
    failures.push({
      what: `${rel} could not load the stubs (students would see a load error, not failing tests)`,
      detail: stub?.errors.map(describeError).join('\n') || undefined,
    });
  } else {
    for (const e of stub.errors) failures.push({ what: `${rel} against stubs: ${e.message.split('\n')[0]}`, detail: describeError(e) });
    for (const t of stubTests) {
      if (t.state === 'failed') {
        passed++;
        continue;
      }
      if (t.state === 'passed') stubEarned += t.points ?? 0;
      dishonest.push(testTitle(t, root));
      failures.push({ what: `dishonest: ${testTitle(t, root)} ${t.state === 'passed' ? 'passes' : 'is skipped'} on the untouched stub` });
    }
  }

  const possible = pointsOf(solTests);
  return {
    passed,
    failures,
    dishonest,
    solutions: { earned: solEarned, possible, ok: possible > 0 && solEarned === possible && (sol?.errors.length ?? 0) === 0 },
    stubs: {
      earned: stubEarned,
      possible: stub?.loaded ? pointsOf(stubTests) : possible,
      ok: stub?.loaded === true && stubTests.length > 0 && stubTests.every((t) => t.state === 'failed') && stub.errors.length === 0,
    },
  };
}
