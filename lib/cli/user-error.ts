import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../grader/kit-paths.ts';

/**
 * A mistake the user can fix (a missing file, a taken port, a bad address).
 * The CLI prints its message as one sentence and exits non-zero, never a stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** The process exit code. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Turns the errors Node raises for common user mistakes into one clear sentence. */
export function explainSystemError(error: unknown, what: string): UserError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new UserError(`${what}: the port is already in use; pick another with --port (0 lets the system choose).`);
    case 'EADDRNOTAVAIL':
      return new UserError(`${what}: that address does not belong to this machine.`);
    case 'EACCES':
      return new UserError(`${what}: permission denied (ports below 1024 need privileges; try a port above 1024).`);
    case 'ENOENT':
      return new UserError(`${what}: no such file or folder.`);
    case 'ECONNREFUSED':
      return new UserError(`${what}: the connection was refused (is the server running?).`);
    default:
      return undefined;
  }
}

/** The start of what every unfinished stub throws: `new Error('TODO(NN-name): …')`. */
const STUB_PREFIX = 'TODO(';
const STUB_EXERCISE = /^TODO\((\d\d-[a-z0-9-]+)\)/;

/**
 * The exercise an unfinished stub belongs to, when `error` is what a stub
 * throws (`TODO(05-smtp-server): …` → `05-smtp-server`, or `''` when the
 * message names none); undefined for any other error.
 */
export function unfinishedStubOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.message.startsWith(STUB_PREFIX)) return undefined;
  return STUB_EXERCISE.exec(error.message)?.[1] ?? '';
}

/**
 * Turns the `TODO(NN-name): …` an unfinished stub throws into one sentence
 * pointing at that exercise (and at `--impl solutions` where there is one);
 * undefined for any other error. `exerciseId` is the exercise whose code ran,
 * named when the message does not say (a stub of an earlier exercise names its own).
 */
export function explainUnfinishedStub(error: unknown, exerciseId: string): UserError | undefined {
  const stub = unfinishedStubOf(error);
  if (stub === undefined) return undefined;
  return new UserError(`${(error as Error).message.split('\n')[0]}: finish exercises/${stub || exerciseId} first${orTryTheReference('run with')}.`);
}

/**
 * `, or run with --impl solutions` where the kit has its reference solutions,
 * and nothing in a student copy (made by `wirelab pack student`), which has none.
 */
export function orTryTheReference(verb: string): string {
  return existsSync(path.join(PROJECT_ROOT, 'solutions')) ? `, or ${verb} --impl solutions` : '';
}
