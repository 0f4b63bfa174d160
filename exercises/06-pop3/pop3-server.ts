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
// What you will need: listenTcp and the errors a read can throw (FramingError, TimeoutError,
// ConnectionClosedError) from 'wirelab', os.hostname(), and the modules of this folder:
// pop3-constants.ts, multiline.ts, session.ts, maildrop.ts.
import type { Transcript } from 'wirelab';

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

/** Starts a POP3 server reading the Maildirs under `options.maildir`. */
export async function startPop3Server(options: Pop3ServerOptions): Promise<Pop3Server> {
  // TODO: sessionConfig(hostname ?? os.hostname(), users); idleTimeoutMs default DEFAULT_IDLE_TIMEOUT_MS
  // TODO: an AbortController whose signal close() aborts, so waiting reads give up
  // TODO: listenTcp(conn => converse(conn, …), { host, port, transcript }) and return { host, port, close }
  //
  // converse(conn) is the whole conversation with one client:
  // TODO: write greeting(config), then loop: readLine({ lineEnding: 'any', maxLineBytes: LIMITS.COMMAND_LINE - 2,
  //       timeoutMs: idleTimeoutMs, signal }); null → the client left (delete NOTHING)
  //       FramingError → -ERR line too long and read on; TimeoutError → just return (no UPDATE: nothing deleted);
  //       shutdown → -ERR shutting down and return
  // TODO: handleCommand, then by outcome.then.kind:
  //       'read-command' → send the responses; 'close' → send them and return
  //       'open-maildrop' → lockMaildrop (taken → maildropUnavailable('locked')), openMaildrop, maildropOpened
  //       'send-message' → readMessage; the +OK response, then encodeMessage(bytes, bodyLines); -ERR if unreadable
  //       'update' → deleteMessages(deleted), send updateDone(…), return
  // TODO: however the conversation ends, release the maildrop lock (try/finally)
  throw new Error('TODO(06-pop3): startPop3Server');
}
