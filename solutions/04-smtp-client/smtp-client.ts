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
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const conn = await connectTcp({
      host: options.host,
      port: options.port,
      timeoutMs,
      ...(options.transcript ? { transcript: options.transcript, role: 'client' as const } : {}),
    });
    const client = new SmtpClient(conn, options.clientName ?? 'localhost', timeoutMs);
    try {
      await client.hello();
    } catch (error) {
      client.abort();
      throw error;
    }
    return client;
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
      if (this.current === 'closed') return;
      this.moveTo('quit');
      try {
        await this.command('QUIT', QUIT_COMMAND);
        await this.conn.end({ timeoutMs: this.timeoutMs });
      } finally {
        this.abort();
      }
    });
  }

  /** Drops the connection at once, without QUIT (for errors and tests). */
  abort(): void {
    this.current = 'closed';
    this.conn.destroy();
  }

  /** The start of the session: greeting, then EHLO, or HELO when EHLO got a 5xx. */
  private async hello(): Promise<void> {
    await this.command('greeting', undefined);
    this.moveTo('hello');
    const ehlo = await this.request('EHLO', ehloCommand(this.clientName));
    if (replyClass(ehlo.code) === 5) {
      // An old server that does not know EHLO: greet the old way, with no extensions.
      await this.command('HELO', heloCommand(this.clientName));
    } else {
      this.check('EHLO', ehlo);
      this.ehloInfo = parseEhloReply(ehlo);
    }
    this.moveTo('ready');
  }

  /** One message: MAIL, RCPT each, DATA, the data; RSET (via recover) when it fails. */
  private async transaction(mail: OutgoingMail): Promise<SendResult> {
    if (this.current !== 'ready') throw new ConnectionClosedError(`starting a transaction (the SMTP session is ${this.current})`);
    if (mail.to.length === 0) throw new RangeError('send() needs at least one recipient');
    // Check everything we can before the first byte, so a bad address never leaves a half-open transaction.
    checkAddress(mail.from);
    for (const to of mail.to) rcptCommand(to);
    const content = normaliseLineEnds(mail.message);
    const limit = sizeLimit(this.ehloInfo);
    if (limit !== undefined && limit > 0 && content.length > limit) throw new MessageTooLargeError(content.length, limit);
    const params: MailParams = {};
    if (limit !== undefined) params.size = content.length;
    if (offers(this.ehloInfo, EXTENSION.EIGHT_BIT_MIME) && hasEightBitBytes(content)) params.eightBitMime = true;

    try {
      this.moveTo('mail');
      await this.command('MAIL', mailCommand(mail.from, params));
      this.moveTo('rcpt');
      const accepted: string[] = [];
      const rejected: RejectedRecipient[] = [];
      for (const to of mail.to) {
        const reply = await this.request('RCPT', rcptCommand(to));
        if (replyClass(reply.code) === 2) accepted.push(to);
        else if (this.refusal('RCPT', reply)) {
          rejected.push({ recipient: to, code: reply.code, text: replyText(reply), temporary: replyClass(reply.code) === 4 });
        } else this.check('RCPT', reply); // neither yes nor no (a 3xx): throws ProtocolError
      }
      if (accepted.length === 0) throw new RecipientsRefusedError(rejected);
      this.moveTo('data');
      await this.command('DATA', DATA_COMMAND);
      const reply = await this.command('end of data', Buffer.concat([dotStuff(content), END_OF_DATA]));
      this.moveTo('ready');
      return { accepted, rejected, reply };
    } catch (error) {
      await this.recover(error);
      throw error;
    }
  }

  /**
   * After a failed transaction: when the server refused something but the
   * dialogue is intact, RSET so the next message starts clean; otherwise the
   * session cannot be trusted and is closed.
   */
  private async recover(error: unknown): Promise<void> {
    if (this.current === 'closed') return;
    if (!(error instanceof SmtpReplyError)) {
      this.abort();
      return;
    }
    try {
      this.moveTo('reset');
      await this.command('RSET', RSET_COMMAND);
      this.moveTo('ready');
    } catch {
      this.abort(); // the original error is the one worth reporting
    }
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
    if (replyClass(reply.code) === EXPECTED_CLASS[step]) return reply;
    if (this.refusal(step, reply)) throw new SmtpReplyError(reply.code, replyText(reply), step);
    this.abort();
    throw new ProtocolError(`expected a ${EXPECTED_CLASS[step]}xx reply to ${step}, got ${reply.code} ${replyText(reply)}`, 'smtp', `${reply.code}`);
  }

  /**
   * True for a 4xx/5xx reply. A 421 means the server is closing the
   * connection, so the session ends here (and it is thrown at once, even for RCPT).
   */
  private refusal(step: SmtpStep, reply: SmtpReply): boolean {
    const kind = replyClass(reply.code);
    if (kind !== 4 && kind !== 5) return false;
    if (reply.code === SERVICE_NOT_AVAILABLE) {
      this.abort();
      throw new SmtpReplyError(reply.code, replyText(reply), step);
    }
    return true;
  }

  /** Writes a command (if any) and reads one whole reply, every wait bounded. */
  private async request(step: SmtpStep, command: string | Buffer | undefined): Promise<SmtpReply> {
    try {
      // A server that stops reading must not hang us either: writes are bounded too.
      if (command !== undefined) await this.conn.write(command, { timeoutMs: this.timeoutMs });
      return await this.readReply(step);
    } catch (error) {
      this.abort(); // a late or garbled reply would be taken as the answer to the next command
      throw error;
    }
  }

  /** Reads reply lines until the last one; the deadline covers the whole reply. */
  private async readReply(step: SmtpStep): Promise<SmtpReply> {
    const waitingFor = step === 'greeting' ? 'the greeting' : `the reply to ${step}`;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(waitingFor, this.timeoutMs);
      let line: string | null;
      try {
        line = await this.conn.readLine({ timeoutMs: left });
      } catch (error) {
        if (error instanceof TimeoutError) throw new TimeoutError(waitingFor, this.timeoutMs);
        throw error;
      }
      if (line === null) throw new ConnectionClosedError(`waiting for ${waitingFor}`);
      const reply = this.assembler.push(line);
      if (reply) return reply;
    }
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
