import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EXERCISES } from '../../lib/grader/exercises.ts';
import { lookupExercise, statusOf } from '../../lib/cli/course.ts';
import { nextHint, parseHints } from '../../lib/cli/hints.ts';
import { loadProgress, progressFile, saveProgress, updateProgress } from '../../lib/cli/progress-store.ts';
import { nextExercise, statusText, type ProgressRow } from '../../lib/cli/render-progress.ts';
import { UserError } from '../../lib/cli/user-error.ts';

const HINTS = `# Hints for 01

Read the README first.

## Hint 1

Bind to port 0.

## Hint 2: retries

\`\`\`ts
## Hint 9 inside a code block is not a heading
for (let attempt = 0; attempt <= retries; attempt++) {}
\`\`\`

## Hint 3

Close the socket in finally.
`;

describe('hints.md', () => {
  test('splits on "## Hint N" headings, ignoring the intro and headings inside code', () => {
    const hints = parseHints(HINTS);
    expect(hints.map((h) => h.number)).toEqual([1, 2, 3]);
    expect(hints[0]).toEqual({ number: 1, title: '', body: 'Bind to port 0.' });
    expect(hints[1]!.title).toBe('retries');
    expect(hints[1]!.body).toContain('## Hint 9 inside a code block');
    expect(hints[2]!.body).toBe('Close the socket in finally.');
  });

  test('Windows line endings read the same', () => {
    expect(parseHints(HINTS.replace(/\n/g, '\r\n'))).toEqual(parseHints(HINTS));
  });

  test('reveals one hint at a time, then says all were shown', () => {
    const hints = parseHints(HINTS);
    const first = nextHint(hints, 0);
    expect(first).toMatchObject({ kind: 'reveal', index: 1, total: 3, shownAfter: 1 });
    expect(nextHint(hints, 2)).toMatchObject({ kind: 'reveal', index: 3, shownAfter: 3 });
    expect(nextHint(hints, 3)).toEqual({ kind: 'all-shown', total: 3 });
    expect(nextHint(hints, 7)).toEqual({ kind: 'all-shown', total: 3 }); // hints.md got shorter since
    expect(nextHint([], 0)).toEqual({ kind: 'none' });
  });
});

describe('the progress file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-progress-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('lives in .wirelab/progress.json of the project', () => {
    const saved = process.env.WIRELAB_STATE_DIR;
    delete process.env.WIRELAB_STATE_DIR;
    try {
      expect(progressFile(dir)).toBe(path.join(dir, '.wirelab', 'progress.json'));
    } finally {
      if (saved !== undefined) process.env.WIRELAB_STATE_DIR = saved;
    }
  });

  test('remembers hints shown and the last verify across loads', () => {
    expect(loadProgress(dir).exercises).toEqual({});
    updateProgress(dir, '01-udp-echo', (e) => ({ ...e, hintsShown: 2 }));
    updateProgress(dir, '01-udp-echo', (e) => ({ ...e, lastVerify: { at: 'now', earned: 3, possible: 20, passed: false } }));
    expect(loadProgress(dir).exercises['01-udp-echo']).toEqual({ hintsShown: 2, lastVerify: { at: 'now', earned: 3, possible: 20, passed: false } });
  });

  test('a damaged file counts as no progress instead of an error', () => {
    saveProgress(dir, { version: 1, exercises: {} });
    writeFileSync(progressFile(dir), '{ not json');
    expect(loadProgress(dir).exercises).toEqual({});
    updateProgress(dir, '02-udp-pinger', () => ({ hintsShown: 1 }));
    expect(JSON.parse(readFileSync(progressFile(dir), 'utf8')).exercises['02-udp-pinger']).toEqual({ hintsShown: 1 });
  });
});

describe('status and next step', () => {
  test('coming / not tried / failing x/y / passed', () => {
    expect(statusOf(false, { lastVerify: { at: '', earned: 1, possible: 1, passed: true } })).toEqual({ kind: 'coming' });
    expect(statusText(statusOf(true, undefined))).toBe('not tried');
    expect(statusText(statusOf(true, { lastVerify: { at: '', earned: 3, possible: 8, passed: false } }))).toBe('failing 3/8');
    expect(statusText(statusOf(true, { lastVerify: { at: '', earned: 8, possible: 8, passed: true } }))).toBe('passed 8/8');
  });

  test('the next exercise is the first available one that does not pass', () => {
    const row = (i: number, status: ProgressRow['status']): ProgressRow => ({ exercise: EXERCISES[i]!, status, hintsShown: 0, hintsTotal: 0 });
    const rows = [row(0, { kind: 'passed', earned: 2, possible: 2 }), row(1, { kind: 'coming' }), row(2, { kind: 'failing', earned: 0, possible: 4 }), row(3, { kind: 'not-tried' })];
    expect(nextExercise(rows)?.exercise.number).toBe('03');
    expect(nextExercise([rows[0]!, rows[1]!])).toBeUndefined();
  });

  test('an unknown exercise is one sentence naming the valid range', () => {
    expect(() => lookupExercise('99')).toThrow(UserError);
    expect(() => lookupExercise('99')).toThrow(/^There is no exercise "99": the exercises are 01 to 13/);
    expect(lookupExercise('3').id).toBe('03-tcp-lines');
  });
});
