/**
 * A receiving SMTP server that is not ours: nodemailer's smtp-server (npm)
 * stands in for the mail exchanger of a remote domain and records what the
 * relay under test sends it, so the tests judge the relay's SMTP client side
 * against a real implementation. It can refuse on purpose (a 451 at MAIL
 * FROM, a 550 for one recipient, …) to play a receiver in trouble.
 *
 *   const mx = await startRecorder({ rcpt: (to) => (to.startsWith('nobody@') ? reply(550, 'no such user') : undefined) });
 *   // route a domain to 127.0.0.1:mx.port, send mail, then look at
 *   mx.transactions;   // [{ from: 'alice@a.test', to: ['bob@b.test'], data: <Buffer …> }]
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** A reply the recorder gives instead of accepting. */
export interface Refusal {
  code: number;
  message: string;
}

/** Builds a {@link Refusal}. */
export function reply(code: number, message: string): Refusal {
  return { code, message };
}

/** One transaction as the recorder saw it. */
export interface RecordedTransaction {
  /** Which connection (0-based, in connect order) carried it. */
  connection: number;
  /** When MAIL FROM arrived (Date.now()). */
  at: number;
  /** The reverse-path of MAIL FROM, without brackets; '' for `MAIL FROM:<>`. */
  from: string;
  /** Every RCPT TO the client sent, accepted or not, in order. */
  rcptTried: string[];
  /** The recipients the recorder accepted. */
  to: string[];
  /** How the transaction ended. */
  outcome: 'refused at MAIL' | 'no recipients' | 'accepted' | 'refused after DATA' | 'abandoned';
  /** The message bytes (after dot-unstuffing), when DATA got that far. */
  data?: Buffer;
}

/** How the recorder answers; each hook returns a refusal or undefined (accept). */
export interface RecorderOptions {
  /** Listen on this port (to come up where a relay already sends). @default 0 */
  port?: number;
  /** Called for each MAIL FROM; `attempt` counts the MAIL commands seen so far (1-based). */
  mail?: (from: string, attempt: number) => Refusal | undefined;
  /** Called for each RCPT TO. */
  rcpt?: (to: string) => Refusal | undefined;
  /** Called at the end of DATA with the recipients accepted. */
  data?: (data: Buffer, to: readonly string[]) => Refusal | undefined;
  /** Wait this long before the reply to the end of data (the message is recorded at once). @default 0 */
  dataReplyDelayMs?: number;
}

/** A running recorder. */
export interface Recorder {
  readonly host: string;
  readonly port: number;
  /** Every transaction that reached MAIL FROM, in order. */
  readonly transactions: readonly RecordedTransaction[];
  /** Times (Date.now()) at which clients connected. */
  readonly connections: readonly number[];
  /** Transactions that ended with 250 after DATA. */
  accepted(): RecordedTransaction[];
  /** Transactions past MAIL FROM and not yet finished (a message may be on its way). */
  open(): number;
  close(): Promise<void>;
}

function smtpError(refusal: Refusal): Error & { responseCode: number } {
  return Object.assign(new Error(refusal.message), { responseCode: refusal.code });
}

/** Starts smtp-server on 127.0.0.1 recording every transaction; refuses where the hooks say so. */
export async function startRecorder(options: RecorderOptions = {}): Promise<Recorder> {
  const transactions: RecordedTransaction[] = [];
  const connections: number[] = [];
  const current = new Map<string, RecordedTransaction>();
  const connectionIndex = new Map<string, number>();
  let mailCount = 0;
  const finish = (session: SMTPServerSession) => {
    const open = current.get(session.id);
    if (open && open.outcome === 'abandoned' && open.to.length === 0 && open.rcptTried.length > 0) open.outcome = 'no recipients';
    current.delete(session.id);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    name: 'mx.recorder.test',
    banner: 'recorder (npm smtp-server)',
    size: 10 * 1024 * 1024,
    closeTimeout: 500,
    onConnect(session, callback) {
      connectionIndex.set(session.id, connections.length);
      connections.push(Date.now());
      callback();
    },
    onMailFrom(address, session, callback) {
      finish(session);
      mailCount += 1;
      const t: RecordedTransaction = {
        connection: connectionIndex.get(session.id) ?? -1, at: Date.now(), from: address.address, rcptTried: [], to: [], outcome: 'abandoned',
      };
      transactions.push(t);
      const refusal = options.mail?.(address.address, mailCount);
      if (refusal) {
        t.outcome = 'refused at MAIL';
        callback(smtpError(refusal));
        return;
      }
      current.set(session.id, t);
      callback();
    },
    onRcptTo(address, session, callback) {
      const t = current.get(session.id);
      t?.rcptTried.push(address.address);
      const refusal = options.rcpt?.(address.address);
      if (refusal) {
        callback(smtpError(refusal));
        return;
      }
      t?.to.push(address.address);
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const data = Buffer.concat(chunks);
        const t = current.get(session.id);
        const to = session.envelope.rcptTo.map((r) => r.address);
        const refusal = options.data?.(data, to);
        if (t) {
          t.data = data;
          t.outcome = refusal ? 'refused after DATA' : 'accepted';
          current.delete(session.id);
        }
        const answer = () => callback(refusal ? smtpError(refusal) : null);
        if (options.dataReplyDelayMs) setTimeout(answer, options.dataReplyDelayMs);
        else answer();
      });
    },
    onClose(session) {
      finish(session);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  // A client that vanishes makes smtp-server emit 'error'; recording goes on.
  server.on('error', () => {});
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('smtp-server is not listening on TCP');
  return {
    host: '127.0.0.1',
    port: address.port,
    transactions,
    connections,
    accepted: () => transactions.filter((t) => t.outcome === 'accepted'),
    open: () => current.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
