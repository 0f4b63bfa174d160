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
// Your exercise 04 client does the talking.
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
  // TODO: the part after the LAST '@' (a quoted local part may hold an '@'), lower-cased; '' without any '@'
  throw new Error('TODO(07-mail-relay): domainOf');
}

/**
 * Groups recipients by the server their domain routes to (two domains may
 * share a server: one transaction still carries both), in the order first
 * seen; recipients whose domain has no route come out in `unroutable`.
 */
export function groupByRoute(recipients: readonly string[], routes: ReadonlyMap<string, Route>): { groups: RouteGroup[]; unroutable: string[] } {
  // TODO: look routes up by lower-cased domain (B.TEST and b.test are the same domain)
  // TODO: no route: the recipient goes to `unroutable`
  // TODO: else add it to the group of its route, keyed by host:port (two domains on one server share one group),
  //       groups in the order first seen, recipients in the order given
  throw new Error('TODO(07-mail-relay): groupByRoute');
}

/**
 * Makes one attempt to deliver `message` from `from` to every recipient: one
 * SMTP session and transaction per destination server, all servers at the
 * same time. Never throws for a network or protocol failure: it is an outcome.
 * Resolves with one outcome per recipient, in the order given.
 */
export async function attemptDelivery(from: string, recipients: readonly string[], message: Buffer, options: RelayOptions): Promise<RecipientOutcome[]> {
  // TODO: groupByRoute; every unroutable recipient is 'permanent' with a reply such as `550 5.4.4 no route to x.test`
  // TODO: deliverToServer for every group, all at the same time (Promise.all)
  // TODO: one outcome per recipient, in the order of `recipients`
  throw new Error('TODO(07-mail-relay): attemptDelivery');
}

/** `250 OK queued` from a reply. */
function replyLine(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' ')}`.trim();
}

/** One session with one server: connect, one transaction for all its recipients, QUIT. */
async function deliverToServer(from: string, group: RouteGroup, message: Buffer, options: RelayOptions): Promise<RecipientOutcome[]> {
  // TODO: if options.signal is already aborted: every recipient 'temporary', nothing attempted
  // TODO: SmtpClient.connect({ host, port, clientName, timeoutMs }) (wrapped in untilAborted(…, signal)),
  //       and abort() the client when the signal fires meanwhile, unless client.state is 'data' (then let its reply come)
  // TODO: client.send({ from, to: recipients, message }): accepted → 'delivered' with the end-of-data reply;
  //       rejected → 'temporary' for a 4xx, 'permanent' for a 5xx, each with its own reply; then quit() (ignore its errors;
  //       skip it when the signal has fired)
  // TODO: catch: RecipientsRefusedError → its `rejected` list (4xx/5xx per recipient); SmtpReplyError → every recipient,
  //       temporary or permanent by the code; MessageTooLargeError and InvalidAddressError → permanent;
  //       anything else (refused connection, TimeoutError, ConnectionClosedError, ProtocolError) → temporary (describeFailure)
  // TODO: finally: always abort() the client (a no-op after QUIT), so no socket is left behind
  throw new Error('TODO(07-mail-relay): deliverToServer');
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
