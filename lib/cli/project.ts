import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveImplDir } from '../grader/impl-dir.ts';
import { UserError } from './user-error.ts';

/** The kit's root folder (where package.json is), wherever the CLI was started from. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `--impl` option every command that runs exercise code takes (and the global one in main.ts). */
export const IMPL_OPTION = {
  type: 'string',
  default: 'exercises',
  describe: 'whose code runs: exercises (yours), solutions, or a folder path',
} as const;

/**
 * Imports one module of an implementation: `loadImpl('solutions', '05-smtp-server/smtp-server.ts')`.
 * `impl` is what `--impl` got: `exercises` (default), `solutions`, or a folder path.
 * @throws UserError (one sentence) when the file is not there: a wrong `--impl`.
 */
export async function loadImpl<T>(impl: string | undefined, relativePath: string): Promise<T> {
  const file = path.join(resolveImplDir(impl, PROJECT_ROOT), relativePath);
  if (!existsSync(file)) {
    const exerciseFolder = relativePath.split('/')[0];
    throw new UserError(`there is no ${file}: --impl must be exercises, solutions or a folder holding ${exerciseFolder}/.`);
  }
  return (await import(pathToFileURL(file).href)) as T;
}
