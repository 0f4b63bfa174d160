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
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { hostname as osHostname } from 'node:os';
import { startSmtpServer, type AcceptedMessage, type SmtpServer } from '../05-smtp-server/smtp-server.ts';
import { deliverToMaildirs } from '../05-smtp-server/maildir.ts';
import { POSTMASTER } from '../05-smtp-server/recipients.ts';
import { startPop3Server, type Pop3Server } from '../06-pop3/pop3-server.ts';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt, shouldGiveUp, type RetrySchedule } from './backoff.ts';
import { enqueue, loadQueue, readQueuedMessage, removeEntry, updateEntry, type QueueEntry } from './queue.ts';
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

/** The longest a timer may wait (setTimeout's limit is 2^31−1 ms, about 24 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How many queue entries are attempted at the same time. */
const MAX_CONCURRENT_ATTEMPTS = 8;

/** Starts SMTP, POP3 and the queue worker over `options.spool`, resuming the queue left there. */
export async function startMailServer(options: MailServerOptions): Promise<MailServer> {
  // TODO: the folders: <spool>/mailboxes (Maildirs, shared with POP3) and <spool>/queue; domains and user names lower-cased;
  //       the RetrySchedule from the options or DEFAULT_RETRY_SCHEDULE; routes keyed by lower-cased domain
  // TODO: a QueueWorker over loadQueue(queueDir), whose attempt(entry) does:
  //         readQueuedMessage → attemptDelivery(entry.from, entry.recipients, message, { routes, clientName: hostname,
  //         timeoutMs: relayTimeoutMs or DEFAULT_RELAY_TIMEOUT_MS, signal: worker.stopping }) → remember each recipient's reply in lastReply;
  //         'permanent' ones fail now; 'temporary' ones fail too if shouldGiveUp(firstQueuedAt, now, giveUpAfterMs)
  //         (not when the worker is stopping: then nothing really failed);
  //         bounce the failed ones (BEFORE the entry forgets them: a crash then bounces twice, never zero times);
  //         nobody left pending → undefined (the worker removes the entry), else the entry with the pending recipients,
  //         attempts + 1 and nextAttemptAt(attempts + 1, now, firstQueuedAt, schedule)
  //         (an attempt abandoned by close() is no real try: same attempts, due again at once)
  // TODO: bounce(entry, failed, original): never when !mayBounce(entry.from); bounceMessage(…);
  //         a sender at one of our domains who is one of our users (or POSTMASTER): deliverToMaildirs straight away;
  //         anyone else: enqueue it with from '' and the sender as the only recipient, and worker.add() it
  // TODO: the deliver hook of the SMTP server: message.remote → enqueue (durable before the hook resolves: 250 follows);
  //         message.mailboxes → deliverToMaildirs (if that fails, remove the queue entry again and rethrow: the client gets 451);
  //         then worker.add() the new entry
  // TODO: startSmtpServer({ host, port: smtpPort, maildir: <spool>/mailboxes, domains, users: the names, hostname,
  //         authenticate: the password matches, mayRelay: only a session with a user (logged in), deliver })
  // TODO: startPop3Server({ host, port: pop3Port, maildir: <spool>/mailboxes, users, hostname });
  //         if a listener cannot start, close what did start and rethrow
  // TODO: worker.start(); return { host, smtpPort, pop3Port, queued: the worker's size,
  //         close: SMTP first (nothing new gets queued), then POP3 and the worker; a second close() is harmless }
  throw new Error('TODO(07-mail-relay): startMailServer');
}

/**
 * What one attempt of an entry leads to: the entry as it should be stored
 * for the next attempt, or undefined when it is finished (delivered or bounced).
 */
type Attempt = (entry: QueueEntry) => Promise<QueueEntry | undefined>;

/**
 * Runs the queue: one timer that wakes at the earliest `nextAttemptAt`,
 * starts every entry that is due (at most a few at a time, never the same
 * entry twice at once), stores what each attempt leads to, and sleeps again.
 */
class QueueWorker {
  private readonly entries = new Map<string, QueueEntry>();
  /** The entries being attempted now, with the attempt. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly stop = new AbortController();

  constructor(
    private readonly dir: string,
    loaded: readonly QueueEntry[],
    private readonly attempt: Attempt,
  ) {
    for (const entry of loaded) this.entries.set(entry.id, entry);
    setMaxListeners(0, this.stop.signal); // every attempt in flight listens for it, a few per entry
  }

  /** Aborted by close(): attempts in flight give up at once. */
  get stopping(): AbortSignal {
    return this.stop.signal;
  }

  /** Entries in the queue, being attempted or waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Begins working (after the listeners are up). */
  start(): void {
    // TODO: remember that we started, and wake()
    throw new Error('TODO(07-mail-relay): QueueWorker.start');
  }

  /** A new entry (already on disk) to attempt. */
  add(entry: QueueEntry): void {
    // TODO: keep it in `entries`, and wake() (it is due at once)
    throw new Error('TODO(07-mail-relay): QueueWorker.add');
  }

  /** Stops the timer and waits for attempts in flight (abandoned at once); every entry stays on disk. */
  async close(): Promise<void> {
    // TODO: abort `stop` (attempts in flight give up), clear the timer, wait for every attempt in `inFlight`
    throw new Error('TODO(07-mail-relay): QueueWorker.close');
  }

  /** Starts the entries that are due and sets the timer for the next one. */
  private wake(): void {
    // TODO: clear the timer; do nothing before start() or after close()
    // TODO: for each entry not in flight: due (nextAttemptAt <= now) → run(entry), while fewer than
    //       MAX_CONCURRENT_ATTEMPTS are in flight; not due yet → remember the earliest nextAttemptAt
    // TODO: one setTimeout(() => this.wake(), earliest − now) (at most MAX_TIMER_MS): one timer, never a busy loop
    throw new Error('TODO(07-mail-relay): QueueWorker.wake');
  }

  /** One attempt of one entry, and storing its result. */
  private run(entry: QueueEntry): void {
    // TODO: an async task, put into `inFlight` under the entry's id, that:
    //       calls this.attempt(entry); undefined → removeEntry from disk and `entries`; else updateEntry on disk and in `entries`;
    //       an error (a full disk…) is logged, and the entry waits DEFAULT_RETRY_SCHEDULE.initialMs before its next try;
    //       finally: delete it from `inFlight` and wake() (the next entry may be due, or a slot is free now)
    throw new Error('TODO(07-mail-relay): QueueWorker.run');
  }
}
