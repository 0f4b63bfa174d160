import { createHash } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveImplDir } from '../grader/impl-dir.ts';
import { PROJECT_ROOT } from '../grader/kit-paths.ts';
import { UserError } from './user-error.ts';

/** The kit's root folder, from its one home (lib/grader/kit-paths.ts), for the commands. */
export { PROJECT_ROOT };

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
  const dir = resolveImplDir(impl, PROJECT_ROOT);
  const file = path.join(dir, relativePath);
  if (!existsSync(file)) {
    const exerciseFolder = relativePath.split('/')[0];
    throw new UserError(`there is no ${file}: --impl must be exercises, solutions or a folder holding ${exerciseFolder}/.`);
  }
  return (await import(pathToFileURL(path.join(stageInsideProject(dir), relativePath)).href)) as T;
}

/**
 * A submission folder outside the kit (a TA's `--impl /path/to/alice`) has no
 * package.json saying `"type": "module"`, so Node would load its .ts files as
 * CommonJS and fail on their `import`s. Running a copy under `.wirelab/impl/`
 * puts it inside the kit's ES-module package, where `'wirelab'` resolves too.
 * Folders already inside the kit run where they are. The copy is removed when
 * the process exits.
 */
function stageInsideProject(dir: string): string {
  const relative = path.relative(PROJECT_ROOT, dir);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) return dir;
  // One copy per process, so two commands running the same submission never share one.
  const staged = path.join(PROJECT_ROOT, '.wirelab', 'impl', `${createHash('sha1').update(dir).digest('hex').slice(0, 12)}-${process.pid}`);
  rmSync(staged, { recursive: true, force: true });
  cpSync(dir, staged, { recursive: true, filter: (source) => path.basename(source) !== 'node_modules' });
  process.once('exit', () => rmSync(staged, { recursive: true, force: true }));
  return staged;
}
