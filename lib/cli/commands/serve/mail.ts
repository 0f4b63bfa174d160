/**
 * `wirelab serve mail --domain D --smtp-port P --pop3-port Q --spool DIR
 *  [--route DOMAIN=HOST:PORT …] [--users FILE] [--retry-initial MS] [--retry-max MS]
 *  [--give-up-after MS] [--hostname NAME] [--host ADDR] [--impl …]`:
 * run the student's (or the reference) mail server of exercise 07 until
 * Ctrl-C: SMTP (submission with AUTH, and mail from other servers) on P,
 * POP3 on Q, mailboxes in DIR/mailboxes/<user>/, the outgoing queue in
 * DIR/queue/. Stopping leaves the queue on disk; the next start resumes it.
 *
 * Try it with two of them routing to each other (see exercises/07-mail-relay/README.md):
 *   wirelab serve mail --impl solutions --domain a.test --smtp-port 2525 --pop3-port 1110 --spool /tmp/a \
 *     --users users-a --route b.test=127.0.0.1:2526
 *   wirelab serve mail --impl solutions --domain b.test --smtp-port 2526 --pop3-port 1111 --spool /tmp/b \
 *     --users users-b --route a.test=127.0.0.1:2525
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import type * as MailServerModule from '../../../../exercises/07-mail-relay/mail-server.ts';
import { DOMAIN_NAME, domainsOption, readUsersFile } from '../../mail-options.ts';
import { parseHostPort } from '../../../address.ts';
import { HOST_OPTION, checkPort } from '../../listen-options.ts';
import { IMPL_OPTION, loadImpl } from '../../project.ts';
import { serveUntilSignal } from '../../serve.ts';
import { explainSystemError, explainUnfinishedStub, UserError } from '../../user-error.ts';

interface MailArgs {
  impl: string;
  host: string;
  domain: string[];
  'smtp-port': number;
  'pop3-port': number;
  spool: string;
  route: string[];
  users: string | undefined;
  'retry-initial': number;
  'retry-max': number;
  'give-up-after': number;
  hostname: string | undefined;
}

/**
 * Parses `--route` values (`b.test=127.0.0.1:2526`) into the routes map,
 * domains lower-cased; a malformed one is a one-sentence UserError.
 */
export function parseRoutes(values: readonly string[]): Map<string, { host: string; port: number }> {
  const routes = new Map<string, { host: string; port: number }>();
  for (const value of values) {
    const text = String(value);
    const equals = text.indexOf('=');
    const domain = text.slice(0, equals).toLowerCase();
    const server = equals === -1 ? undefined : parseHostPort(text.slice(equals + 1));
    if (!server || !DOMAIN_NAME.test(domain)) {
      throw new UserError(`--route must look like DOMAIN=HOST:PORT (for example b.test=127.0.0.1:2526), got ${JSON.stringify(value)}.`);
    }
    if (routes.has(domain)) throw new UserError(`--route names ${domain} twice; give each domain one route.`);
    routes.set(domain, server);
  }
  return routes;
}

/** Checks a duration option in milliseconds. */
function checkMs(name: string, ms: number, least: number): void {
  if (!Number.isSafeInteger(ms) || ms < least) throw new UserError(`--${name} must be a whole number of milliseconds, at least ${least}, got ${ms}.`);
}

