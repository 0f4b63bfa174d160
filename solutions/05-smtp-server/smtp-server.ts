/**
 * The socket layer of the SMTP server: accepts clients, reads their command
 * lines, lets the session (session.ts) decide the answers, reads messages in
 * DATA mode (message-collector.ts) and stores them (maildir.ts) before saying
 * 250. Everything protocol-shaped lives in those pure modules; this file only
 * moves bytes and handles the ways a connection can end.
 *
 * Poke it with `nc -C 127.0.0.1 <port>` or `npx wirelab serve smtp`.
 *
 * Exercise 07 adds AUTH and relaying: the options `authenticate` and
 * `mayRelay`. The password check is the one step that waits on something
 * other than the client, so it happens here, between two pure steps of the
 * session (auth.ts: the outcome `check-credentials`, then `credentialsChecked`).
 */
import { setMaxListeners } from 'node:events';
import { hostname as osHostname } from 'node:os';
import { ConnectionClosedError, FramingError, TimeoutError, listenTcp, type Connection, type ReadOptions, type Transcript } from 'wirelab';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES, LIMITS, REPLY, encodeReply, reply, type Reply } from './smtp-constants.ts';
import { endOfData, greeting, handleCommand, initialState, sessionConfig, type SessionConfig, type SessionState } from './session.ts';
import { awaitsSaslResponse, cancelAuth, credentialsChecked, handleSaslResponse, type AuthVerdict } from './auth.ts';
import { MessageCollector } from './message-collector.ts';
import { makeRecipientPolicy } from './recipients.ts';
import { receivedHeader } from './received-header.ts';
import { deliverToMaildirs } from './maildir.ts';

/** How to run the server. */
export interface SmtpServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (the system picks; read `server.port`) */
  port?: number;
  /** Root of the mailboxes: mail for `bob@<our domain>` goes to `<maildir>/bob/new/`. */
  maildir: string;
  /** Domains we take mail for (case-insensitive); anything else is refused, we are no relay. @default ['localhost'] */
  domains?: readonly string[];
  /** Known user names; when given, mail for anyone else gets 550. @default anyone at our domains */
  users?: Iterable<string>;
  /** Largest message accepted, in octets (advertised as SIZE). @default 10 MiB */
  maxMessageBytes?: number;
  /** Our name in the greeting, EHLO reply and Received: header. @default the machine's host name */
  hostname?: string;
  /** How long a client may stay silent before 421 and hang-up. @default 300000 (5 minutes) */
  idleTimeoutMs?: number;
  /** Records every connection's bytes (what we write as `server`). */
  transcript?: Transcript;
  /**
   * Where accepted messages go instead of the Maildirs (a relay's queue, a
   * benchmark's sink). Resolve only once the message is safe: 250 follows.
   * @default deliverToMaildirs(maildir, message.mailboxes, message.parts)
   */
  deliver?: (message: AcceptedMessage) => Promise<void>;
  /**
   * Checks a password for SMTP AUTH (RFC 4954; mechanisms PLAIN, RFC 4616, and LOGIN). When given,
   * EHLO advertises `AUTH PLAIN LOGIN`. Exercise 07 uses it; exercise 05 itself never needs it.
   */
  authenticate?: (user: string, password: string) => boolean | Promise<boolean>;
  /**
   * Whether a session may send mail to domains that are not ours (relaying). Default: never, so the
   * server is no open relay. Exercise 07's mail server allows authenticated users.
   */
  mayRelay?: (session: { readonly user: string | undefined; readonly clientAddress: string }) => boolean;
}

