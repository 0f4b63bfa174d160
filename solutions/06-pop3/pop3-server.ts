/**
 * The socket layer of the POP3 server: accepts clients, reads their command
 * lines, lets the session (session.ts) decide the answers, and does the file
 * work the session asks for: lock and open the maildrop at PASS, read a
 * message for RETR/TOP, delete the marked messages at QUIT. Everything
 * protocol-shaped lives in the pure modules; this file only moves bytes and
 * handles the ways a connection can end (none of which deletes anything,
 * except QUIT from TRANSACTION).
 *
 * Poke it with `nc -C 127.0.0.1 <port>` or `npx wirelab serve pop3`.
 */
import { setMaxListeners } from 'node:events';
import { hostname as osHostname } from 'node:os';
import { ConnectionClosedError, FramingError, TimeoutError, listenTcp, type Connection, type ReadOptions, type Transcript } from 'wirelab';
import { DEFAULT_IDLE_TIMEOUT_MS, LIMITS, err, type Response } from './pop3-constants.ts';
import { encodeMessage, encodeResponse } from './multiline.ts';
import { greeting, handleCommand, initialState, maildropOpened, maildropUnavailable, sessionConfig, updateDone, type Outcome, type SessionConfig, type SessionState } from './session.ts';
import { deleteMessages, lockMaildrop, mailboxName, openMaildrop, readMessage } from './maildrop.ts';

/** How to run the server. */
export interface Pop3ServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (the system picks; read `server.port`) */
  port?: number;
  /** Root of the mailboxes: user bob's Maildir is `<maildir>/bob/` (new/ cur/ tmp/), as exercise 05 writes them. */
  maildir: string;
  /** User name → password. Names are case-insensitive (`Bob` reads `<maildir>/bob/`). */
  users: ReadonlyMap<string, string>;
  /** Our name in the greeting. @default the machine's host name */
  hostname?: string;
  /**
   * How long a client may stay silent before we hang up, WITHOUT entering
   * UPDATE (nothing is deleted). @default 600000 (RFC 1939: at least 10 minutes)
   */
  idleTimeoutMs?: number;
  /** Records every connection's bytes (what we write as `server`). */
  transcript?: Transcript;
}

/** A running server. */
export interface Pop3Server {
  /** The address listened on. */
  readonly host: string;
  /** The port listened on (the real one when 0 was asked for). */
  readonly port: number;
  /** Stops accepting, tells connected clients `-ERR` shutting down (deleting nothing) and resolves once all are gone. */
  close(): Promise<void>;
}

/** What every connection of one server shares. */
interface ServerContext {
  readonly config: SessionConfig;
  readonly maildir: string;
  readonly idleTimeoutMs: number;
  /** Aborted by close(): every waiting read gives up. */
  readonly shutdown: AbortSignal;
}

/** Starts a POP3 server reading the Maildirs under `options.maildir`. */
export async function startPop3Server(options: Pop3ServerOptions): Promise<Pop3Server> {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per waiting read: as many as there are clients
  const context: ServerContext = {
    config: sessionConfig(options.hostname ?? osHostname(), options.users),
    maildir: options.maildir,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
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

/**
 * What is not sent yet. Pipelined commands that arrived together (RFC 2449
 * PIPELINING) are answered together: the answers collect here and leave in
 * one write once no more input is queued.
 */
class PendingOutput {
  private chunks: (string | Buffer)[] = [];

  constructor(private readonly conn: Connection) {}

  add(...items: (Response | Buffer)[]): void {
    for (const item of items) this.chunks.push(Buffer.isBuffer(item) ? item : encodeResponse(item));
  }

  /** Sends it all; resolves at once unless the client is not reading (then once it caught up). */
  send(): Promise<void> {
    if (this.chunks.length === 0) return Promise.resolve();
    const data = Buffer.concat(this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c)));
    this.chunks = [];
    return this.conn.write(data);
  }
}

