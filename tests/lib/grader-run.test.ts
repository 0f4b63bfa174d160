// The grader end to end on the tiny fixture exercise in tests/fixtures/grader:
// vitest runs as a child process, our reporter writes events, points are added up.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { gradeFile, isPerfect } from '../../lib/grader/grade.ts';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'grader');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'wirelab-grader-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A submission folder laid out like exercises/, with one add.ts. */
function submission(name: string, source: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, '00-fixture'), { recursive: true });
  writeFileSync(path.join(dir, '00-fixture', 'add.ts'), source);
  return dir;
}

const grade = (impl: string, idleTimeoutMs?: number) =>
  gradeFile({
    testFile: path.join(fixture, '00-fixture.fixture.ts'),
    exercise: '00-fixture',
    impl,
    root: fixture,
    configFile: path.join(fixture, 'vitest.config.ts'),
    idleTimeoutMs,
  });

describe('grading the fixture exercise', () => {
  test('the reference solution gets full marks', { timeout: 30_000 }, async () => {
    const report = await grade('solutions');
    expect(report).toMatchObject({ exercise: '00-fixture', earned: 5, possible: 5, errors: [] });
    expect(report.tests.map((t) => [t.suite[0], t.name, t.state, t.points])).toEqual([
      ['step 1: add', 'adds two small numbers', 'passed', 2],
      ['step 2: the dialogue', 'answers ADD over the (pretend) wire', 'passed', 3],
    ]);
    expect(isPerfect(report)).toBe(true);
  });

  test('the stub gets 0 points, the TODO as the reason, its place, and the transcript', { timeout: 30_000 }, async () => {
    const report = await grade('exercises');
    expect(report).toMatchObject({ earned: 0, possible: 5 });
    const [first, second] = report.tests;
    expect(first).toMatchObject({ state: 'failed', error: { message: 'TODO(00-fixture): add 2 and 3' } });
    expect(first!.error!.at).toMatch(/exercises\/00-fixture\/add\.ts:\d+$/);
    expect(second!.transcript).toMatch(/C: ADD 40 2\n\s*S: ERR\s*<- expected 42/);
  });

  test('a wrong answer shows expected and received', { timeout: 30_000 }, async () => {
    const report = await grade(submission('wrong', 'export function add(a: number, b: number): number { return a - b; }\n'));
    expect(report.earned).toBe(0);
    expect(report.tests[0]!.error).toMatchObject({ expected: '5', received: '-1' });
    expect(report.tests[1]!.transcript).toContain('S: 38');
  });

  test('a submission that does not compile scores 0 out of the real total, with the syntax error', { timeout: 30_000 }, async () => {
    const report = await grade(submission('broken', 'export function add(a: number, b: number): number { return a + ; }\n'));
    expect(report).toMatchObject({ earned: 0, possible: 5 });
    expect(report.tests).toHaveLength(2);
    expect(report.errors[0]?.message).toMatch(/Unexpected token|Expected|Transform failed/i);
  });

  test('a busy loop no time limit can stop is killed, and the grader says why', { timeout: 30_000 }, async () => {
    const started = Date.now();
    const report = await grade(submission('busy', 'export function add(a: number, b: number): number { for (;;) { a = a + b; } }\n'), 2_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report.earned).toBe(0);
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(/loop/);
  });
});