/** A message the server accepted, ready to be stored. */
export interface AcceptedMessage {
  /** Our id of it, also in the Received: header and the 250 reply. */
  readonly id: string;
  /** The reverse-path of MAIL FROM without brackets: `alice@a.test`, or '' for the null path `<>` (a bounce). */
  readonly from: string;
  /** Mailbox names (lower-cased local parts), one per accepted recipient. */
  readonly mailboxes: readonly string[];
  /** Recipients at other domains, as given in RCPT TO without brackets, accepted because the session may relay; usually empty. */
  readonly remote: readonly string[];
  /** The message with our Received: header on top, in pieces to write in order. */
  readonly parts: readonly Uint8Array[];
}

/** A running server. */
export interface SmtpServer {
  /** The address listened on. */
  readonly host: string;
  /** The port listened on (the real one when 0 was asked for). */
  readonly port: number;
  /** Sends 421 to every connected client, stops accepting and resolves once all are gone. */
  close(): Promise<void>;
}

/** What every connection of one server shares. */
interface ServerContext {
  readonly config: SessionConfig;
  readonly deliver: (message: AcceptedMessage) => Promise<void>;
  readonly idleTimeoutMs: number;
  readonly authenticate: SmtpServerOptions['authenticate'];
  readonly mayRelay: SmtpServerOptions['mayRelay'];
  /** Aborted by close(): every waiting read gives up, and the client gets 421. */
  readonly shutdown: AbortSignal;
}

/** How a read ended when it did not bring a line. */
type ReadFailure = 'closed' | 'timeout' | 'shutdown' | 'too-long';

/**
 * Message ids are `<server start, base 36>.<pid>.<count>`: unique across
 * restarts and across servers sharing a Maildir, and only the count changes
 * from one message to the next.
 */
const MESSAGE_ID_PREFIX = `${Date.now().toString(36)}.${process.pid}.`;
let messageCount = 0;

/** Starts an SMTP server that delivers into Maildirs under `options.maildir`. */
export async function startSmtpServer(options: SmtpServerOptions): Promise<SmtpServer> {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per waiting read: as many as there are clients
  if (options.mayRelay && !options.deliver) throw new Error('mayRelay needs a deliver hook: the Maildir delivery cannot send mail to other domains');
  const policy = makeRecipientPolicy(options.domains ?? ['localhost'], options.users);
  const context: ServerContext = {
    config: sessionConfig(options.hostname ?? osHostname(), policy, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, { offersAuth: options.authenticate !== undefined }),
    deliver: options.deliver ?? (async (m) => void (await deliverToMaildirs(options.maildir, m.mailboxes, m.parts))),
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    authenticate: options.authenticate,
    mayRelay: options.mayRelay,
    shutdown: stop.signal,
  };
  const server = await listenTcp((conn) => converse(conn, context), {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    ...(options.transcript ? { transcript: options.transcript } : {}),
  });
  return {
    host: server.host,
    port: server.port,
    close: async () => {
      stop.abort();
      await server.close();
    },
  };
}

/** Turns a failed read into what it means for the session; rethrows real bugs. */
function readFailure(error: unknown, shutdown: AbortSignal): ReadFailure {
  if (error instanceof FramingError) return 'too-long';
  if (error instanceof TimeoutError) return 'timeout';
  if (shutdown.aborted) return 'shutdown';
  if (error instanceof ConnectionClosedError) return 'closed';
  throw error;
}

/**
 * The replies not sent yet. Pipelined commands that arrived together are
 * answered together: their replies collect here and leave in one write once
 * no more input is queued, when nothing else can be answered until the client
 * sends more (RFC 2920 §3.1 asks servers to send grouped replies together).
 */
class PendingReplies {
  private text = '';

  constructor(private readonly conn: Connection) {}

  add(replies: readonly Reply[]): void {
    for (const r of replies) this.text += encodeReply(r);
  }

  /** Sends them; resolves at once unless the client is not reading what we write (then once it has caught up). */
  send(): Promise<void> {
    if (this.text === '') return Promise.resolve();
    const text = this.text;
    this.text = '';
    return this.conn.write(text);
  }
}

