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
  const config = resolveConfig(options);
  const worker: QueueWorker = new QueueWorker(config.queueDir, await loadQueue(config.queueDir), (entry) => attemptEntry(config, worker, entry));
  const { smtp, pop3 } = await startListeners(config, options, worker);
  worker.start();
  let closing: Promise<void> | undefined;
  return {
    host: smtp.host,
    smtpPort: smtp.port,
    pop3Port: pop3.port,
    queued: async () => worker.size,
    close: () =>
      (closing ??= (async () => {
        // SMTP first, so nothing new is queued; an attempt in flight is abandoned and its entry stays on disk.
        await smtp.close();
        await Promise.all([pop3.close(), worker.close()]);
      })()),
  };
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
  return {
    hostname: options.hostname ?? osHostname(),
    mailboxes: path.join(options.spool, 'mailboxes'),
    queueDir: path.join(options.spool, 'queue'),
    domains: new Set(options.domains.map((d) => d.toLowerCase())),
    users: new Map([...options.users].map(([name, password]) => [name.toLowerCase(), password])),
    routes: new Map([...(options.routes ?? [])].map(([domain, route]) => [domain.toLowerCase(), route])),
    schedule: {
      initialMs: options.retryInitialMs ?? DEFAULT_RETRY_SCHEDULE.initialMs,
      maxMs: options.retryMaxMs ?? DEFAULT_RETRY_SCHEDULE.maxMs,
      giveUpAfterMs: options.giveUpAfterMs ?? DEFAULT_RETRY_SCHEDULE.giveUpAfterMs,
    },
    relayTimeoutMs: options.relayTimeoutMs ?? DEFAULT_RELAY_TIMEOUT_MS,
  };
}

/**
 * SMTP (05) and POP3 (06) over the same mailboxes. Only a logged-in user may
 * relay; a listener that cannot start closes what did, and the worker too.
 */
async function startListeners(config: MailConfig, options: MailServerOptions, worker: QueueWorker): Promise<{ smtp: SmtpServer; pop3: Pop3Server }> {
  const host = options.host ?? '127.0.0.1';
  let smtp: SmtpServer | undefined;
  try {
    smtp = await startSmtpServer({
      host,
      port: options.smtpPort ?? 0,
      maildir: config.mailboxes,
      domains: [...config.domains],
      users: config.users.keys(),
      hostname: config.hostname,
      authenticate: (user, password) => {
        const expected = config.users.get(user.toLowerCase());
        return expected !== undefined && samePassword(password, expected);
      },
      mayRelay: (session) => session.user !== undefined,
      deliver: (message) => deliverAccepted(config, worker, message),
    });
    const pop3 = await startPop3Server({ host, port: options.pop3Port ?? 0, maildir: config.mailboxes, users: config.users, hostname: config.hostname });
    return { smtp, pop3 };
  } catch (error) {
    await Promise.all([smtp?.close(), worker.close()]);
    throw error;
  }
}

/** One attempt of a queue entry: relay it, bounce what failed for good, and say what is left (undefined: nothing). */
async function attemptEntry(config: MailConfig, worker: QueueWorker, entry: QueueEntry): Promise<QueueEntry | undefined> {
  const message = await readQueuedMessage(config.queueDir, entry.id);
  const outcomes = await attemptDelivery(entry.from, entry.recipients, message, {
    routes: config.routes,
    clientName: config.hostname,
    timeoutMs: config.relayTimeoutMs,
    signal: worker.stopping,
  });
  const now = Date.now();
  const lastReply = { ...entry.lastReply };
  for (const o of outcomes) lastReply[o.recipient] = o.reply;
  const failed: FailedRecipient[] = outcomes.filter((o) => o.status === 'permanent').map((o) => ({ recipient: o.recipient, reason: o.reply }));
  let pending = outcomes.filter((o) => o.status === 'temporary').map((o) => o.recipient);
  if (pending.length > 0 && !worker.stopping.aborted && shouldGiveUp(entry.firstQueuedAt, now, config.schedule.giveUpAfterMs)) {
    const tries = entry.attempts + 1;
    for (const recipient of pending) failed.push({ recipient, reason: `gave up after ${tries} attempt${tries === 1 ? '' : 's'}; the last: ${lastReply[recipient]}` });
    pending = [];
  }
  // The bounce is safe on disk before the entry forgets these recipients: a crash in between bounces twice, never zero times.
  if (failed.length > 0) await bounce(config, worker, entry, failed, message);
  if (pending.length === 0) return undefined;
  // Abandoned by close(): that was no real try, so the next start tries again at once.
  if (worker.stopping.aborted) return { ...entry, recipients: pending, nextAttemptAt: now, lastReply };
  const attempts = entry.attempts + 1;
  return { ...entry, recipients: pending, attempts, nextAttemptAt: nextAttemptAt(attempts, now, entry.firstQueuedAt, config.schedule), lastReply };
}

/** Tells the sender: straight into their Maildir when they are ours, else through the queue. Never for a bounce. */
async function bounce(config: MailConfig, worker: QueueWorker, entry: QueueEntry, failed: readonly FailedRecipient[], original: Buffer): Promise<void> {
  if (!mayBounce(entry.from)) {
    console.error(`wirelab mail: a bounce could not be delivered to ${failed.map((f) => f.recipient).join(', ')}; dropped (a bounce is never bounced)`);
    return;
  }
  const message = bounceMessage({ hostname: config.hostname, sender: entry.from, failed, original });
  const local = entry.from.slice(0, entry.from.lastIndexOf('@')).toLowerCase();
  if (config.domains.has(domainOf(entry.from))) {
    if (config.users.has(local) || local === POSTMASTER) await deliverToMaildirs(config.mailboxes, [local], [message]);
    else console.error(`wirelab mail: no mailbox for the bounce to ${entry.from}; dropped`);
    return;
  }
  worker.add(await enqueue(config.queueDir, { from: '', recipients: [entry.from] }, [message]));
}

/** The SMTP server's deliver hook: local mailboxes now, remote recipients into the queue; both durable before 250. */
async function deliverAccepted(config: MailConfig, worker: QueueWorker, message: AcceptedMessage): Promise<void> {
  let queued: QueueEntry | undefined;
  if (message.remote.length > 0) queued = await enqueue(config.queueDir, { from: message.from, recipients: message.remote }, message.parts);
  if (message.mailboxes.length > 0) {
    try {
      await deliverToMaildirs(config.mailboxes, message.mailboxes, message.parts);
    } catch (error) {
      if (queued) await removeEntry(config.queueDir, queued.id); // the client will be told 451 and send it all again
      throw error;
    }
  }
  if (queued) worker.add(queued);
}
