import { describe, expect, test } from 'vitest';
import { findExercise, EXERCISES } from '../../lib/grader/exercises.ts';
import { encodeEvent, firstUserFrame, parseReport, summarizeError, type CollectedTest, type ReportEvent } from '../../lib/grader/report-format.ts';
import { exerciseOfFile, isFullMarks, scoreExercises, summarizeRun } from '../../lib/grader/score.ts';

const FILE = '/kit/tests/01-udp-echo.test.ts';
const t = (id: string, points: number, suite = ['step 1: echo']): CollectedTest => ({ id, file: FILE, name: `test ${id}`, suite, exercise: '01-udp-echo', points });

describe('reading the reporter output', () => {
  test('every event survives a round trip through the report file', () => {
    const events: ReportEvent[] = [
      { type: 'collected', file: FILE, tests: [t('a', 2)] },
      { type: 'test-start', id: 'a', file: FILE, name: 'test a', timeoutMs: 10_000 },
      { type: 'test', test: { ...t('a', 2), state: 'passed', durationMs: 3 } },
      { type: 'module', file: FILE, errors: [] },
      { type: 'end', reason: 'passed', unhandledErrors: [] },
    ];
    expect(parseReport(events.map(encodeEvent).join(''))).toEqual(events);
  });

  test('a line torn by a killed writer and a garbled line are skipped, the rest is kept', () => {
    const good = encodeEvent({ type: 'module', file: FILE, errors: [] });
    expect(parseReport(`${good}{not json\n${good}{"type":"te`)).toHaveLength(2);
  });
});

