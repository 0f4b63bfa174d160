import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveImplDir } from '../grader/impl-dir.ts';

/** The kit's root folder (where package.json is), wherever the CLI was started from. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Imports one module of an implementation: `loadImpl('solutions', '05-smtp-server/smtp-server.ts')`.
 * `impl` is what `--impl` got: `exercises` (default), `solutions`, or a folder path.
 */
export async function loadImpl<T>(impl: string | undefined, relativePath: string): Promise<T> {
  const file = path.join(resolveImplDir(impl, PROJECT_ROOT), relativePath);
  return (await import(pathToFileURL(file).href)) as T;
}
