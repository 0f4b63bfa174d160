/**
 * One delivery attempt of one queued message: find the server that takes
 * mail for each recipient's domain, and hand the message over with your own
 * SMTP client from exercise 04.
 *
 *   recipients ──routes──▶ b.test → 127.0.0.1:2526: bob@b.test, carol@b.test   one transaction, both RCPTs
 *                          c.test → 127.0.0.1:2527: dave@c.test                another transaction
 *                          x.test → (no route): erin@x.test                    fails for good at once
 *
 * Each recipient comes out of the attempt in one of three ways:
 *
 *   delivered   the server said 250 to the end of data, and it accepted this RCPT
 *   permanent   a 5xx reply (no such user, message refused) or no route: bounce it now
 *   temporary   a 4xx reply, a refused connection, a timeout, a dropped
 *               connection: the message stays queued and is tried again later
 *
 * This file only talks to the network: what the outcome means for the queue
 * (retry, bounce, remove) is the mail server's decision.
 */
import type { SmtpReply } from '../04-smtp-client/smtp-reply.ts';
import { SmtpClient } from '../04-smtp-client/smtp-client.ts';
import { InvalidAddressError, MessageTooLargeError, RecipientsRefusedError, SmtpReplyError } from '../04-smtp-client/smtp-errors.ts';

/** Where a domain's mail goes: stands in for the DNS MX lookup a real server would do. */
export interface Route {
  readonly host: string;
  readonly port: number;
}

/** What happened to one recipient in one attempt. */
export interface RecipientOutcome {
  readonly recipient: string;
  readonly status: 'delivered' | 'permanent' | 'temporary';
  /** The server's reply (`250 OK …`, `550 5.1.1 no such user`) or what went wrong (`connection refused by 127.0.0.1:2526`). */
  readonly reply: string;
}

/** How to make an attempt. */
export interface RelayOptions {
  /** Domain (lower-case) → the server that takes its mail. */
  readonly routes: ReadonlyMap<string, Route>;
  /** The name we give in EHLO: our host name. */
  readonly clientName: string;
  /** Limit on connecting and on every reply, in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Aborting gives up the attempt at once: every recipient not yet delivered comes out `temporary`.
   * Only a transaction past DATA is let finish (bounded by `timeoutMs`): the receiver may have the
   * message already, and dropping the connection before its reply would make us send it twice.
   */
  readonly signal?: AbortSignal;
}

/** The recipients of one attempt that go to the same server. */
export interface RouteGroup {
  readonly route: Route;
  readonly recipients: readonly string[];
}

/** Default limit on each wait of an attempt. */
export const DEFAULT_RELAY_TIMEOUT_MS = 30_000;

/** The domain of an address (after its last `@`), lower-cased; `''` when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase();
}

/**
 * Groups recipients by the server their domain routes to (two domains may
 * share a server: one transaction still carries both), in the order first
 * seen; recipients whose domain has no route come out in `unroutable`.
 */
export function groupByRoute(recipients: readonly string[], routes: ReadonlyMap<string, Route>): { groups: RouteGroup[]; unroutable: string[] } {
  const lower = new Map([...routes].map(([domain, route]) => [domain.toLowerCase(), route]));
  const groups = new Map<string, { route: Route; recipients: string[] }>();
  const unroutable: string[] = [];
  for (const recipient of recipients) {
    const route = lower.get(domainOf(recipient));
    if (route === undefined) {
      unroutable.push(recipient);
      continue;
    }
    const key = `${route.host.toLowerCase()}:${route.port}`;
    const group = groups.get(key);
    if (group) group.recipients.push(recipient);
    else groups.set(key, { route, recipients: [recipient] });
  }
  return { groups: [...groups.values()], unroutable };
}

/**
 * Makes one attempt to deliver `message` from `from` to every recipient: one
 * SMTP session and transaction per destination server, all servers at the
 * same time. Never throws for a network or protocol failure: it is an outcome.
 * Resolves with one outcome per recipient, in the order given.
 */
