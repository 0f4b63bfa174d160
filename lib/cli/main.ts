/**
 * The `wirelab` command line. Each subcommand lives in its own file under
 * `commands/`; this file only wires them up and turns user mistakes into one
 * sentence and a non-zero exit.
 */
import chalk from 'chalk';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.ts';
import { IMPL_OPTION } from './project.ts';
import { UserError } from './user-error.ts';

async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('wirelab')
    .usage('wirelab [command]\n\nLearn socket programming by building real Internet applications.\nWith no command: your progress and what to do next.')
    .epilog('Start with `npx wirelab`; grade an exercise with `npx wirelab verify 01`.')
    .strict()
    .recommendCommands()
    .option('impl', { ...IMPL_OPTION, global: true })
    .help()
    .alias('h', 'help')
    .version(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UserError(message ?? 'bad command line', 2);
    });
  for (const command of commands) cli = cli.command(command);
  await cli.parseAsync();
}

// `wirelab list | head -3` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(hideBin(process.argv)).catch((error: unknown) => {
  if (error instanceof UserError) {
    process.stderr.write(`${chalk.red('error:')} ${error.message}\n`);
    process.exitCode = error.exitCode;
    return;
  }
  process.stderr.write(`${chalk.red('internal error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
});
