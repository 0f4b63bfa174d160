/**
 * A whole mail server for one organisation, the sender's side of the
 * Internet's mail: built from your own earlier exercises.
 *
 *   alice's mail client ──SMTP+AUTH──▶ ┌─ SMTP server (05) ─┐   bob@a.test ──▶ Maildir <spool>/mailboxes/bob/
 *                                      │   deliver hook     │   bob@b.test ──▶ queue <spool>/queue/ (queue.ts)
 *   a.test's other servers ──SMTP────▶ └────────────────────┘                     │
 *                                                                  queue worker: relay.ts with the 04 client
 *   bob's mail client ◀──POP3── POP3 server (06) over <spool>/mailboxes            ├─ 250: done
 *                                                                                  ├─ 4xx / down: retry later (backoff.ts)
 *                                                                                  └─ 5xx / too long: bounce (bounce.ts)
 *
 * Who may send what (no open relay): anyone may send to our own users (that
 * is how other servers deliver to us); only users who logged in with SMTP
 * AUTH may send to other domains.
 *
 * Poke it with `npx wirelab serve mail` (see lib/cli/commands/serve/mail.ts)
 * or `npx tsx examples/mail-relay.ts`.
 */
import path from 'node:path';
import { hostname as osHostname } from 'node:os';
import { samePassword } from 'wirelab';
import { startSmtpServer, type AcceptedMessage, type SmtpServer } from '../05-smtp-server/smtp-server.ts';
import { deliverToMaildirs } from '../05-smtp-server/maildir.ts';
import { POSTMASTER } from '../05-smtp-server/recipients.ts';
import { startPop3Server, type Pop3Server } from '../06-pop3/pop3-server.ts';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt, shouldGiveUp, type RetrySchedule } from './backoff.ts';
import { enqueue, loadQueue, readQueuedMessage, removeEntry, type QueueEntry } from './queue.ts';
import { QueueWorker } from './queue-worker.ts';
import { DEFAULT_RELAY_TIMEOUT_MS, attemptDelivery, domainOf, type Route } from './relay.ts';
import { bounceMessage, mayBounce, type FailedRecipient } from './bounce.ts';

/** How to run the mail server. */
export interface MailServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** SMTP port, for users submitting mail and for other servers delivering to us. @default 0 (the system picks) */
  smtpPort?: number;
  /** POP3 port, where users read their mail. @default 0 (the system picks) */
  pop3Port?: number;
  /** The server's folder: `<spool>/mailboxes/<user>/` Maildirs (new/ cur/ tmp/), `<spool>/queue/` the outgoing queue. */
  spool: string;
  /** The domains we take mail for (case-insensitive). */
  domains: readonly string[];
  /** User name → password: the local mailboxes, the POP3 logins and the SMTP AUTH logins (names case-insensitive). */
  users: ReadonlyMap<string, string>;
  /** Domain → the SMTP server that takes its mail (stands in for DNS MX records). @default none: all remote mail bounces */
  routes?: ReadonlyMap<string, Route>;
  /** The wait after the first failed attempt; each later wait doubles. @default 60000 */
  retryInitialMs?: number;
  /** The wait between attempts never grows past this. @default 3600000 */
  retryMaxMs?: number;
  /** Bounce once a message has been queued this long (RFC 5321 §4.5.4.1: 4–5 days). @default 345600000 */
  giveUpAfterMs?: number;
  /** Our name: SMTP and POP3 greetings, Received: headers, EHLO when relaying, MAILER-DAEMON@<hostname>. @default the machine's host name */
  hostname?: string;
  /** Limit on each wait of a relay attempt (connecting, every reply). @default 30000 */
  relayTimeoutMs?: number;
}

/** A running mail server. */
export interface MailServer {
  /** The address both listeners are on. */
  readonly host: string;
  /** The SMTP port (the real one when 0 was asked for). */
  readonly smtpPort: number;
  /** The POP3 port (the real one when 0 was asked for). */
  readonly pop3Port: number;
  /** Messages waiting in the queue now (for tests and the CLI). */
  queued(): Promise<number>;
  /** Stops SMTP, POP3 and the queue worker; never loses a queued message (it is on disk and resumes at the next start). */
  close(): Promise<void>;
}

/** Starts SMTP, POP3 and the queue worker over `options.spool`, resuming the queue left there. */
export async function startMailServer(options: MailServerOptions): Promise<MailServer> {
  // TODO: resolveConfig(options); a QueueWorker over loadQueue(queueDir) whose attempt is attemptEntry(config, worker, entry);
  //       startListeners(config, options, worker); worker.start()
  // TODO: return { host, smtpPort, pop3Port, queued: the worker's size,
  //         close: SMTP first (nothing new gets queued), then POP3 and the worker; a second close() is harmless }
  throw new Error('TODO(07-mail-relay): startMailServer');
}

