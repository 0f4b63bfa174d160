import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import { displayName, lookupAvailableExercise } from '../course.ts';
import { nextHint, parseHints } from '../hints.ts';
import { loadProgress, updateProgress } from '../progress-store.ts';
import { PROJECT_ROOT } from '../project.ts';
import { UserError } from '../user-error.ts';

interface HintArgs {
  exercise: string;
  again: boolean;
  reset: boolean;
}

/** `wirelab hint NN`: reveal the next hint of an exercise and remember how many were shown. */
const hint: CommandModule<object, HintArgs> = {
  command: 'hint <exercise>',
  describe: 'reveal the next hint of an exercise (one at a time)',
  builder: (yargs) =>
    yargs
      .positional('exercise', { type: 'string', demandOption: true, describe: 'the exercise number, e.g. 01' })
      .option('again', { type: 'boolean', default: false, describe: 'show the hints you have already seen, reveal nothing new' })
      .option('reset', { type: 'boolean', default: false, describe: 'forget which hints you have seen' }),
  handler: (argv) => {
    const exercise = lookupAvailableExercise(argv.exercise, PROJECT_ROOT);
    const file = path.join(PROJECT_ROOT, 'exercises', exercise.id, 'hints.md');
    if (!existsSync(file)) throw new UserError(`Exercise ${exercise.number} has no hints yet (exercises/${exercise.id}/hints.md is missing).`);
    const hints = parseHints(readFileSync(file, 'utf8'));
    const name = displayName(exercise);

    if (argv.reset) {
      updateProgress(PROJECT_ROOT, exercise.id, (e) => ({ ...e, hintsShown: 0 }));
      process.stdout.write(`Hints of ${name} are hidden again; \`npx wirelab hint ${exercise.number}\` starts from hint 1.\n`);
      return;
    }
    const shown = loadProgress(PROJECT_ROOT).exercises[exercise.id]?.hintsShown ?? 0;
    if (argv.again) {
      const seen = hints.slice(0, shown);
      if (seen.length === 0) {
        process.stdout.write(`You have not seen any hint of ${name} yet; \`npx wirelab hint ${exercise.number}\` reveals the first.\n`);
        return;
      }
      for (const h of seen) process.stdout.write(`${chalk.bold.cyan(`Hint ${h.number} of ${hints.length}${h.title ? `: ${h.title}` : ''}`)}\n\n${h.body}\n\n`);
      return;
    }
    const step = nextHint(hints, shown);
    switch (step.kind) {
      case 'none':
        throw new UserError(`exercises/${exercise.id}/hints.md has no "## Hint 1" section.`);
      case 'all-shown':
        process.stdout.write(`You have seen all ${step.total} hints of ${name}. \`--again\` shows them again; the reference solution is in solutions/${exercise.id}/ if you really need it.\n`);
        return;
      case 'reveal': {
        updateProgress(PROJECT_ROOT, exercise.id, (e) => ({ ...e, hintsShown: step.shownAfter }));
        const title = `Hint ${step.index} of ${step.total} for ${name}${step.hint.title ? `: ${step.hint.title}` : ''}`;
        process.stdout.write(`${chalk.bold.cyan(title)}\n\n${step.hint.body}\n`);
        const left = step.total - step.index;
        process.stdout.write(chalk.dim(`\n${left === 0 ? 'That was the last hint.' : `${left} more; run the same command for the next.`} \`--again\` shows the ones you have seen.\n`));
      }
    }
  },
};
export default hint;