describe('error summaries', () => {
  test('keeps the first lines, cuts the transcript graded() appended, strips colours', () => {
    const info = summarizeError({ message: '\x1b[31mexpected 354\x1b[39m\nsecond line\n\nTranscript:\n  C: DATA' });
    expect(info.message).toBe('expected 354\nsecond line');
  });

  test('assertion errors carry expected and received', () => {
    const info = summarizeError({ message: 'expected 1 to be 2', expected: '2', actual: '1' });
    expect(info).toMatchObject({ expected: '2', received: '1' });
  });

  test('a long message is cut after a few lines', () => {
    const info = summarizeError({ message: Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') });
    expect(info.message.split('\n').length).toBeLessThan(12);
    expect(info.message.endsWith('…')).toBe(true);
  });

  test('the place shown is the first frame outside node_modules and the test helpers, relative to the kit', () => {
    const stack = [
      'Error: TODO(01-udp-echo): echo',
      '    at echo (/kit/exercises/01-udp-echo/echo-client.ts:39:9)',
      '    at /kit/tests/01-udp-echo.test.ts:50:5',
    ].join('\n');
    expect(firstUserFrame(stack, '/kit')).toBe('exercises/01-udp-echo/echo-client.ts:39');
    const helpers = ['Error: x', '    at f (/kit/node_modules/vitest/dist/x.js:1:1)', '    at g (/kit/tests/helpers/graded.ts:2:2)', '    at /kit/tests/01-udp-echo.test.ts:7:3'].join('\n');
    expect(firstUserFrame(helpers, '/kit')).toBe('tests/01-udp-echo.test.ts:7');
    expect(firstUserFrame('Error: no frames')).toBeUndefined();
    expect(firstUserFrame('Error: x\n    at add (file:///kit/exercises/00/add.ts:3:9)', '/kit')).toBe('exercises/00/add.ts:3');
    expect(firstUserFrame('Error: x\n    at add (C:\\kit\\exercises\\00\\add.ts:3:9)', 'C:\\kit')).toBe('exercises/00/add.ts:3');
  });
});

describe('scoring', () => {
  test('a test earns its points only when it passed', () => {
    const files = summarizeRun([
      { type: 'collected', file: FILE, tests: [t('a', 2), t('b', 3), t('c', 1)] },
      { type: 'test', test: { ...t('a', 2), state: 'passed', durationMs: 1 } },
      { type: 'test', test: { ...t('b', 3), state: 'failed', durationMs: 1, error: { message: 'no' } } },
      { type: 'test', test: { ...t('c', 1), state: 'skipped', durationMs: 0 } },
      { type: 'module', file: FILE, errors: [] },
    ]);
    const [score] = scoreExercises(files);
    expect(score).toMatchObject({ exercise: '01-udp-echo', earned: 2, possible: 6 });
    expect(isFullMarks(score!)).toBe(false);
  });

  test('full marks need every point and no file-level error', () => {
    const files = summarizeRun([
      { type: 'collected', file: FILE, tests: [t('a', 2)] },
      { type: 'test', test: { ...t('a', 2), state: 'passed', durationMs: 1 } },
      { type: 'module', file: FILE, errors: [] },
    ]);
    expect(isFullMarks(scoreExercises(files)[0]!)).toBe(true);
    const withHookError = summarizeRun([
      { type: 'collected', file: FILE, tests: [t('a', 2)] },
      { type: 'test', test: { ...t('a', 2), state: 'passed', durationMs: 1 } },
      { type: 'module', file: FILE, errors: [{ message: 'afterAll failed' }] },
    ]);
    expect(isFullMarks(scoreExercises(withHookError)[0]!)).toBe(false);
  });

  test('tests a killed run never finished fail with the reason it was killed', () => {
    const files = summarizeRun(
      [
        { type: 'collected', file: FILE, tests: [t('a', 2), t('b', 3)] },
        { type: 'test', test: { ...t('a', 2), state: 'passed', durationMs: 1 } },
      ],
      { killed: 'stuck in a loop' },
    );
    const [score] = scoreExercises(files);
    expect(score).toMatchObject({ earned: 2, possible: 5 });
    expect(score!.tests[1]).toMatchObject({ state: 'failed', error: { message: 'stuck in a loop' } });
    expect(score!.errors.map((e) => e.message)).toContain('stuck in a loop');
  });

  test('a file that failed to load scores 0 out of the points collected against the solutions', () => {
    const files = summarizeRun([{ type: 'module', file: FILE, errors: [{ message: 'SyntaxError: Unexpected token\nmore' }] }], {
      fallback: new Map([[FILE, [t('a', 2), t('b', 3)]]]),
    });
    const [score] = scoreExercises(files);
    expect(score).toMatchObject({ exercise: '01-udp-echo', earned: 0, possible: 5 });
    expect(score!.tests.every((x) => x.state === 'failed' && x.error!.message.includes('SyntaxError: Unexpected token'))).toBe(true);
  });

  test('a file with no event at all is still reported, with 0 points', () => {
    const [score] = scoreExercises(summarizeRun([], { expectedFiles: [FILE], killed: 'nothing happened' }));
    expect(score).toMatchObject({ exercise: '01-udp-echo', earned: 0 });
    expect(score!.errors[0]?.message).toBe('nothing happened');
  });

  test('non-graded tests (no points) are not an exercise', () => {
    const lib = '/kit/tests/lib/udp.test.ts';
    const files = summarizeRun([
      { type: 'collected', file: lib, tests: [{ id: 'x', file: lib, name: 'binds', suite: [] }] },
      { type: 'test', test: { id: 'x', file: lib, name: 'binds', suite: [], state: 'passed', durationMs: 1 } },
    ]);
    expect(scoreExercises(files)).toEqual([]);
  });
});

describe('exercise lookup', () => {
  test('by number with or without the zero, by id, by name', () => {
    expect(findExercise('1')?.id).toBe('01-udp-echo');
    expect(findExercise('01')?.id).toBe('01-udp-echo');
    expect(findExercise('04-smtp-client')?.number).toBe('04');
    expect(findExercise('tracker')?.number).toBe('09');
    expect(findExercise(' 12 ')?.id).toBe('12-distribution');
  });

  test('nothing for an unknown number or name', () => {
    expect(findExercise('99')).toBeUndefined();
    expect(findExercise('0')).toBeUndefined();
    expect(findExercise('smtp')).toBeUndefined();
  });

  test('the table has the 13 exercises in order and test files are named after them', () => {
    expect(EXERCISES.map((e) => e.number)).toEqual(Array.from({ length: 13 }, (_, i) => String(i + 1).padStart(2, '0')));
    for (const e of EXERCISES) expect(e.id.startsWith(`${e.number}-`)).toBe(true);
    expect(exerciseOfFile('/kit/tests/03-tcp-lines.test.ts')).toBe('03-tcp-lines');
  });
});