/** The options resolved once: folders, names lower-cased, defaults filled in. */
interface MailConfig {
  readonly hostname: string;
  /** `<spool>/mailboxes`: the users' Maildirs, which POP3 reads. */
  readonly mailboxes: string;
  /** `<spool>/queue`: the outgoing queue. */
  readonly queueDir: string;
  readonly domains: ReadonlySet<string>;
  /** Lower-cased user name → password. */
  readonly users: ReadonlyMap<string, string>;
  /** Lower-cased domain → its server. */
  readonly routes: ReadonlyMap<string, Route>;
  readonly schedule: RetrySchedule;
  readonly relayTimeoutMs: number;
}

function resolveConfig(options: MailServerOptions): MailConfig {
  // TODO: hostname (or the machine's, osHostname()); the folders <spool>/mailboxes and <spool>/queue;
  //       domains, user names and route domains lower-cased; the RetrySchedule and relay timeout from the
  //       options, or DEFAULT_RETRY_SCHEDULE and DEFAULT_RELAY_TIMEOUT_MS
  throw new Error('TODO(07-mail-relay): resolveConfig');
}

/**
 * SMTP (05) and POP3 (06) over the same mailboxes. Only a logged-in user may
 * relay; a listener that cannot start closes what did, and the worker too.
 */
async function startListeners(config: MailConfig, options: MailServerOptions, worker: QueueWorker): Promise<{ smtp: SmtpServer; pop3: Pop3Server }> {
  // TODO: startSmtpServer({ host, port: smtpPort, maildir: config.mailboxes, domains, users: the names, hostname,
  //         authenticate: the password matches (samePassword from 'wirelab': never ===), mayRelay: only a session with a user
  //         (logged in), deliver: deliverAccepted(config, worker, message) })
  // TODO: startPop3Server({ host, port: pop3Port, maildir: config.mailboxes, users, hostname });
  //       if a listener cannot start, close what did start (and the worker) and rethrow
  throw new Error('TODO(07-mail-relay): startListeners');
}

/** One attempt of a queue entry: relay it, bounce what failed for good, and say what is left (undefined: nothing). */
async function attemptEntry(config: MailConfig, worker: QueueWorker, entry: QueueEntry): Promise<QueueEntry | undefined> {
  // TODO: readQueuedMessage → attemptDelivery(entry.from, entry.recipients, message, { routes, clientName: hostname,
  //       timeoutMs: relayTimeoutMs, signal: worker.stopping }) → remember each recipient's reply in lastReply
  // TODO: 'permanent' ones fail now; 'temporary' ones fail too if shouldGiveUp(firstQueuedAt, now, giveUpAfterMs)
  //       (not when the worker is stopping: then nothing really failed)
  // TODO: bounce the failed ones (BEFORE the entry forgets them: a crash then bounces twice, never zero times)
  // TODO: nobody left pending → undefined (the worker removes the entry), else the entry with the pending recipients,
  //       attempts + 1 and nextAttemptAt(attempts + 1, now, firstQueuedAt, schedule)
  //       (an attempt abandoned by close() is no real try: same attempts, due again at once)
  throw new Error('TODO(07-mail-relay): attemptEntry');
}

/** Tells the sender: straight into their Maildir when they are ours, else through the queue. Never for a bounce. */
async function bounce(config: MailConfig, worker: QueueWorker, entry: QueueEntry, failed: readonly FailedRecipient[], original: Buffer): Promise<void> {
  // TODO: never when !mayBounce(entry.from) (log that it is dropped); bounceMessage(…);
  // TODO: a sender at one of our domains who is one of our users (or POSTMASTER): deliverToMaildirs straight away;
  //       anyone else: enqueue it with from '' and the sender as the only recipient, and worker.add() it
  throw new Error('TODO(07-mail-relay): bounce');
}

/** The SMTP server's deliver hook: local mailboxes now, remote recipients into the queue; both durable before 250. */
async function deliverAccepted(config: MailConfig, worker: QueueWorker, message: AcceptedMessage): Promise<void> {
  // TODO: message.remote → enqueue (durable before the hook resolves: 250 follows);
  //       message.mailboxes → deliverToMaildirs (if that fails, remove the queue entry again and rethrow: the client gets 451);
  //       then worker.add() the new entry
  throw new Error('TODO(07-mail-relay): deliverAccepted');
}
