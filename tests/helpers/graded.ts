/**
 * Graded tests: every test carries points, declared once per file in a table
 * the grader reads through test metadata (never by scraping names):
 *
 *   const test = graded('01-udp-echo', {
 *     'echoes one datagram back to its sender': 2,
 *   });
 *   test('echoes one datagram back to its sender', async ({ transcript }) => { … });
 *
 * Each test gets a fresh {@link Transcript}; when the test fails (or times
 * out) the rendered dialogue is attached to the result and shown to the student.
 */
import { onTestFailed, test as vitestTest, type TestContext } from 'vitest';
import { Transcript } from '../../lib/transcript/transcript.ts';
import { renderTranscript } from '../../lib/transcript/render.ts';

/** What the grader finds in `task.meta` of every graded test. */
export interface GradedMeta {
  exercise: string;
  points: number;
  /** The rendered dialogue, set only when the test failed and something was recorded. */
  transcript?: string;
}

declare module 'vitest' {
  interface TaskMeta extends Partial<GradedMeta> {}
}

/** The context a graded test body receives: vitest's plus a transcript to record into. */
export interface GradedContext extends TestContext {
  transcript: Transcript;
}

/** Default time limit of a graded test; a hanging submission loses that test only. */
export const GRADED_TIMEOUT_MS = 10_000;

/**
 * Declares the exercise and its points table; returns a `test` that only
 * accepts names from the table, so a test without points cannot exist.
 */
export function graded<const Points extends Record<string, number>>(exercise: string, points: Points) {
  return function gradedTest(
    name: keyof Points & string,
    body: (context: GradedContext) => Promise<void> | void,
    timeoutMs: number = GRADED_TIMEOUT_MS,
  ): void {
    const meta: GradedMeta = { exercise, points: points[name] as number };
    vitestTest(name, { meta, timeout: timeoutMs }, async (context) => {
      const transcript = new Transcript();
      onTestFailed(({ task }) => {
        if (transcript.isEmpty) return;
        const rendered = renderTranscript(transcript);
        (task.meta as GradedMeta).transcript = rendered;
        const first = task.result?.errors?.[0];
        if (first) first.message = `${first.message}\n\nTranscript:\n${rendered}`;
      });
      await body(Object.assign(context, { transcript }));
    });
  };
}
