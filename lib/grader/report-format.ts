/**
 * What the grader's vitest reporter writes, one JSON event per line (JSONL),
 * and how the grader reads it back. Events are appended as they happen, so a
 * run that had to be killed (a busy loop in a submission) still leaves the
 * results of every test that finished before it.
 */
import { fileURLToPath } from 'node:url';

/** A failure reason, already cut down to what a student needs to read. */
export interface ErrorInfo {
  /** The first lines of the message (never a stack trace). */
  message: string;
  /** For assertion failures: what the test wanted, as vitest printed it. */
  expected?: string;
  /** For assertion failures: what the code produced. */
  received?: string;
  /** The first stack frame outside node_modules and the test helpers, as `file:line`. */
  at?: string;
}

/** One test as collected, before it ran: enough to score it even if it never finishes. */
export interface CollectedTest {
  id: string;
  /** Absolute path of the test file. */
  file: string;
  name: string;
  /** The names of the enclosing `describe` blocks, outermost first. */
  suite: string[];
  /** From the graded() meta; undefined for a non-graded test. */
  exercise?: string;
  points?: number;
}

/** The outcome of one test. */
export type TestState = 'passed' | 'failed' | 'skipped';

export interface TestOutcome extends CollectedTest {
  state: TestState;
  durationMs: number;
  error?: ErrorInfo;
  /** The rendered C:/S: dialogue the graded test recorded, when it failed. */
  transcript?: string;
}

export type ReportEvent =
  /** A test file loaded and its tests are known. */
  | { type: 'collected'; file: string; tests: CollectedTest[] }
  /** A test starts; `timeoutMs` lets the grader notice a test its own time limit cannot stop. */
  | { type: 'test-start'; id: string; file: string; name: string; timeoutMs: number }
  | { type: 'test'; test: TestOutcome }
  /** A test file finished; `errors` are file-level (it failed to load, a hook failed). */
  | { type: 'module'; file: string; errors: ErrorInfo[] }
  /** The run ended normally. */
  | { type: 'end'; reason: string; unhandledErrors: ErrorInfo[] };

/** The environment variable that tells the reporter where to append its events. */
export const REPORT_FILE_ENV = 'WIRELAB_REPORT_FILE';

/** Serializes one event as a line of the report file. */
export function encodeEvent(event: ReportEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/**
 * Parses the complete lines of a report; a last line without its newline
 * (the writer was killed mid-line) or a garbled line is ignored.
 */
export function parseReport(text: string): ReportEvent[] {
  const events: ReportEvent[] = [];
  const lines = text.split('\n');
  lines.pop(); // the part after the last newline is incomplete (or empty)
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as ReportEvent;
      if (value && typeof value === 'object' && typeof value.type === 'string') events.push(value);
    } catch {
      // a torn line from a killed writer: skip it, the rest is still good
    }
  }
  return events;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Removes terminal colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const MAX_MESSAGE_LINES = 8;
const MAX_VALUE_CHARS = 600;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** The shape of the errors vitest hands to reporters (SerializedError / TestError). */
export interface RawError {
  message?: unknown;
  name?: unknown;
  stack?: unknown;
  expected?: unknown;
  actual?: unknown;
}

/**
 * Turns a vitest error into what a student reads: the first lines of the
 * message, expected/received for assertions, and where in their code it was
 * thrown. The graded() helper appends the transcript to the message; it is
 * cut off here because the transcript travels separately.
 */
export function summarizeError(error: RawError, projectRoot?: string): ErrorInfo {
  let message = stripAnsi(typeof error.message === 'string' ? error.message : String(error.message ?? 'unknown error'));
  const transcriptAt = message.indexOf('\n\nTranscript:\n');
  if (transcriptAt >= 0) message = message.slice(0, transcriptAt);
  const name = typeof error.name === 'string' ? error.name : '';
  if (name && name !== 'Error' && name !== 'AssertionError' && !message.startsWith(name)) message = `${name}: ${message}`;
  const lines = message.split('\n');
  message = lines.slice(0, MAX_MESSAGE_LINES).join('\n') + (lines.length > MAX_MESSAGE_LINES ? '\n…' : '');
  const info: ErrorInfo = { message: message.trimEnd() };
  if (typeof error.expected === 'string' && typeof error.actual === 'string' && error.expected !== error.actual) {
    info.expected = truncate(stripAnsi(error.expected), MAX_VALUE_CHARS);
    info.received = truncate(stripAnsi(error.actual), MAX_VALUE_CHARS);
  }
  const at = firstUserFrame(typeof error.stack === 'string' ? error.stack : '', projectRoot);
  if (at) info.at = at;
  return info;
}

/**
 * The first stack frame in code the student or the kit wrote (not in
 * node_modules, not in the test helpers or vitest internals), relative to
 * the project root when it lies inside it.
 */
export function firstUserFrame(stack: string, projectRoot?: string): string | undefined {
  for (const raw of stack.split('\n')) {
    const m = /^at (?:.*? \()?((?:file:\/\/)?.+?):(\d+):\d+\)?$/.exec(raw.trim());
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        file = file.slice('file://'.length);
      }
    }
    if (/node_modules|[\\/]tests[\\/]helpers[\\/]|^node:|^internal[\\/]|^native$/.test(file)) continue;
    if (projectRoot && file.startsWith(projectRoot)) file = file.slice(projectRoot.length).replace(/^[\\/]/, '');
    return `${file.replace(/\\/g, '/')}:${m[2]}`;
  }
  return undefined;
}
