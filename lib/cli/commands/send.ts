/**
 * `wirelab send --server HOST:PORT --from A --to B [--to C…] < message`:
 * delivers one message with the SMTP client of exercise 04 (the student's by
 * default, the reference with `--impl solutions`) and says which recipients
 * the server accepted. Exit 0 only when every recipient was accepted.
 */
import os from 'node:os';
import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import type * as ClientModule from '../../../exercises/04-smtp-client/smtp-client.ts';
import type * as ErrorsModule from '../../../exercises/04-smtp-client/smtp-errors.ts';
import { formatHostPort, parseHostPort } from '../../address.ts';
import { TimeoutError, ConnectionClosedError, ProtocolError } from '../../errors.ts';
import { renderTranscript } from '../../transcript/render.ts';
import { Transcript } from '../../transcript/transcript.ts';
import { IMPL_OPTION, loadImpl } from '../project.ts';
import { explainSystemError, explainUnfinishedStub, UserError } from '../user-error.ts';

interface SendArgs {
  impl: string;
  server: string;
  from: string;
  to: string[];
  helo: string;
  timeout: number;
  json: boolean;
  verbose: boolean;
}

/** Where to deliver: `host:port`, `[v6]:port`. */
export interface ServerAddress {
  host: string;
  port: number;
}

/**
 * Parses `--server`: `127.0.0.1:2525`, `localhost:25`, `[::1]:2525`.
 * @throws UserError (one sentence) for anything else.
 */
export function parseServerAddress(value: string): ServerAddress {
  const server = parseHostPort(value.trim());
  if (!server) throw new UserError(`--server must be HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:2525 or [::1]:2525 (got ${JSON.stringify(value)}).`);
  return server;
}

/** Reads all of standard input (the message). */
async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) process.stderr.write(chalk.dim('Type the message (headers, a blank line, the body); end it with Ctrl-D.\n'));
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Turns what the client threw into one sentence for the user. */
function explain(error: unknown, errors: typeof ErrorsModule, where: string, timeoutMs: number): Error {
  if (error instanceof UserError) return error;
  if (error instanceof errors.SmtpReplyError) {
    const kind = error.temporary ? 'temporarily (try again later)' : 'permanently';
    return new UserError(`${where} refused ${error.command} ${kind}: ${error.code} ${error.text.replace(/\n/g, ' ')}`);
  }
  if (error instanceof errors.MessageTooLargeError || error instanceof errors.InvalidAddressError) return new UserError(`${error.message}.`);
  if (error instanceof TimeoutError) return new UserError(`${where} did not answer within ${timeoutMs} ms (${error.message}); --timeout sets the limit.`);
  if (error instanceof ConnectionClosedError) return new UserError(`${where} closed the connection (${error.message}).`);
  if (error instanceof ProtocolError) return new UserError(`${where} said something that is not SMTP: ${error.message}.`);
  const known = explainSystemError(error, `cannot reach ${where}`) ?? explainUnfinishedStub(error, '04-smtp-client');
  if (known) return known;
  return error instanceof Error ? error : new Error(String(error));
}

/** `wirelab send`: deliver a message read from stdin. */
const send: CommandModule<object, SendArgs> = {
  command: 'send',
  describe: 'send a message read from stdin to an SMTP server (exercise 04 client)',
  builder: (yargs) =>
    yargs
      .option('impl', IMPL_OPTION)
      .option('server', { type: 'string', demandOption: true, describe: 'the SMTP server, HOST:PORT (e.g. 127.0.0.1:2525)' })
      .option('from', { type: 'string', demandOption: true, describe: 'envelope sender (MAIL FROM); "" for the null sender <>' })
      .option('to', { type: 'string', array: true, demandOption: true, describe: 'envelope recipient (RCPT TO); repeat for several' })
      .option('helo', { type: 'string', default: os.hostname(), describe: 'the name to give in EHLO/HELO' })
      .option('timeout', { type: 'number', default: 10_000, describe: 'limit on every wait, in milliseconds' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as one JSON document' })
      .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'print the SMTP dialogue on stderr' })
      .example('printf "Subject: hi\\n\\nhello\\n" | $0 send --server 127.0.0.1:2525 --from a@localhost --to b@localhost', '')
      .example('$0 send --server [::1]:2525 --from a@x.test --to b@y.test --to c@y.test --impl solutions < mail.eml', ''),
  handler: async (argv) => {
    const server = parseServerAddress(argv.server);
    const where = `the server at ${formatHostPort(server.host, server.port)}`;
    if (!Number.isFinite(argv.timeout) || argv.timeout <= 0) throw new UserError(`--timeout must be a positive number of milliseconds (got ${argv.timeout}).`);
    const to = argv.to.map(String);
    if (to.length === 0) throw new UserError('give at least one recipient with --to ADDR.');
    const { SmtpClient } = await loadImpl<typeof ClientModule>(argv.impl, '04-smtp-client/smtp-client.ts');
    const errors = await loadImpl<typeof ErrorsModule>(argv.impl, '04-smtp-client/smtp-errors.ts');
    const message = await readStdin();

    const transcript = new Transcript();
    const showDialogue = (): void => {
      if (argv.verbose && !transcript.isEmpty) process.stderr.write(`${renderTranscript(transcript, { maxLines: 200 })}\n`);
    };
    let result: ClientModule.SendResult;
    try {
      const client = await SmtpClient.connect({ ...server, clientName: argv.helo, timeoutMs: argv.timeout, transcript });
      try {
        result = await client.send({ from: String(argv.from), to, message });
      } catch (error) {
        client.abort();
        throw error;
      }
      // The message is accepted at this point: a failing QUIT is worth a warning, not a failure.
      await client.quit().catch((error: unknown) => process.stderr.write(`${chalk.yellow('warning:')} QUIT failed: ${String((error as Error).message ?? error)}\n`));
    } catch (error) {
      showDialogue();
      if (error instanceof errors.RecipientsRefusedError) {
        if (argv.json) process.stdout.write(`${JSON.stringify({ server: argv.server, from: argv.from, accepted: [], rejected: error.rejected, reply: null }, null, 2)}\n`);
        else for (const r of error.rejected) process.stdout.write(`${chalk.red('refused ')} ${r.recipient}: ${r.code} ${r.text.replace(/\n/g, ' ')}\n`);
        throw new UserError(`${where} refused every recipient; nothing was sent.`);
      }
      throw explain(error, errors, where, argv.timeout);
    }
    showDialogue();

    if (argv.json) {
      process.stdout.write(`${JSON.stringify({ server: argv.server, from: argv.from, accepted: result.accepted, rejected: result.rejected, reply: result.reply }, null, 2)}\n`);
    } else {
      for (const r of result.accepted) process.stdout.write(`${chalk.green('accepted')} ${r}\n`);
      for (const r of result.rejected) process.stdout.write(`${chalk.red('refused ')} ${r.recipient}: ${r.code} ${r.text.replace(/\n/g, ' ')}${r.temporary ? ' (temporary)' : ''}\n`);
      process.stdout.write(chalk.dim(`${message.length} bytes; the server said: ${result.reply.code} ${result.reply.lines.join(' ')}\n`));
    }
    if (result.rejected.length > 0) process.exitCode = 1;
  },
};
export default send;
