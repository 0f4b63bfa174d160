import type { CommandModule } from 'yargs';
import { EXERCISES } from '../../grader/exercises.ts';
import { isAvailable } from '../../grader/kit-paths.ts';
import { PROJECT_ROOT } from '../project.ts';

/** `wirelab list`: the exercises, one a line (number, name, what you build; "(coming)" when not written yet). */
const list: CommandModule<object, object> = {
  command: 'list',
  describe: 'the exercises, one a line',
  handler: () => {
    const width = Math.max(...EXERCISES.map((e) => e.id.length - 3)) + 2;
    for (const e of EXERCISES) {
      const coming = isAvailable(e, PROJECT_ROOT) ? '' : '  (coming)';
      process.stdout.write(`${e.number}  ${e.id.slice(3).padEnd(width)}${e.title}${coming}\n`);
    }
  },
};
export default list;
