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
// What you will need: listenTcp and the errors a read can throw (FramingError, TimeoutError,
// ConnectionClosedError) from 'wirelab', os.hostname(), and the modules of this folder:
// smtp-constants.ts, session.ts, message-collector.ts, recipients.ts, received-header.ts, maildir.ts
// (and auth.ts in exercise 07).
import type { Transcript } from 'wirelab';

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

/** Starts an SMTP server that delivers into Maildirs under `options.maildir`. */
export async function startSmtpServer(options: SmtpServerOptions): Promise<SmtpServer> {
  // TODO: build the SessionConfig (sessionConfig + makeRecipientPolicy, domains default ['localhost'])
  // TODO: an AbortController whose signal close() aborts, so waiting reads give up and clients get 421
  // TODO: listenTcp(conn => converse(conn, …), { host, port }) and return { host, port, close }
  //
  // converse(conn) is the whole conversation with one client:
  // TODO: write the 220 greeting, then loop: readLine({ lineEnding: 'any', maxLineBytes: 510, timeoutMs, signal })
  //       null → the client left; FramingError → 500 and go on; TimeoutError or shutdown → 421 and stop
  // TODO: handleCommand, write the replies; 'close' → return; 'read-data' → read the message:
  //       readLineBytes({ lineEnding: 'crlf', maxLineBytes: 998 }) into a MessageCollector until 'end'
  //       (CRLF only: a bare LF must never end the data); the client vanishing → store nothing, return
  // TODO: verdict too-big → 552, line-too-long → 500; complete → receivedHeader + deliverToMaildirs
  //       (or options.deliver when given), THEN 250 (451 if storing failed); endOfData(state)
  //       The message carries id, from ('' for <>), mailboxes, remote ([] in exercise 05) and parts.
  //
  // Exercise 07 (leave it until then):
  // TODO: sessionConfig(…, { offersAuth: options.authenticate !== undefined }); per connection, bind mayRelay:
  //       config.mayRelay = (user) => options.mayRelay({ user, clientAddress: conn.remoteAddress })
  // TODO: when awaitsSaslResponse(state), read the next line (up to LIMITS.SASL_RESPONSE_LINE) and call
  //       handleSaslResponse instead of handleCommand; a too-long one → cancelAuth
  // TODO: outcome 'check-credentials' → await options.authenticate(user, password) ('unavailable' if it throws;
  //       never log the password) and continue with credentialsChecked(state, verdict, config)
  // TODO: mayRelay without deliver is a mistake: throw; the 250 after DATA says what was queued for relay
  throw new Error('TODO(05-smtp-server): startSmtpServer');
}
