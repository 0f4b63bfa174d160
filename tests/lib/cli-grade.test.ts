// `wirelab grade` as a TA runs it: a folder of submissions in, grades out.
// The formats are checked as pure functions; the command itself runs once
// on a small class (real vitest runs per student) and once on one submission.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import type { BatchResult } from '../../lib/grader/batch.ts';
import { csvField, gradesCsv } from '../../lib/grader/formats/csv.ts';
import { gradescopeResults } from '../../lib/grader/formats/gradescope.ts';
import { gradesJunit, xmlEscape } from '../../lib/grader/formats/junit.ts';
import { findSubmissions } from '../../lib/grader/submissions.ts';
import type { TestOutcome } from '../../lib/grader/report-format.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'lib', 'cli', 'bin.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'wirelab-grade-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Runs the CLI to its end without blocking this worker: grading a class can
 * take longer than the grader's idle limit on a busy machine, and a worker
 * blocked in spawnSync cannot even report that its test started.
 */
function wirelab(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: work,
      env: { ...process.env, WIRELAB_STATE_DIR: work, FORCE_COLOR: '0', NO_COLOR: '1', WIRELAB_IMPL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 90_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function outcome(name: string, points: number, passed: boolean, extra: Partial<TestOutcome> = {}): TestOutcome {
  return {
    id: name,
    file: '/kit/tests/01-udp-echo.test.ts',
    name,
    suite: ['step 1: the server'],
    exercise: '01-udp-echo',
    points,
    state: passed ? 'passed' : 'failed',
    durationMs: 12,
    ...(passed ? {} : { error: { message: 'expected 354 after DATA', expected: '354', received: '250' } }),
    ...extra,
  };
}

/** A made-up class of two: enough to check every format without running anything. */
function sampleBatch(): BatchResult {
  const exercise = { number: '01', id: '01-udp-echo', title: 'UDP echo' };
  const report = (tests: TestOutcome[]) => ({
    exercise: '01-udp-echo',
    impl: '/subs/x',
    earned: tests.filter((t) => t.state === 'passed').reduce((s, t) => s + (t.points ?? 0), 0),
    possible: tests.reduce((s, t) => s + (t.points ?? 0), 0),
    tests,
    errors: [],
    warnings: [],
    durationMs: 1500,
  });
  return {
    gradedAt: '2026-11-25T22:00:00.000Z',
    exercises: [exercise],
    durationMs: 3000,
    students: [
      { name: 'alice', implDir: '/subs/alice', earned: 3, possible: 3, exercises: [report([outcome('echoes', 2, true), outcome('closes', 1, true)])] },
      {
        name: 'bob, "the builder"',
        implDir: '/subs/bob',
        earned: 2,
        possible: 3,
        exercises: [report([outcome('echoes', 2, true), outcome('closes <fast> & clean', 1, false, { transcript: 'C: DATA\nS: 250 OK' })])],
      },
    ],
  };
}

describe('grade formats', () => {
  test('csv: one row per student, total and points per exercise; fields with commas or quotes are quoted', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(gradesCsv(sampleBatch()).split('\r\n')).toEqual([
      'student,total,possible,01-udp-echo',
      'alice,3,3,3',
      '"bob, ""the builder""",2,3,2',
      '',
    ]);
  });

  test('junit: a testsuite per student and exercise, a failure with reason and transcript, all escaped', () => {
    const xml = gradesJunit(sampleBatch());
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="wirelab" tests="4" failures="1" time="3.000">/);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toContain('<testsuite name="bob, &quot;the builder&quot;/01-udp-echo" tests="2" failures="1" time="1.500">');
    expect(xml).toContain('<property name="points" value="2/3"/>');
    expect(xml).toContain('name="step 1: the server › closes &lt;fast&gt; &amp; clean"');
    expect(xml).toContain('<failure message="expected 354 after DATA">expected 354 after DATA\nexpected: 354\nreceived: 250\ntranscript:\nC: DATA\nS: 250 OK</failure>');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(xmlEscape('a\u0000b\u001bc')).toBe('abc'); // XML 1.0 cannot carry control characters
  });

  test('gradescope: score is the total; every test has its points, status and (when failed) the reason', () => {
    const results = gradescopeResults(sampleBatch().students[1]!, 3000);
    expect(results.score).toBe(2);
    expect(results.execution_time).toBe(3);
    expect(results.tests).toEqual([
      { name: '01-udp-echo › step 1: the server › echoes', score: 2, max_score: 2, status: 'passed', output: '' },
      expect.objectContaining({ name: '01-udp-echo › step 1: the server › closes <fast> & clean', score: 0, max_score: 1, status: 'failed' }),
    ]);
    expect(results.tests[1]!.output).toContain('transcript:\nC: DATA');
    expect(results.output).toContain('01-udp-echo: 2/3');
  });
});

