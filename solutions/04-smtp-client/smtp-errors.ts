/**
 * The ways an SMTP delivery can fail, one class per kind, each with typed
 * fields so a caller (a mail queue, the CLI, a graded test) can decide what to
 * do without parsing messages:
 *
 * - {@link SmtpReplyError}: the server refused a step with a 4xx (try again
 *   later) or 5xx (give up) reply.
 * - {@link RecipientsRefusedError}: every recipient was refused, so no DATA was sent.
 * - {@link MessageTooLargeError}: the message is bigger than the server's SIZE limit.
 * - {@link InvalidAddressError}: an address that cannot be put on the wire.
 *
 * Timeouts, a vanished server and a garbled reply are the library's
 * `TimeoutError`, `ConnectionClosedError` and `ProtocolError`.
 *
 * This file is given complete: your client throws these at the right moments.
 */
import { WirelabError } from 'wirelab';

/** The step of the session a reply answered; kept on errors and shown in messages. */
export type SmtpStep = 'greeting' | 'EHLO' | 'HELO' | 'MAIL' | 'RCPT' | 'DATA' | 'end of data' | 'RSET' | 'QUIT';

/** True for a 4xx code: the server may accept the same thing later (RFC 5321 §4.2.1). */
export function isTemporaryCode(code: number): boolean {
  return code >= 400 && code < 500;
}

/** The server answered a step with a 4xx (temporary) or 5xx (permanent) reply. */
export class SmtpReplyError extends WirelabError {
  override name = 'SmtpReplyError';
  constructor(
    /** The three-digit reply code, e.g. 550. */
    readonly code: number,
    /** The reply text, lines joined with `\n`. */
    readonly text: string,
    /** What was refused. */
    readonly command: SmtpStep,
    /** True when trying again later may work (a 4xx reply); false for 5xx. */
    readonly temporary: boolean = isTemporaryCode(code),
  ) {
    super(`the server refused ${command}: ${code} ${text}`);
  }
}

/** One recipient the server would not take, with its reason. */
export interface RejectedRecipient {
  /** The address as given to `send`. */
  readonly recipient: string;
  /** The RCPT reply code, e.g. 550 or 450. */
  readonly code: number;
  /** The RCPT reply text. */
  readonly text: string;
  /** True for a 4xx reply: this recipient may be accepted later. */
  readonly temporary: boolean;
}

/**
 * Every RCPT TO was refused, so the client sent RSET instead of DATA.
 * `code` and `text` are those of the first refusal; `temporary` is true only
 * when every refusal was temporary (then retrying the whole message makes sense).
 */
export class RecipientsRefusedError extends SmtpReplyError {
  override name = 'RecipientsRefusedError';
  constructor(
    /** Each recipient with the reply that refused it, in the order they were sent. */
    readonly rejected: readonly RejectedRecipient[],
  ) {
    const first = rejected[0];
    super(first?.code ?? 554, first?.text ?? 'no recipients', 'RCPT', rejected.every((r) => r.temporary));
    this.message = `the server refused every recipient: ${rejected.map((r) => `${r.recipient} (${r.code} ${r.text})`).join(', ')}`;
  }
}

/** The message is larger than the limit the server advertised with SIZE (RFC 1870), so it was not sent. */
export class MessageTooLargeError extends WirelabError {
  override name = 'MessageTooLargeError';
  constructor(
    /** The message size in octets, with CRLF line ends. */
    readonly size: number,
    /** The server's limit in octets. */
    readonly limit: number,
  ) {
    super(`the message is ${size} octets but the server accepts at most ${limit}`);
  }
}

/** An address that cannot be sent in MAIL FROM or RCPT TO (it holds a line break, `<`, `>`, a space, or is too long). */
export class InvalidAddressError extends WirelabError {
  override name = 'InvalidAddressError';
  constructor(
    /** The address as given. */
    readonly address: string,
    /** Why it was refused, e.g. "contains a line break". */
    readonly reason: string,
  ) {
    super(`cannot send to or from ${JSON.stringify(address)}: it ${reason}`);
  }
}
