import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { resolveImplDir } from './lib/grader/impl-dir.ts';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * One config grades any implementation: `@impl/NN-name/file.ts` points at
 * `exercises/` (default), `solutions/` (WIRELAB_IMPL=solutions) or a folder
 * given by path (WIRELAB_IMPL=/path/to/submission).
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@impl\/(.*)$/, replacement: `${resolveImplDir(process.env.WIRELAB_IMPL, root)}/$1` },
      { find: /^wirelab$/, replacement: path.join(root, 'lib', 'index.ts') },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
    teardownTimeout: 5_000,
    pool: 'forks',
  },
});