const mail: CommandModule<object, MailArgs> = {
  command: 'mail',
  describe: 'a mail server: SMTP with AUTH, a relay queue with retries and bounces, POP3 (exercise 07)',
  builder: (yargs) =>
    yargs
      .option('impl', IMPL_OPTION)
      .option('host', HOST_OPTION)
      .option('domain', { type: 'string', array: true, demandOption: true, describe: 'a domain we take mail for (repeat for more)' })
      .option('smtp-port', { type: 'number', demandOption: true, describe: 'SMTP port: users submit here (AUTH), other servers deliver here (0: the system chooses)' })
      .option('pop3-port', { type: 'number', demandOption: true, describe: 'POP3 port: users read their mail here (0: the system chooses)' })
      .option('spool', { type: 'string', demandOption: true, describe: 'folder for DIR/mailboxes/<user>/ (Maildirs) and DIR/queue/ (outgoing mail)' })
      .option('route', { type: 'string', array: true, default: [] as string[], describe: 'DOMAIN=HOST:PORT: where mail for DOMAIN goes (repeat; stands in for DNS MX)' })
      .option('users', { type: 'string', describe: 'users file (name:password lines): the mailboxes, POP3 and SMTP AUTH logins' })
      .option('retry-initial', { type: 'number', default: 60_000, describe: 'ms before the first retry; each later wait doubles' })
      .option('retry-max', { type: 'number', default: 3_600_000, describe: 'ms: the wait between retries never grows past this' })
      .option('give-up-after', { type: 'number', default: 4 * 24 * 3_600_000, describe: 'ms after which undeliverable mail is bounced (default 4 days)' })
      .option('hostname', { type: 'string', describe: 'our name in greetings, Received: and MAILER-DAEMON@NAME (default: the first --domain)' }),
  handler: async (argv) => {
    checkPort('smtp-port', argv['smtp-port']);
    checkPort('pop3-port', argv['pop3-port']);
    checkMs('retry-initial', argv['retry-initial'], 1);
    checkMs('retry-max', argv['retry-max'], 1);
    checkMs('give-up-after', argv['give-up-after'], 0);
    const domains = domainsOption(argv.domain);
    const routes = parseRoutes(argv.route);
    const users = argv.users === undefined ? new Map<string, string>() : await readUsersFile(argv.users);
    const spool = path.resolve(argv.spool);
    const { startMailServer } = await loadImpl<typeof MailServerModule>(argv.impl, '07-mail-relay/mail-server.ts');
    let server: Awaited<ReturnType<typeof startMailServer>>;
    try {
      server = await startMailServer({
        host: argv.host,
        smtpPort: argv['smtp-port'],
        pop3Port: argv['pop3-port'],
        spool,
        domains,
        users,
        routes,
        retryInitialMs: argv['retry-initial'],
        retryMaxMs: argv['retry-max'],
        giveUpAfterMs: argv['give-up-after'],
        hostname: argv.hostname ?? domains[0] ?? 'localhost',
      });
    } catch (error) {
      throw (
        explainSystemError(error, `cannot listen on ${argv.host}:${argv['smtp-port']} (smtp) and ${argv['pop3-port']} (pop3)`) ??
        explainUnfinishedStub(error, '07-mail-relay') ??
        error
      );
    }
    const routeText = routes.size === 0 ? 'no routes: mail for other domains bounces' : [...routes].map(([d, r]) => `${d} → ${r.host}:${r.port}`).join(', ');
    process.stderr.write(
      `mail for ${domains.join(', ')} into ${spool}/mailboxes/<user>/; ${users.size} user${users.size === 1 ? '' : 's'}` +
        `${users.size === 0 ? ' (no --users: nobody can log in, and mail for our domains is refused)' : ''}; ${routeText}; ` +
        `${await server.queued()} message(s) in ${spool}/queue/\n`,
    );
    await serveUntilSignal(
      [
        { host: server.host, port: server.smtpPort, label: '(smtp)' },
        { host: server.host, port: server.pop3Port, label: '(pop3)' },
      ],
      async () => {
        const left = await server.queued();
        await server.close();
        if (left > 0) process.stderr.write(`${left} message(s) stay queued in ${spool}/queue/ for the next start\n`);
      },
    );
    // Everything is on disk now. A relay connection abandoned while the receiver had not even greeted
    // would only time out later (the SMTP client offers no way to cancel a connect): do not wait for it.
    setTimeout(() => process.exit(), 1000).unref();
  },
};
export default mail;
