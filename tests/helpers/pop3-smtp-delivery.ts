/**
 * Mail delivered the real way, independent of any exercise: nodemailer's
 * smtp-server (npm) listens on 127.0.0.1 and files every message it accepts
 * into `<root>/<local part>/new/` as a Maildir MTA does (tmp/ first, then a
 * rename), with a Received: header on top, like exercise 05. A POP3 server
 * under test then serves that Maildir.
 *
 *   const mta = await startMaildirMta(root);
 *   await nodemailer.createTransport({ host: mta.host, port: mta.port, … }).sendMail(…);
 *   const files = await mta.delivered;   // what was filed, per recipient
 */
import { SMTPServer } from 'smtp-server';
import { writeMessage } from './pop3-maildir.ts';

/** A message the MTA filed. */
export interface Delivery {
  user: string;
  unique: string;
  bytes: Buffer;
}

/** A running MTA. */
export interface MaildirMta {
  readonly host: string;
  readonly port: number;
  /** Everything filed so far, in order. */
  readonly delivered: readonly Delivery[];
  close(): Promise<void>;
}

/** Starts smtp-server on 127.0.0.1, port 0, filing mail for any recipient into `<root>/<local part lower-cased>/new/`. */
export async function startMaildirMta(root: string): Promise<MaildirMta> {
  const delivered: Delivery[] = [];
  let id = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const received = Buffer.from(`Received: from ${session.hostNameAppearsAs} by mta.wirelab.test (smtp-server) id ${++id}\r\n`, 'latin1');
        const bytes = Buffer.concat([received, ...chunks]);
        const users = session.envelope.rcptTo.map((r) => r.address.split('@')[0]!.toLowerCase());
        Promise.all(users.map(async (user) => delivered.push({ user, unique: await writeMessage(root, user, bytes), bytes })))
          .then(() => callback(null))
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('smtp-server is not listening on TCP');
  return {
    host: '127.0.0.1',
    port: address.port,
    delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