/** The maildrop lock a connection holds once logged in (RFC 1939 §4). */
interface HeldLock {
  release?: () => void;
}

/** The whole conversation with one client; releases the maildrop lock however it ends. */
async function converse(conn: Connection, context: ServerContext): Promise<void> {
  const lock: HeldLock = {};
  try {
    await talk(conn, new PendingOutput(conn), context, lock);
  } finally {
    lock.release?.();
  }
}

/** Greets, then reads commands and carries out what the session asks until QUIT, a hang-up, idleness or shutdown. */
async function talk(conn: Connection, out: PendingOutput, context: ServerContext, lock: HeldLock): Promise<void> {
  const { config, shutdown } = context;
  if (shutdown.aborted) {
    out.add(err(`${config.hostname} POP3 server shutting down`));
    return out.send();
  }
  out.add(greeting(config));
  // Commands may end in a bare LF too (people type them with nc). 255 octets with CRLF at most.
  const commandLine: ReadOptions = { lineEnding: 'any', maxLineBytes: LIMITS.COMMAND_LINE - 2, timeoutMs: context.idleTimeoutMs, signal: shutdown };
  let state: SessionState = initialState();
  for (;;) {
    let line: string | null | undefined;
    try {
      line = conn.tryReadLine(commandLine);
      if (line === undefined) {
        await out.send(); // nothing more to answer until the client sends more
        line = await conn.readLine(commandLine);
      }
    } catch (error) {
      if (error instanceof FramingError) {
        out.add(err(`line too long: at most ${LIMITS.COMMAND_LINE} octets with CRLF`));
        continue;
      }
      // Idle too long: RFC 1939 §3 says close without a word and WITHOUT entering UPDATE.
      if (error instanceof TimeoutError) return;
      if (shutdown.aborted) {
        out.add(err(`${config.hostname} POP3 server shutting down`));
        return out.send();
      }
      if (error instanceof ConnectionClosedError) return; // the client vanished: nothing deleted
      throw error;
    }
    if (line === null) return; // the client hung up without QUIT: nothing deleted
    const outcome = handleCommand(state, line, config);
    state = outcome.next;
    const step = outcome.then;
    switch (step.kind) {
      case 'read-command':
        out.add(...outcome.responses);
        break;
      case 'close':
        out.add(...outcome.responses);
        return out.send();
      case 'open-maildrop': {
        const opened = await openLocked(context.maildir, step.user, state);
        lock.release = opened.release;
        state = opened.outcome.next;
        out.add(...opened.outcome.responses);
        break;
      }
      case 'send-message': {
        let bytes: Buffer;
        try {
          bytes = await readMessage(step.message);
        } catch (error) {
          console.error(`wirelab pop3: cannot read ${step.message.path}:`, error);
          out.add(err(`message ${step.message.number} cannot be read`));
          break;
        }
        out.add(...outcome.responses, encodeMessage(bytes, step.bodyLines));
        break;
      }
      case 'update': {
        if (state.name !== 'update') throw new Error('an update step outside the UPDATE state');
        const failed = await deleteMessages(step.deleted);
        out.add(updateDone(state, failed, config));
        return out.send();
      }
    }
  }
}

/** Locks and opens a maildrop after a right PASS, and says how the session goes on. */
async function openLocked(maildir: string, user: string, state: SessionState): Promise<{ outcome: Outcome; release?: () => void }> {
  const mailbox = mailboxName(user);
  if (mailbox === undefined) return { outcome: maildropUnavailable('unreadable') }; // PASS refuses such names already
  const release = lockMaildrop(maildir, mailbox);
  if (release === undefined) return { outcome: maildropUnavailable('locked') };
  try {
    return { outcome: maildropOpened(state, await openMaildrop(maildir, user)), release };
  } catch (error) {
    release();
    console.error(`wirelab pop3: cannot open the maildrop of ${user}:`, error);
    return { outcome: maildropUnavailable('unreadable') };
  }
}