describe('finding submissions', () => {
  const base = path.join(work, 'find');
  mkdirSync(path.join(base, 'class', 'alice', '01-udp-echo'), { recursive: true });
  mkdirSync(path.join(base, 'class', 'bob', 'exercises', '02-udp-pinger'), { recursive: true });
  mkdirSync(path.join(base, 'class', 'carol', 'homework'), { recursive: true });
  writeFileSync(path.join(base, 'class', 'dave.zip'), '');

  test('a folder of student folders: each with exercise folders, directly or under exercises/', () => {
    const scan = findSubmissions(path.join(base, 'class'));
    expect(scan.submissions).toEqual([
      { name: 'alice', implDir: path.join(base, 'class', 'alice') },
      { name: 'bob', implDir: path.join(base, 'class', 'bob', 'exercises') },
    ]);
    expect(scan.skipped).toEqual([expect.stringMatching(/^carol: no exercise folders/), expect.stringMatching(/^dave\.zip: an archive; unzip it/)]);
  });

  test('one submission (what Gradescope hands the autograder) is graded as itself', () => {
    expect(findSubmissions(path.join(base, 'class', 'bob')).submissions).toEqual([{ name: 'bob', implDir: path.join(base, 'class', 'bob', 'exercises') }]);
  });

  test('a folder that does not exist is an error naming it', () => {
    expect(() => findSubmissions(path.join(base, 'nope'))).toThrow(/there is no folder .*nope/);
  });
});

describe('wirelab grade', () => {
  const cls = path.join(work, 'class');
  // alice: the reference solutions of 01 and 02; bob: the untouched 01 stub, no 02;
  // carol: 01 with a syntax error, no 02.
  cpSync(path.join(root, 'solutions', '01-udp-echo'), path.join(cls, 'alice', '01-udp-echo'), { recursive: true });
  cpSync(path.join(root, 'solutions', '02-udp-pinger'), path.join(cls, 'alice', '02-udp-pinger'), { recursive: true });
  cpSync(path.join(root, 'exercises', '01-udp-echo'), path.join(cls, 'bob', '01-udp-echo'), { recursive: true });
  cpSync(path.join(root, 'solutions', '01-udp-echo'), path.join(cls, 'carol', 'exercises', '01-udp-echo'), { recursive: true });
  const carolFile = readdirSync(path.join(cls, 'carol', 'exercises', '01-udp-echo')).find((f) => f.endsWith('.ts'))!;
  writeFileSync(path.join(cls, 'carol', 'exercises', '01-udp-echo', carolFile), 'export const broken = ;\n', { flag: 'a' });

  test('grades a class: full marks for the solution, zero for the stub, the broken file and the missing folder, out of the same totals', { timeout: 90_000 }, async () => {
    const out = path.join(work, 'grades.json');
    const r = await wirelab('grade', cls, '--exercise', '01', '02', '--format', 'json', '--out', out, '--jobs', '2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const batch = JSON.parse(readFileSync(out, 'utf8')) as BatchResult;
    const byName = Object.fromEntries(batch.students.map((s) => [s.name, s]));
    expect(Object.keys(byName)).toEqual(['alice', 'bob', 'carol']);
    const possible = byName.alice!.possible;
    expect(possible).toBeGreaterThan(0);
    expect(byName.alice!.earned).toBe(possible);
    for (const name of ['bob', 'carol']) {
      expect(byName[name]!.earned).toBe(0);
      expect(byName[name]!.possible).toBe(possible); // zero out of the real total, not out of nothing
    }
    const bobPinger = byName.bob!.exercises.find((e) => e.exercise === '02-udp-pinger')!;
    expect(bobPinger.errors[0]!.message).toMatch(/has no folder 02-udp-pinger/);
    expect(byName.carol!.exercises[0]!.errors[0]!.message).toMatch(/could not load the code/);
    // Progress in a log: one line per student and exercise graded.
    expect(r.stderr.match(/^\[\d\/6\] \S+ 0[12]-\S+ \d+\/\d+$/gm)).toHaveLength(6);
    // The summary on stderr has one line per student.
    expect(r.stderr).toMatch(/^alice +\d+\/\d+/m);
    expect(r.stderr).toMatch(/3 submissions × 2 exercises graded/);
    // The same grades as a gradebook.
    expect(gradesCsv(batch).split('\r\n').slice(1, 4)).toEqual([`alice,${possible},${possible},21,${possible - 21}`, `bob,0,${possible},0,0`, `carol,0,${possible},0,0`]);
  });

  test('gradescope: one submission gives results.json with full marks for the solution', { timeout: 60_000 }, async () => {
    const out = path.join(work, 'results.json');
    const r = await wirelab('grade', path.join(cls, 'alice'), '--exercise', '01', '--format', 'gradescope', '--out', out);
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.score).toBe(21);
    expect(results.tests.length).toBeGreaterThan(0);
    expect(results.tests.every((t: { status: string; score: number; max_score: number }) => t.status === 'passed' && t.score === t.max_score)).toBe(true);
  });

  test('mistakes are one sentence and a non-zero exit: gradescope on a class, a missing folder, a bad --jobs', { timeout: 60_000 }, async () => {
    for (const args of [
      ['grade', cls, '--format', 'gradescope', '--exercise', '01'],
      ['grade', path.join(work, 'no-such-folder'), '--format', 'csv'],
      ['grade', cls, '--jobs', '0'],
    ]) {
      const r = await wirelab(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
