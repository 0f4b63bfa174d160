import path from 'node:path';

/** The implementations the kit ships: the student's stubs and the reference solutions. */
export const BUILTIN_IMPLS = ['exercises', 'solutions'] as const;

/**
 * Turns the `--impl` / `WIRELAB_IMPL` value into an absolute folder.
 * `exercises` (the default) and `solutions` are the kit's own trees; anything
 * else is a path to a submission folder laid out like `exercises/`.
 */
export function resolveImplDir(impl: string | undefined, projectRoot: string): string {
  const value = impl === undefined || impl === '' ? 'exercises' : impl;
  if ((BUILTIN_IMPLS as readonly string[]).includes(value)) return path.join(projectRoot, value);
  return path.resolve(value);
}