/** Sends the replies still pending and a last one (421), and lets listenTcp close the connection. */
async function sayGoodbye(conn: Connection, replies: PendingReplies, why: 'timeout' | 'shutdown', config: SessionConfig): Promise<void> {
  await replies.send();
  const text = why === 'timeout' ? 'idle for too long, closing connection' : 'shutting down, try again later';
  await conn.write(encodeReply(reply(REPLY.SERVICE_UNAVAILABLE, `${config.hostname} ${text}`)));
}

/** The session config of one connection: `mayRelay` learns the client's address (shared as is when nobody may relay). */
function connectionConfig(conn: Connection, context: ServerContext): SessionConfig {
  const { mayRelay } = context;
  if (!mayRelay) return context.config;
  const clientAddress = conn.remoteAddress;
  return { ...context.config, mayRelay: (user) => mayRelay({ user, clientAddress }) };
}

/** Asks the configured password check; never logs the password. */
async function checkCredentials(context: ServerContext, user: string, password: string): Promise<AuthVerdict> {
  if (!context.authenticate) return 'refused'; // cannot happen: without it AUTH is not offered
  try {
    return (await context.authenticate(user, password)) ? 'accepted' : 'refused';
  } catch (error) {
    console.error(`wirelab smtp: could not check the password of ${JSON.stringify(user)}:`, error);
    return 'unavailable';
  }
}

/** The whole conversation with one client. */
async function converse(conn: Connection, context: ServerContext): Promise<void> {
  const { shutdown } = context;
  const config = connectionConfig(conn, context);
  const replies = new PendingReplies(conn);
  if (shutdown.aborted) return sayGoodbye(conn, replies, 'shutdown', config);
  replies.add([greeting(config)]);
  // Commands may end in a bare LF too (people type them with nc); only DATA is strict.
  const commandLine: ReadOptions = { lineEnding: 'any', maxLineBytes: LIMITS.COMMAND_LINE - 2, timeoutMs: context.idleTimeoutMs, signal: shutdown };
  // CRLF only: a bare LF is part of a line, so LF.LF can never end the message.
  const messageLine: ReadOptions = { lineEnding: 'crlf', maxLineBytes: LIMITS.TEXT_LINE - 2, timeoutMs: context.idleTimeoutMs, signal: shutdown };
  // After a 334 challenge the next line is a SASL response, which may be longer than a command.
  const saslLine: ReadOptions = { ...commandLine, maxLineBytes: LIMITS.SASL_RESPONSE_LINE - 2 };
  let state: SessionState = initialState();
  for (;;) {
    const sasl = awaitsSaslResponse(state);
    const lineOptions = sasl ? saslLine : commandLine;
    let line: string | null | undefined;
    try {
      // A pipelined command that is already here is taken at once; only an empty queue waits.
      line = conn.tryReadLine(lineOptions);
      if (line === undefined) {
        await replies.send(); // nothing more to answer until the client sends more: the client waits for these
        line = await conn.readLine(lineOptions);
      }
    } catch (error) {
      const failure = readFailure(error, shutdown);
      if (failure === 'closed') return;
      if (failure !== 'too-long') return sayGoodbye(conn, replies, failure, config);
      const limit = sasl ? LIMITS.SASL_RESPONSE_LINE : LIMITS.COMMAND_LINE;
      const tooLong = `line too long: at most ${limit} octets with CRLF`;
      if (!awaitsSaslResponse(state)) {
        replies.add([reply(REPLY.UNKNOWN_COMMAND, tooLong)]);
        continue;
      }
      const cancelled = cancelAuth(state, `5.5.2 ${tooLong}`);
      state = cancelled.next;
      replies.add(cancelled.replies);
      continue;
    }
    if (line === null) return;
    let outcome = awaitsSaslResponse(state) ? handleSaslResponse(state, line, config) : handleCommand(state, line, config);
    if (outcome.then === 'check-credentials' && outcome.next.name === 'checking-credentials') {
      replies.add(outcome.replies);
      const { user, password } = outcome.next;
      outcome = credentialsChecked(outcome.next, await checkCredentials(context, user, password), config);
    }
    state = outcome.next;
    replies.add(outcome.replies);
    if (outcome.then === 'close') return replies.send();
    if (outcome.then === 'read-data' && state.name === 'data') {
      const collector = new MessageCollector(config.maxMessageBytes);
      const ended = await readMessage(conn, replies, collector, messageLine, shutdown);
      if (ended === 'closed') return; // the client vanished mid-DATA: nothing was stored
      if (ended !== 'end') return sayGoodbye(conn, replies, ended, config);
      const answer = await settleMessage(conn, state, collector, context);
      state = endOfData(state);
      replies.add([answer]);
    }
  }
}

