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
  const hostname = options.hostname ?? osHostname();
  const mailboxes = path.join(options.spool, 'mailboxes');
  const queueDir = path.join(options.spool, 'queue');
  const domains = new Set(options.domains.map((d) => d.toLowerCase()));
  const users = new Map([...options.users].map(([name, password]) => [name.toLowerCase(), password]));
  const schedule: RetrySchedule = {
    initialMs: options.retryInitialMs ?? DEFAULT_RETRY_SCHEDULE.initialMs,
    maxMs: options.retryMaxMs ?? DEFAULT_RETRY_SCHEDULE.maxMs,
    giveUpAfterMs: options.giveUpAfterMs ?? DEFAULT_RETRY_SCHEDULE.giveUpAfterMs,
  };
  const routes = new Map([...(options.routes ?? [])].map(([domain, route]) => [domain.toLowerCase(), route]));

  const worker = new QueueWorker(queueDir, await loadQueue(queueDir), async (entry) => {
    const message = await readQueuedMessage(queueDir, entry.id);
    const outcomes = await attemptDelivery(entry.from, entry.recipients, message, {
      routes,
      clientName: hostname,
      timeoutMs: options.relayTimeoutMs ?? DEFAULT_RELAY_TIMEOUT_MS,
      signal: worker.stopping,
    });
    const now = Date.now();
    const lastReply = { ...entry.lastReply };
    for (const o of outcomes) lastReply[o.recipient] = o.reply;
    const failed: FailedRecipient[] = outcomes.filter((o) => o.status === 'permanent').map((o) => ({ recipient: o.recipient, reason: o.reply }));
    let pending = outcomes.filter((o) => o.status === 'temporary').map((o) => o.recipient);
    if (pending.length > 0 && !worker.stopping.aborted && shouldGiveUp(entry.firstQueuedAt, now, schedule.giveUpAfterMs)) {
      const tries = entry.attempts + 1;
      for (const recipient of pending) failed.push({ recipient, reason: `gave up after ${tries} attempt${tries === 1 ? '' : 's'}; the last: ${lastReply[recipient]}` });
      pending = [];
    }
    // The bounce is safe on disk before the entry forgets these recipients: a crash in between bounces twice, never zero times.
    if (failed.length > 0) await bounce(entry, failed, message);
    if (pending.length === 0) return undefined;
    // Abandoned by close(): that was no real try, so the next start tries again at once.
    if (worker.stopping.aborted) return { ...entry, recipients: pending, nextAttemptAt: now, lastReply };
    const attempts = entry.attempts + 1;
    return { ...entry, recipients: pending, attempts, nextAttemptAt: nextAttemptAt(attempts, now, entry.firstQueuedAt, schedule), lastReply };
  });

  /** Tells the sender: straight into their Maildir when they are ours, else through the queue. Never for a bounce. */
  async function bounce(entry: QueueEntry, failed: readonly FailedRecipient[], original: Buffer): Promise<void> {
    if (!mayBounce(entry.from)) {
      console.error(`wirelab mail: a bounce could not be delivered to ${failed.map((f) => f.recipient).join(', ')}; dropped (a bounce is never bounced)`);
      return;
    }
    const message = bounceMessage({ hostname, sender: entry.from, failed, original });
    const at = entry.from.lastIndexOf('@');
    const local = entry.from.slice(0, at).toLowerCase();
    if (domains.has(domainOf(entry.from))) {
      if (users.has(local) || local === POSTMASTER) await deliverToMaildirs(mailboxes, [local], [message]);
      else console.error(`wirelab mail: no mailbox for the bounce to ${entry.from}; dropped`);
      return;
    }
    worker.add(await enqueue(queueDir, { from: '', recipients: [entry.from] }, [message]));
  }

  /** The SMTP server's deliver hook: local mailboxes now, remote recipients into the queue; both durable before 250. */
  async function deliver(message: AcceptedMessage): Promise<void> {
    let queued: QueueEntry | undefined;
    if (message.remote.length > 0) queued = await enqueue(queueDir, { from: message.from, recipients: message.remote }, message.parts);
    if (message.mailboxes.length > 0) {
      try {
        await deliverToMaildirs(mailboxes, message.mailboxes, message.parts);
      } catch (error) {
        if (queued) await removeEntry(queueDir, queued.id); // the client will be told 451 and send it all again
        throw error;
      }
    }
    if (queued) worker.add(queued);
  }

  let smtp: SmtpServer | undefined;
  let pop3: Pop3Server | undefined;
  try {
    smtp = await startSmtpServer({
      host: options.host ?? '127.0.0.1',
      port: options.smtpPort ?? 0,
      maildir: mailboxes,
      domains: [...domains],
      users: users.keys(),
      hostname,
      authenticate: (user, password) => users.get(user.toLowerCase()) === password,
      mayRelay: (session) => session.user !== undefined,
      deliver,
    });
    pop3 = await startPop3Server({ host: options.host ?? '127.0.0.1', port: options.pop3Port ?? 0, maildir: mailboxes, users, hostname });
  } catch (error) {
    await Promise.all([smtp?.close(), worker.close()]);
    throw error;
  }
  worker.start();
  const [smtpServer, pop3Server] = [smtp, pop3];
  let closing: Promise<void> | undefined;
  return {
    host: smtpServer.host,
    smtpPort: smtpServer.port,
    pop3Port: pop3Server.port,
    queued: async () => worker.size,
    close: () =>
      (closing ??= (async () => {
        // SMTP first, so nothing new is queued; an attempt in flight is abandoned and its entry stays on disk.
        await smtpServer.close();
        await Promise.all([pop3Server.close(), worker.close()]);
      })()),
  };
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
    this.started = true;
    this.wake();
  }

  /** A new entry (already on disk) to attempt. */
  add(entry: QueueEntry): void {
    this.entries.set(entry.id, entry);
    this.wake();
  }

  /** Stops the timer and waits for attempts in flight (abandoned at once); every entry stays on disk. */
  async close(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.inFlight.values());
  }

  /** Starts the entries that are due and sets the timer for the next one. */
  private wake(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.started || this.stop.signal.aborted) return;
    const now = Date.now();
    let earliest = Infinity;
    for (const entry of this.entries.values()) {
      if (this.inFlight.has(entry.id)) continue;
      if (entry.nextAttemptAt > now) earliest = Math.min(earliest, entry.nextAttemptAt);
      else if (this.inFlight.size < MAX_CONCURRENT_ATTEMPTS) this.run(entry);
      // else: due, but the pool is full; a finishing attempt calls wake() again
    }
    if (earliest !== Infinity) this.timer = setTimeout(() => this.wake(), Math.min(Math.max(earliest - now, 0), MAX_TIMER_MS));
  }

  /** One attempt of one entry, and storing its result. */
  private run(entry: QueueEntry): void {
    const done = (async () => {
      try {
        const next = await this.attempt(entry);
        if (next === undefined) {
          await removeEntry(this.dir, entry.id);
          this.entries.delete(entry.id);
        } else {
          await updateEntry(this.dir, next);
          this.entries.set(entry.id, next);
        }
      } catch (error) {
        // A disk error, say: keep the entry as it was on disk and try again after the usual wait.
        console.error(`wirelab mail: attempt of queue entry ${entry.id} failed:`, error);
        this.entries.set(entry.id, { ...entry, nextAttemptAt: Date.now() + DEFAULT_RETRY_SCHEDULE.initialMs });
      } finally {
        this.inFlight.delete(entry.id);
        this.wake();
      }
    })();
    this.inFlight.set(entry.id, done);
  }
}