export async function attemptDelivery(from: string, recipients: readonly string[], message: Buffer, options: RelayOptions): Promise<RecipientOutcome[]> {
  const { groups, unroutable } = groupByRoute(recipients, options.routes);
  const results = await Promise.all(groups.map((group) => deliverToServer(from, group, message, options)));
  const byRecipient = new Map<string, RecipientOutcome>();
  for (const recipient of unroutable) {
    byRecipient.set(recipient, { recipient, status: 'permanent', reply: `550 5.4.4 no route to ${domainOf(recipient) || recipient}: unable to route` });
  }
  for (const outcome of results.flat()) byRecipient.set(outcome.recipient, outcome);
  return recipients.map((recipient) => byRecipient.get(recipient) ?? { recipient, status: 'temporary', reply: 'not attempted' });
}

/** `250 OK queued` from a reply. */
function replyLine(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' ')}`.trim();
}

/** One session with one server: connect, one transaction for all its recipients, QUIT. */
async function deliverToServer(from: string, group: RouteGroup, message: Buffer, options: RelayOptions): Promise<RecipientOutcome[]> {
  const { route, recipients } = group;
  const where = `${route.host}:${route.port}`;
  const every = (status: RecipientOutcome['status'], reply: string) => recipients.map((recipient) => ({ recipient, status, reply }));
  const { signal } = options;
  if (signal?.aborted) return every('temporary', 'not attempted: the server is shutting down');
  let client: SmtpClient | undefined;
  // Every wait of the client then fails at once; but past DATA the reply is awaited (see RelayOptions.signal).
  const abandon = () => {
    if (client?.state !== 'data') client?.abort();
  };
  signal?.addEventListener('abort', abandon, { once: true });
  try {
    const connecting = SmtpClient.connect({ host: route.host, port: route.port, clientName: options.clientName, timeoutMs: options.timeoutMs ?? DEFAULT_RELAY_TIMEOUT_MS });
    client = await untilAborted(connecting, signal);
    const result = await client.send({ from, to: recipients, message });
    if (signal?.aborted) client.abort(); // shutting down: no time for QUIT
    else await client.quit().catch(() => {}); // the message is delivered: a failed QUIT changes nothing
    const accepted = new Set(result.accepted);
    return recipients.map((recipient) => {
      if (accepted.has(recipient)) return { recipient, status: 'delivered', reply: replyLine(result.reply) };
      const refused = result.rejected.find((r) => r.recipient === recipient);
      const reply = refused ? `${refused.code} ${refused.text}` : 'no reply to RCPT';
      return { recipient, status: refused && !refused.temporary ? 'permanent' : 'temporary', reply };
    });
  } catch (error) {
    if (error instanceof RecipientsRefusedError) {
      await client?.quit().catch(() => {});
      return error.rejected.map((r) => ({ recipient: r.recipient, status: r.temporary ? 'temporary' : 'permanent', reply: `${r.code} ${r.text}` }));
    }
    if (error instanceof SmtpReplyError) {
      await client?.quit().catch(() => {});
      return every(error.temporary ? 'temporary' : 'permanent', `${error.code} ${error.text} (in reply to ${error.command})`);
    }
    if (error instanceof MessageTooLargeError) {
      await client?.quit().catch(() => {});
      return every('permanent', `552 message too big for ${where}: ${error.size} octets, the limit is ${error.limit}`);
    }
    if (error instanceof InvalidAddressError) return every('permanent', `553 ${error.message}`);
    if (signal?.aborted) return every('temporary', 'attempt abandoned: the server is shutting down');
    return every('temporary', describeFailure(error, where));
  } finally {
    signal?.removeEventListener('abort', abandon);
    client?.abort(); // a no-op after QUIT; otherwise never leave a socket behind
  }
}

/** A connection failure in words: `connection refused by 127.0.0.1:2526`. */
function describeFailure(error: unknown, where: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return `connection refused by ${where}`;
  if (error instanceof Error) return `${where}: ${error.message}`;
  return `${where}: ${String(error)}`;
}

/**
 * Waits for a connection unless the attempt is abandoned first; an abandoned
 * connection that still arrives later is closed at once.
 */
function untilAborted(connecting: Promise<SmtpClient>, signal: AbortSignal | undefined): Promise<SmtpClient> {
  if (signal === undefined) return connecting;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    connecting.then(
      (client) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) client.abort();
        else resolve(client);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
