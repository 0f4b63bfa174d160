import chalk from 'chalk';
import { watch as watchFiles } from 'chokidar';
import type { CommandModule } from 'yargs';
import { lookupAvailableExercise } from '../course.ts';
import { IMPL_OPTION, PROJECT_ROOT } from '../project.ts';
import { checkImplFolder, verifyExercise } from './verify.ts';

/** How long the folder must be quiet after a save before grading starts again. */
const DEBOUNCE_MS = 300;

/**
 * Editor droppings that are not a save of the code: vim's swap files and its
 * `4913` probe, Emacs' `#lock#` and `~` backups, JetBrains' `___jb_tmp___`.
 */
export function isEditorTempFile(file: string): boolean {
  const name = file.split(/[\\/]/).pop() ?? '';
  return /^\.?#|~$|^\..*\.sw[a-z]$|^4913$|___jb_(tmp|old)___$|\.tmp$|^\.DS_Store$/.test(name);
}

interface WatchArgs {
  exercise: string;
  impl: string;
}

/** `wirelab watch NN`: re-verify on every save of the exercise folder, until Ctrl-C. */
const watch: CommandModule<object, WatchArgs> = {
  command: 'watch <exercise>',
  describe: 're-verify an exercise every time you save a file of it (Ctrl-C stops)',
  builder: (yargs) =>
    yargs
      .positional('exercise', { type: 'string', demandOption: true, describe: 'the exercise number, e.g. 01' })
      .option('impl', IMPL_OPTION),
  handler: async (argv) => {
    const exercise = lookupAvailableExercise(argv.exercise, PROJECT_ROOT);
    const dir = checkImplFolder(argv.impl, exercise);

    let running = false;
    let again = false;
    let timer: NodeJS.Timeout | undefined;
    const run = async (): Promise<void> => {
      if (running) {
        again = true; // a save during a run: grade once more when it ends
        return;
      }
      running = true;
      try {
        do {
          again = false;
          if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
          await verifyExercise(exercise, argv.impl, { json: false });
          process.stdout.write(chalk.dim(`\nwatching ${dir} — save a file to grade again, Ctrl-C to stop\n`));
        } while (again);
      } catch (error) {
        process.stderr.write(`${chalk.red('error:')} ${error instanceof Error ? error.message : String(error)}\n`);
      } finally {
        running = false;
      }
    };

    // Watching the folder (not single files) keeps working when an editor
    // saves by writing a temp file and renaming it over the original.
    const watcher = watchFiles(dir, {
      ignoreInitial: true,
      atomic: true,
      ignored: (file) => isEditorTempFile(file) || /[\\/]node_modules[\\/]/.test(file),
    });
    watcher.on('all', () => {
      clearTimeout(timer);
      timer = setTimeout(() => void run(), DEBOUNCE_MS);
    });
    await new Promise<void>((resolve, reject) => {
      watcher.once('ready', resolve);
      watcher.once('error', reject);
    });

    const stop = (): void => {
      clearTimeout(timer);
      void watcher.close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await run();
    await new Promise<never>(() => {}); // until Ctrl-C
  },
};
export default watch;
