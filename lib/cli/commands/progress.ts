import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { EXERCISES } from '../../grader/exercises.ts';
import { isAvailable } from '../../grader/kit-paths.ts';
import { statusOf } from '../course.ts';
import { parseHints } from '../hints.ts';
import { loadProgress } from '../progress-store.ts';
import { PROJECT_ROOT } from '../project.ts';
import { renderProgress, type ProgressRow } from '../render-progress.ts';

/** The rows of the progress view, from the files on disk and the saved progress. */
export function progressRows(projectRoot: string = PROJECT_ROOT): ProgressRow[] {
  const progress = loadProgress(projectRoot);
  return EXERCISES.map((exercise) => {
    const available = isAvailable(exercise, projectRoot);
    const hintsFile = path.join(projectRoot, 'exercises', exercise.id, 'hints.md');
    const hintsTotal = available && existsSync(hintsFile) ? parseHints(readFileSync(hintsFile, 'utf8')).length : 0;
    const entry = progress.exercises[exercise.id];
    return { exercise, status: statusOf(available, entry), hintsShown: Math.min(entry?.hintsShown ?? 0, hintsTotal), hintsTotal };
  });
}

/** `wirelab` (or `wirelab progress`): each exercise with its status, and what to do next. */
const progress: CommandModule<object, object> = {
  command: ['$0', 'progress'],
  describe: 'your progress: each exercise with its status, and what to do next',
  handler: () => {
    process.stdout.write(`${renderProgress(progressRows())}\n`);
  },
};
export default progress;
