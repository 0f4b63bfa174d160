/**
 * An SMTP client (RFC 5321) over one persistent TCP connection:
 *
 *   const client = await SmtpClient.connect({ host: '127.0.0.1', port: 2525, clientName: 'me.test' });
 *   const result = await client.send({ from: 'alice@a.test', to: ['bob@b.test'], message });
 *   result.accepted; result.rejected;     // who will get it, who was refused and why
 *   await client.quit();
 *
 * The session, one command and one reply at a time:
 *
 *   S: 220 greeting         C: EHLO name (HELO name if EHLO gets a 5xx)   S: 250
 *   C: MAIL FROM:<a> SIZE=n S: 250     C: RCPT TO:<b> (one per recipient) S: 250 | 4xx | 5xx
 *   C: DATA                 S: 354     C: message, then .              S: 250
 *   … more transactions (RSET first when one failed) …     C: QUIT    S: 221
 *
 * Every wait is bounded by `timeoutMs`. A 4xx or 5xx reply becomes an
 * SmtpReplyError; a timeout, a closed connection or a garbled reply leaves the
 * session unusable (state `closed`), because we can no longer tell which reply
 * belongs to which command.
 */
import { connectTcp, ConnectionClosedError, ProtocolError, TimeoutError } from 'wirelab';
import type { Connection, Transcript } from 'wirelab';
import { DATA_COMMAND, QUIT_COMMAND, RSET_COMMAND, checkAddress, ehloCommand, heloCommand, mailCommand, rcptCommand } from './commands.ts';
import type { MailParams } from './commands.ts';
import { EXTENSION, offers, parseEhloReply, sizeLimit } from './extensions.ts';
import type { EhloInfo } from './extensions.ts';
import { END_OF_DATA, dotStuff, hasEightBitBytes, normaliseLineEnds } from './message-data.ts';
import { ReplyAssembler, replyClass, replyText } from './smtp-reply.ts';
import type { SmtpReply } from './smtp-reply.ts';
import { MessageTooLargeError, RecipientsRefusedError, SmtpReplyError } from './smtp-errors.ts';
import type { RejectedRecipient, SmtpStep } from './smtp-errors.ts';
import { EXPECTED_CLASS, SERVICE_NOT_AVAILABLE, nextState } from './session-state.ts';
import type { SmtpClientState } from './session-state.ts';

export type { SmtpClientState } from './session-state.ts';

/** How to reach the server and how long to wait. */
export interface SmtpClientOptions {
  /** The server's address, e.g. `127.0.0.1`. */
  host: string;
  /** The server's port (25 on the Internet; anything on loopback). */
  port: number;
  /**
   * The name we give in EHLO/HELO: our host name, or an address literal such as `[127.0.0.1]`.
   * @default 'localhost'
   */
  clientName?: string;
  /**
   * The limit on connecting, on every reply and on every write, in milliseconds.
   * @default 10000
   */
  timeoutMs?: number;
  /** Records every byte of the session (the client's lines as `C:`). */
  transcript?: Transcript;
}

/** One message and its envelope. */
export interface OutgoingMail {
  /** The envelope sender (MAIL FROM); `''` is the null sender `<>` of bounces. */
  from: string;
  /** The envelope recipients (one RCPT TO each); at least one. */
  to: readonly string[];
  /** The message, headers and body; any line ends (CRLF, LF, CR). Strings are sent as UTF-8. */
  message: Buffer | string;
}

/** What happened to a message the server accepted. */
export interface SendResult {
  /** The recipients the server accepted, in the order given. */
  accepted: string[];
  /** The recipients it refused, with the reply that refused each. */
  rejected: RejectedRecipient[];
  /** The server's reply to the end of the data (250 …): often holds a queue id. */
  reply: SmtpReply;
}

/** Default limit on every wait, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** An SMTP session with one server; several messages may be sent over it. */
export class SmtpClient {
  private current: SmtpClientState = 'greeting';
  private readonly assembler = new ReplyAssembler();
  /** Serialises send/quit calls: one transaction on the wire at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private ehloInfo: EhloInfo | undefined;

  private constructor(
    private readonly conn: Connection,
    private readonly clientName: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Connects, reads the greeting and says EHLO (HELO when EHLO is refused with a 5xx).
   * @throws SmtpReplyError when the server refuses the session, TimeoutError, ConnectionClosedError, ProtocolError.
   */
  static async connect(options: SmtpClientOptions): Promise<SmtpClient> {
    // TODO: connectTcp({ host, port, timeoutMs, transcript, role: 'client' }) (timeoutMs defaults to DEFAULT_TIMEOUT_MS)
    // TODO: new SmtpClient(conn, clientName ?? 'localhost', timeoutMs), then hello(); if hello fails, abort() and rethrow.
    throw new Error(`TODO(04-smtp-client): SmtpClient.connect to ${options.host}:${options.port}`);
  }

  /** Where the session is now. */
  get state(): SmtpClientState {
    return this.current;
  }

  /** What the server advertised in its EHLO reply; `undefined` after a HELO fallback. */
  get ehlo(): EhloInfo | undefined {
    return this.ehloInfo;
  }

