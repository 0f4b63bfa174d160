import chalk from 'chalk';
import { beforeAll, describe, expect, test } from 'vitest';
import { EXERCISES } from '../../lib/grader/exercises.ts';
import type { GradeReport } from '../../lib/grader/grade.ts';
import { isEditorTempFile } from '../../lib/cli/commands/watch.ts';
import { renderReport } from '../../lib/cli/render-report.ts';

beforeAll(() => {
  chalk.level = 0;
});

const exercise = EXERCISES[0]!;
const base = { file: '/kit/tests/01-udp-echo.test.ts', exercise: exercise.id, durationMs: 1 };
const report: GradeReport = {
  exercise: exercise.id,
  impl: 'exercises',
  earned: 2,
  possible: 5,
  errors: [],
  warnings: [],
  durationMs: 100,
  tests: [
    { ...base, id: 'a', name: 'echoes', suite: ['step 1: server'], points: 2, state: 'passed' },
    { ...base, id: 'b', name: 'answers two', suite: ['step 1: server'], points: 1, state: 'failed', error: { message: 'TODO(01-udp-echo): x', at: 'exercises/01-udp-echo/echo-server.ts:3' } },
    { ...base, id: 'c', name: 'survives', suite: ['step 1: server'], points: 1, state: 'failed', error: { message: 'TODO(01-udp-echo): x', at: 'exercises/01-udp-echo/echo-server.ts:3' } },
    {
      ...base, id: 'd', name: 'retries', suite: ['step 2: client'], points: 1, state: 'failed',
      error: { message: 'expected an echo', expected: "'hi'", received: 'undefined' },
      transcript: '  C: hi\n  S: (nothing)   <- expected a retry',
    },
  ],
};

describe('verify output', () => {
  const text = renderReport(exercise, report, 'your code');

  test('each test with its mark and points, grouped by step, and the total', () => {
    expect(text).toMatch(/^step 1: server\n {2}✓ echoes +2\/2\n {2}✗ answers two +0\/1/m);
    expect(text).toMatch(/^step 2: client\n {2}✗ retries +0\/1/m);
    expect(text).toMatch(/✗ 2\/5 points/);
  });

  test('failures with the same reason are listed together and the reason shown once', () => {
    expect(text.match(/TODO\(01-udp-echo\): x/g)).toHaveLength(1);
    expect(text).toMatch(/✗ step 1: server › answers two \(0\/1\)\n✗ step 1: server › survives \(0\/1\)\n {4}TODO/);
  });

  test('a failure shows expected/received and the transcript', () => {
    expect(text).toMatch(/expected: 'hi'\n {4}received: undefined/);
    expect(text).toContain('C: hi');
    expect(text).toContain('<- expected a retry');
  });

  test('full marks say so', () => {
    const perfect = { ...report, earned: 5, tests: report.tests.map((t) => ({ ...t, state: 'passed' as const, error: undefined, transcript: undefined })) };
    expect(renderReport(exercise, perfect, 'x')).toMatch(/✓ 5\/5 points: all tests pass  \(0.1 s\)$/);
  });
});

describe('watch', () => {
  test('editor swap and backup files are not saves', () => {
    for (const f of ['/x/.echo.ts.swp', '/x/.echo.ts.swx', '/x/4913', '/x/echo.ts~', '/x/.#echo.ts', '/x/echo.ts___jb_tmp___']) expect(isEditorTempFile(f), f).toBe(true);
    for (const f of ['/x/echo.ts', 'C:\\x\\echo-client.ts', '/x/README.md']) expect(isEditorTempFile(f), f).toBe(false);
  });
});
