/**
 * `wirelab serve pop3 --port P --maildir DIR --users FILE [--host ADDR] [--impl …]`:
 * run the student's (or the reference) POP3 server of exercise 06 until
 * Ctrl-C. User bob (a `bob:password` line of FILE) reads `DIR/bob/`, the
 * Maildir that `wirelab serve smtp --maildir DIR` delivers into.
 *
 * Try it: `nc -C 127.0.0.1 P` (USER bob, PASS …, STAT, LIST, RETR 1, QUIT), or
 * point any mail client's incoming POP3 server at 127.0.0.1:P.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import type * as Pop3ServerModule from '../../../../exercises/06-pop3/pop3-server.ts';
import { readUsersFile } from '../../mail-options.ts';
import { HOST_OPTION, checkPort } from '../../listen-options.ts';
import { IMPL_OPTION, loadImpl } from '../../project.ts';
import { serveUntilSignal } from '../../serve.ts';
import { explainSystemError, explainUnfinishedStub, UserError } from '../../user-error.ts';

interface Pop3Args {
  impl: string;
  host: string;
  port: number;
  maildir: string;
  users: string;
}

const pop3: CommandModule<object, Pop3Args> = {
  command: 'pop3',
  describe: 'a POP3 server reading the Maildirs of serve smtp (exercise 06)',
  builder: (yargs) =>
    yargs
      .option('impl', IMPL_OPTION)
      .option('host', HOST_OPTION)
      .option('port', { type: 'number', demandOption: true, describe: 'TCP port (0 lets the system choose; 110 needs privileges)' })
      .option('maildir', { type: 'string', demandOption: true, describe: 'root of the mailboxes: user bob reads DIR/bob/' })
      .option('users', { type: 'string', demandOption: true, describe: 'users file: one name:password line per user' }),
  handler: async (argv) => {
    const port = checkPort('port', argv.port);
    const users = await readUsersFile(argv.users);
    if (users.size === 0) throw new UserError(`${argv.users} names no users (name:password lines), so nobody could log in.`);
    const maildir = path.resolve(argv.maildir);
    const { startPop3Server } = await loadImpl<typeof Pop3ServerModule>(argv.impl, '06-pop3/pop3-server.ts');
    let server: Awaited<ReturnType<typeof startPop3Server>>;
    try {
      server = await startPop3Server({ host: argv.host, port, maildir, users });
    } catch (error) {
      throw explainSystemError(error, `cannot listen on ${argv.host}:${port}`) ?? explainUnfinishedStub(error, '06-pop3') ?? error;
    }
    process.stderr.write(`serving the maildrops of ${users.size} user${users.size === 1 ? '' : 's'} from ${maildir}/<user>/\n`);
    await serveUntilSignal([{ host: server.host, port: server.port }], () => server.close());
  },
};
export default pop3;
