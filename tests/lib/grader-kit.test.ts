import { describe, expect, test } from 'vitest';
import { judgeGradedFile } from '../../lib/grader/kit-checks.ts';
import type { TestOutcome, TestState } from '../../lib/grader/report-format.ts';
import type { FileResult } from '../../lib/grader/score.ts';

const root = '/kit';
const file = '/kit/tests/01-udp-echo.test.ts';
const outcome = (id: string, points: number, state: TestState): TestOutcome => ({
  id, file, name: `test ${id}`, suite: ['step 1'], exercise: '01-udp-echo', points, state, durationMs: 1,
  ...(state === 'failed' ? { error: { message: 'TODO(01-udp-echo)' } } : {}),
});
const run = (...tests: TestOutcome[]): FileResult => ({ file, tests, errors: [], loaded: true });

describe('npm test rules for a graded file', () => {
  test('full marks on solutions and nothing on stubs is honest: one check per test per run', () => {
    const v = judgeGradedFile(file, run(outcome('a', 2, 'passed'), outcome('b', 3, 'passed')), run(outcome('a', 2, 'failed'), outcome('b', 3, 'failed')), root);
    expect(v.failures).toEqual([]);
    expect(v.passed).toBe(4);
    expect(v.solutions).toEqual({ earned: 5, possible: 5, ok: true });
    expect(v.stubs).toEqual({ earned: 0, possible: 5, ok: true });
  });

  test('a test that passes on the stub is named as dishonest', () => {
    const v = judgeGradedFile(file, run(outcome('a', 2, 'passed'), outcome('b', 3, 'passed')), run(outcome('a', 2, 'passed'), outcome('b', 3, 'failed')), root);
    expect(v.dishonest).toEqual(['tests/01-udp-echo.test.ts › step 1 › test a']);
    expect(v.failures.map((f) => f.what)).toEqual(['dishonest: tests/01-udp-echo.test.ts › step 1 › test a passes on the untouched stub']);
    expect(v.stubs).toMatchObject({ earned: 2, ok: false });
  });

  test('a test failing against the solutions is a failure with its reason', () => {
    const v = judgeGradedFile(file, run(outcome('a', 2, 'failed')), run(outcome('a', 2, 'failed')), root);
    expect(v.failures).toEqual([{ what: 'tests/01-udp-echo.test.ts › step 1 › test a fails against solutions', detail: 'TODO(01-udp-echo)' }]);
    expect(v.solutions.ok).toBe(false);
  });

  test('stubs that do not load are a failure even though nothing passes', () => {
    const notLoaded: FileResult = { file, tests: [], errors: [{ message: 'Cannot find module @impl/01-udp-echo/x.ts' }], loaded: false };
    const v = judgeGradedFile(file, run(outcome('a', 2, 'passed')), notLoaded, root);
    expect(v.failures[0]!.what).toMatch(/could not load the stubs/);
    expect(v.failures[0]!.detail).toMatch(/Cannot find module/);
    expect(v.stubs).toEqual({ earned: 0, possible: 2, ok: false });
  });

  test('a file that never ran against the solutions, or has no graded test, is a failure', () => {
    const never: FileResult = { file, tests: [], errors: [], loaded: false };
    expect(judgeGradedFile(file, never, run(outcome('a', 1, 'failed')), root).failures.map((f) => f.what)).toContain('tests/01-udp-echo.test.ts never ran against the solutions');
    const plain = run({ ...outcome('a', 1, 'passed'), points: undefined });
    expect(judgeGradedFile(file, plain, plain, root).failures[0]!.what).toMatch(/has no graded tests/);
  });

  test('a file-level error on the solutions (an afterAll hook failed) costs full marks', () => {
    const sol = { ...run(outcome('a', 2, 'passed')), errors: [{ message: 'afterAll: server did not close' }] };
    const v = judgeGradedFile(file, sol, run(outcome('a', 2, 'failed')), root);
    expect(v.solutions.ok).toBe(false);
    expect(v.failures[0]!.what).toMatch(/against solutions: afterAll: server did not close/);
  });
});