  /**
   * Sends one message: MAIL FROM, one RCPT TO per recipient, DATA, the message.
   * Refused recipients are reported in the result and the rest still get the
   * message. When the transaction fails the client sends RSET before throwing,
   * so the same client can send the next message.
   * @throws RecipientsRefusedError when every recipient was refused (no DATA was sent).
   * @throws SmtpReplyError when MAIL, DATA or the end of data is refused.
   * @throws MessageTooLargeError when the message exceeds the server's SIZE (nothing was sent).
   * @throws InvalidAddressError, TimeoutError, ConnectionClosedError, ProtocolError.
   */
  send(mail: OutgoingMail): Promise<SendResult> {
    return this.serialise(() => this.transaction(mail));
  }

  /** Says QUIT, waits for the 221 and closes the connection; does nothing when already closed. */
  quit(): Promise<void> {
    return this.serialise(async () => {
      // TODO: nothing to do when closed; else move to 'quit', QUIT (expect 2xx), end the connection
      // TODO: (bounded by timeoutMs), and abort() in any case so the state ends 'closed'.
      throw new Error('TODO(04-smtp-client): SmtpClient.quit');
    });
  }

  /** Drops the connection at once, without QUIT (for errors and tests). */
  abort(): void {
    this.current = 'closed';
    this.conn.destroy();
  }

  /** The start of the session: greeting, then EHLO, or HELO when EHLO got a 5xx. */
  private async hello(): Promise<void> {
    // TODO: read the greeting (command('greeting', undefined)), move to 'hello', send EHLO.
    // TODO: a 5xx to EHLO: send HELO instead (no extensions then); otherwise check the EHLO reply and parse it.
    // TODO: move to 'ready'.
    throw new Error(`TODO(04-smtp-client): hello as ${this.clientName}`);
  }

  /** One message: MAIL, RCPT each, DATA, the data; RSET (via recover) when it fails. */
  private async transaction(mail: OutgoingMail): Promise<SendResult> {
    // TODO: only from 'ready' (else ConnectionClosedError); at least one recipient; check every address before sending anything.
    // TODO: normalise the message; refuse it (MessageTooLargeError) if the server's SIZE limit is smaller.
    // TODO: MAIL FROM with SIZE= when SIZE is offered (BODY=8BITMIME when offered and the message has 8-bit bytes).
    // TODO: one RCPT TO per recipient: 2xx → accepted, 4xx/5xx → rejected (with code, text, temporary).
    // TODO: nobody accepted → RecipientsRefusedError. Else DATA (expect 354), the dot-stuffed data, expect 250.
    // TODO: on any error: await this.recover(error), then rethrow it.
    throw new Error(`TODO(04-smtp-client): send from ${mail.from} to ${mail.to.join(', ')}`);
  }

  /**
   * After a failed transaction: when the server refused something but the
   * dialogue is intact, RSET so the next message starts clean; otherwise the
   * session cannot be trusted and is closed.
   */
  private async recover(error: unknown): Promise<void> {
    // TODO: closed already → nothing. Not an SmtpReplyError → abort(). Else RSET (state 'reset', then 'ready');
    // TODO: if the RSET fails too, abort() (the original error is the one to report).
    throw new Error(`TODO(04-smtp-client): recover from ${String(error)}`);
  }

  /** Sends a command (or nothing, for the greeting) and returns its reply, which must be positive. */
  private async command(step: SmtpStep, command: string | Buffer | undefined): Promise<SmtpReply> {
    return this.check(step, await this.request(step, command));
  }

  /**
   * Throws unless the reply is of the class the step waits for: a 4xx/5xx
   * becomes an SmtpReplyError, anything else a ProtocolError.
   */
  private check(step: SmtpStep, reply: SmtpReply): SmtpReply {
    // TODO: EXPECTED_CLASS[step] → return the reply. refusal() → SmtpReplyError. Else abort() and ProtocolError.
    throw new Error(`TODO(04-smtp-client): check the reply ${reply.code} to ${step}`);
  }

  /**
   * True for a 4xx/5xx reply. A 421 means the server is closing the
   * connection, so the session ends here (and it is thrown at once, even for RCPT).
   */
  private refusal(step: SmtpStep, reply: SmtpReply): boolean {
    // TODO: 421 (SERVICE_NOT_AVAILABLE): abort() and throw an SmtpReplyError.
    throw new Error(`TODO(04-smtp-client): is ${reply.code} to ${step} a refusal?`);
  }

  /** Writes a command (if any) and reads one whole reply, every wait bounded. */
  private async request(step: SmtpStep, command: string | Buffer | undefined): Promise<SmtpReply> {
    // TODO: write with { timeoutMs } (a server that stops reading must not hang us), then readReply.
    // TODO: on any failure abort(): a late reply would be taken as the answer to the next command.
    throw new Error(`TODO(04-smtp-client): send ${String(command)} and read the reply to ${step}`);
  }

  /** Reads reply lines until the last one; the deadline covers the whole reply. */
  private async readReply(step: SmtpStep): Promise<SmtpReply> {
    // TODO: conn.readLine({ timeoutMs: time left }) until the assembler returns a reply.
    // TODO: null (the server closed) → ConnectionClosedError; out of time → TimeoutError.
    throw new Error(`TODO(04-smtp-client): read the reply to ${step} within ${this.timeoutMs} ms`);
  }

  private moveTo(next: SmtpClientState): void {
    this.current = nextState(this.current, next);
  }

  /** Runs one operation after the previous one finished, whatever its outcome. */
  private serialise<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
