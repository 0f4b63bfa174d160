/**
 * The vitest reporter the grader runs with (`--reporter=lib/grader/reporter.ts`).
 * It appends one JSON event per line to the file named by WIRELAB_REPORT_FILE
 * (see report-format.ts) and prints nothing: grading never reads a terminal,
 * so whatever a submission prints cannot change its score.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';
import {
  encodeEvent,
  REPORT_FILE_ENV,
  summarizeError,
  type CollectedTest,
  type RawError,
  type ReportEvent,
  type TestOutcome,
} from './report-format.ts';
import { PROJECT_ROOT } from './kit-paths.ts';

/** The names of the describe blocks around a test, outermost first. */
function suitePath(test: TestCase): string[] {
  const names: string[] = [];
  let parent: TestSuite | TestModule = test.parent;
  while (parent.type === 'suite') {
    names.unshift(parent.name);
    parent = parent.parent;
  }
  return names;
}

function collected(test: TestCase): CollectedTest {
  const meta = test.meta();
  const info: CollectedTest = { id: test.id, file: test.module.moduleId, name: test.name, suite: suitePath(test) };
  if (typeof meta.exercise === 'string') info.exercise = meta.exercise;
  if (typeof meta.points === 'number') info.points = meta.points;
  return info;
}

export default class WirelabReporter implements Reporter {
  private readonly file: string | undefined = process.env[REPORT_FILE_ENV];

  constructor() {
    if (this.file) writeFileSync(this.file, '');
  }

  private write(event: ReportEvent): void {
    // Synchronous on purpose: if the grader has to kill the run, every line
    // written so far is already on disk.
    if (this.file) appendFileSync(this.file, encodeEvent(event));
  }

  onTestModuleCollected(module: TestModule): void {
    const tests = [...module.children.allTests()].map(collected);
    this.write({ type: 'collected', file: module.moduleId, tests });
  }

  onTestCaseReady(test: TestCase): void {
    this.write({ type: 'test-start', id: test.id, file: test.module.moduleId, name: test.name, timeoutMs: test.options.timeout ?? 0 });
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    const state = result.state === 'passed' || result.state === 'failed' ? result.state : 'skipped';
    const outcome: TestOutcome = { ...collected(test), state, durationMs: Math.round(test.diagnostic()?.duration ?? 0) };
    if (result.state === 'failed') {
      const first = result.errors[0];
      outcome.error = first ? summarizeError(first as RawError, PROJECT_ROOT) : { message: 'failed without an error message' };
      const transcript = test.meta().transcript;
      if (typeof transcript === 'string' && transcript !== '') outcome.transcript = transcript;
    }
    this.write({ type: 'test', test: outcome });
  }

  onTestModuleEnd(module: TestModule): void {
    const errors = module.errors().map((e) => summarizeError(e as RawError, PROJECT_ROOT));
    this.write({ type: 'module', file: module.moduleId, errors });
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: string): void {
    this.write({ type: 'end', reason, unhandledErrors: unhandledErrors.map((e) => summarizeError(e as RawError, PROJECT_ROOT)) });
  }
}
