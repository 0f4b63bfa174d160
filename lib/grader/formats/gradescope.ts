/**
 * Gradescope's autograder output, `results.json` (one submission: Gradescope
 * runs the autograder once per student):
 *
 *   { "score": 19, "execution_time": 41, "output": "…",
 *     "tests": [ { "name": "…", "score": 2, "max_score": 2, "status": "passed", "output": "…" }, … ] }
 *
 * `score` is the total, `execution_time` whole seconds; a failed test's
 * `output` is its reason and transcript, what the student would see with
 * `wirelab verify`.
 */
import type { StudentResult } from '../batch.ts';
import { failureText, fullTestName } from './test-name.ts';

/** One test as Gradescope shows it. */
export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
}

/** The whole results.json. */
export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  tests: GradescopeTest[];
}

/** Builds results.json for one student. */
export function gradescopeResults(student: StudentResult, durationMs: number): GradescopeResults {
  const tests: GradescopeTest[] = [];
  const problems: string[] = [];
  for (const report of student.exercises) {
    for (const test of report.tests) {
      const passed = test.state === 'passed';
      tests.push({ name: fullTestName(report.exercise, test), score: passed ? (test.points ?? 0) : 0, max_score: test.points ?? 0, status: passed ? 'passed' : 'failed', output: failureText(test) });
    }
    for (const error of report.errors) problems.push(`${report.exercise}: ${error.message}`);
  }
  const summary = student.exercises.map((r) => `${r.exercise}: ${r.earned}/${r.possible}`).join('\n');
  return {
    score: student.earned,
    execution_time: Math.round(durationMs / 1000),
    output: problems.length === 0 ? summary : `${summary}\n\n${problems.join('\n')}`,
    tests,
  };
}
