/**
 * `wirelab serve smtp --port P --maildir DIR [--domain D …] [--users FILE]`:
 * run the student's (or the reference) SMTP server of exercise 05 until
 * Ctrl-C. Mail for `bob@<domain>` lands in `DIR/bob/new/`, one file per message.
 *
 * Try it: `nc -C 127.0.0.1 P`, or point any mail client's SMTP at 127.0.0.1:P.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import type * as SmtpServerModule from '../../../../exercises/05-smtp-server/smtp-server.ts';
import { domainsOption, readUsersFile } from '../../mail-options.ts';
import { HOST_OPTION, checkPort } from '../../listen-options.ts';
import { IMPL_OPTION, loadImpl } from '../../project.ts';
import { serveUntilSignal } from '../../serve.ts';
import { explainSystemError, explainUnfinishedStub, UserError } from '../../user-error.ts';

interface SmtpArgs {
  impl: string;
  host: string;
  port: number;
  maildir: string;
  domain: string[];
  users: string | undefined;
  'max-message-bytes': number | undefined;
}

const smtp: CommandModule<object, SmtpArgs> = {
  command: 'smtp',
  describe: 'an SMTP server delivering into Maildirs (exercise 05)',
  builder: (yargs) =>
    yargs
      .option('impl', IMPL_OPTION)
      .option('host', HOST_OPTION)
      .option('port', { type: 'number', demandOption: true, describe: 'TCP port (0 lets the system choose; 25 needs privileges)' })
      .option('maildir', { type: 'string', demandOption: true, describe: 'root of the mailboxes: mail for bob goes to DIR/bob/new/' })
      .option('domain', { type: 'string', array: true, default: ['localhost'], describe: 'a domain we take mail for (repeat for more)' })
      .option('users', { type: 'string', describe: 'users file (name:password lines); mail for anyone else is refused' })
      .option('max-message-bytes', { type: 'number', describe: 'largest message accepted (default 10 MiB)' }),
  handler: async (argv) => {
    const port = checkPort('port', argv.port);
    const max = argv['max-message-bytes'];
    if (max !== undefined && (!Number.isSafeInteger(max) || max < 65536)) {
      throw new UserError(`--max-message-bytes must be a whole number of at least 65536 (RFC 5321 asks for 64 KiB), got ${max}.`);
    }
    const domains = domainsOption(argv.domain);
    const users = argv.users === undefined ? undefined : [...(await readUsersFile(argv.users)).keys()];
    const maildir = path.resolve(argv.maildir);
    const { startSmtpServer } = await loadImpl<typeof SmtpServerModule>(argv.impl, '05-smtp-server/smtp-server.ts');
    let server: Awaited<ReturnType<typeof startSmtpServer>>;
    try {
      server = await startSmtpServer({
        host: argv.host,
        port,
        maildir,
        domains,
        ...(users ? { users } : {}),
        ...(max !== undefined ? { maxMessageBytes: max } : {}),
      });
    } catch (error) {
      throw explainSystemError(error, `cannot listen on ${argv.host}:${port}`) ?? explainUnfinishedStub(error, '05-smtp-server') ?? error;
    }
    process.stderr.write(`delivering mail for ${domains.join(', ')}${users ? ` (${users.length} users)` : ''} into ${maildir}/<user>/new/\n`);
    await serveUntilSignal([{ host: server.host, port: server.port }], () => server.close());
  },
};
export default smtp;
