/**
 * How one graded test is named in every export: the exercise, the describe
 * blocks and the test, so a TA can find it in `tests/NN-name.test.ts`.
 */
import type { TestOutcome } from '../report-format.ts';

/** `01-udp-echo › step 1: the server › echoes a datagram`. */
export function fullTestName(exercise: string, test: TestOutcome): string {
  return [exercise, ...test.suite, test.name].join(' › ');
}

/** What a student or TA reads about a failed test: the reason, the expected/received values and the transcript. */
export function failureText(test: TestOutcome): string {
  if (test.state === 'passed') return '';
  const parts: string[] = [test.error?.message ?? (test.state === 'skipped' ? 'skipped' : 'failed')];
  if (test.error?.expected !== undefined) parts.push(`expected: ${test.error.expected}`);
  if (test.error?.received !== undefined) parts.push(`received: ${test.error.received}`);
  if (test.transcript) parts.push(`transcript:\n${test.transcript}`);
  return parts.join('\n');
}
