import type { CommandModule } from 'yargs';
import { serveCommands } from './serve/index.ts';

/** `wirelab serve smtp|pop3|mail|tracker …`: run a reference or student server. */
const serve: CommandModule = {
  command: 'serve <what>',
  describe: 'run a server (smtp, pop3, mail, tracker) until Ctrl-C',
  builder: (yargs) => {
    let y = yargs;
    for (const sub of serveCommands) y = y.command(sub);
    return y.demandCommand(1, 'say which server to run: wirelab serve smtp|pop3|mail|tracker');
  },
  handler: () => {},
};
export default serve;
