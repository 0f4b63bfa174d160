#!/usr/bin/env node
// Entry point of the `wirelab` bin: registers tsx in this process and loads the
// TypeScript CLI, so `npx wirelab …` works on Linux, macOS and Windows without
// a build step (and signals reach the CLI itself, not a wrapper).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
register({ tsconfig: path.join(here, '..', '..', 'tsconfig.json') });
await import(pathToFileURL(path.join(here, 'main.ts')).href);