/** Reads message lines until the end-of-data line; anything else means the message is lost. */
async function readMessage(conn: Connection, replies: PendingReplies, collector: MessageCollector, messageLine: ReadOptions, shutdown: AbortSignal): Promise<'end' | Exclude<ReadFailure, 'too-long'>> {
  for (;;) {
    let line: Buffer | null | undefined;
    try {
      line = conn.tryReadLineBytes(messageLine);
      if (line === undefined) {
        await replies.send();
        line = await conn.readLineBytes(messageLine);
      }
    } catch (error) {
      const failure = readFailure(error, shutdown);
      if (failure !== 'too-long') return failure;
      collector.skipOverlongLine();
      continue;
    }
    if (line === null) return 'closed';
    if (collector.push(line) === 'end') return 'end';
  }
}

/** Stores a complete message in every recipient's Maildir, or says why not. */
async function settleMessage(conn: Connection, state: SessionState & { name: 'data' }, collector: MessageCollector, context: ServerContext): Promise<Reply> {
  const { config } = context;
  switch (collector.verdict) {
    case 'too-big':
      return reply(REPLY.EXCEEDED_STORAGE, `message too big: the limit is ${config.maxMessageBytes} octets`);
    case 'line-too-long':
      return reply(REPLY.UNKNOWN_COMMAND, `line too long: message lines are at most ${LIMITS.TEXT_LINE} octets with CRLF`);
    case 'complete':
      break;
  }
  const id = MESSAGE_ID_PREFIX + ++messageCount;
  const header = receivedHeader({
    clientName: state.hello.clientName,
    clientAddress: conn.remoteAddress,
    hostname: config.hostname,
    extended: state.hello.extended,
    id,
    date: new Date(),
  });
  const { envelope } = state;
  const mailboxes = envelope.recipients.map((r) => r.mailbox);
  const remote = envelope.remote ?? NO_RECIPIENTS;
  const from = envelope.from.kind === 'mailbox' ? `${envelope.from.mailbox.localPart}@${envelope.from.mailbox.domain}` : '';
  const parts = ([Buffer.from(header, 'latin1')] as Uint8Array[]).concat(collector.message());
  try {
    await context.deliver({ id, from, mailboxes, remote, parts });
  } catch (error) {
    console.error(`wirelab smtp: could not store message ${id}:`, error);
    return reply(REPLY.LOCAL_ERROR, 'local error: the message could not be stored; try again later');
  }
  return reply(REPLY.OK, `OK: message ${id} ${whereItWent(mailboxes.length, remote.length)}`);
}

/** No remote recipients: one shared empty list, as most messages have none. */
const NO_RECIPIENTS: readonly string[] = Object.freeze([]);

/** `delivered to 2 mailboxes`, `queued for relay to 1 recipient`, or both. */
function whereItWent(local: number, remote: number): string {
  const delivered = `delivered to ${local} mailbox${local === 1 ? '' : 'es'}`;
  if (remote === 0) return delivered;
  const queued = `queued for relay to ${remote} recipient${remote === 1 ? '' : 's'}`;
  return local === 0 ? queued : `${delivered}, ${queued}`;
}
