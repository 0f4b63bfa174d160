/**
 * The bounce: the message that tells a sender their mail could not be
 * delivered (RFC 5321 §4.5.5, §6.1; a simple cousin of RFC 3464 delivery
 * status notifications). It is itself mail, sent with the null reverse-path
 * `MAIL FROM:<>`, so if it cannot be delivered either, nobody answers it: a
 * bounce is never bounced, or two broken servers would bounce forever.
 *
 *   From: MAILER-DAEMON@<our host name>
 *   To: <the original sender>
 *   Subject: Undelivered Mail Returned to Sender
 *   Date: … / Message-ID: <…@host> / Auto-Submitted: auto-replied (RFC 3834: no vacation replies to it)
 *
 *   This is the mail system at <host>. …
 *   <bob@b.test>: 550 5.1.1 no such user here: bob@b.test
 *   --- the headers of the original message ---
 *   Received: … / From: … / Subject: …
 *
 * Every line ends with CRLF. Pure: the caller sends or stores the result.
 */
import { randomBytes } from 'node:crypto';

/** The Subject of every bounce. */
export const BOUNCE_SUBJECT = 'Undelivered Mail Returned to Sender';
/** The local part of the bounce's From: address. */
export const MAILER_DAEMON = 'MAILER-DAEMON';
/** Longest reply text quoted per recipient, so a bounce line stays far below SMTP's 1000-octet limit. */
const MAX_REPLY_CHARS = 500;
const CRLF = '\r\n';

/** One recipient the message did not reach, and why. */
export interface FailedRecipient {
  readonly recipient: string;
  /** The last reply or error, e.g. `550 5.1.1 no such user here` or `connection refused by 127.0.0.1:2526`. */
  readonly reason: string;
}

/** Everything a bounce says. */
export interface BounceInput {
  /** Our host name: the bounce comes from MAILER-DAEMON@<hostname>. */
  readonly hostname: string;
  /** The original envelope sender, who gets the bounce; never `''`. */
  readonly sender: string;
  /** The recipients it failed for, each with the reason. */
  readonly failed: readonly FailedRecipient[];
  /** The original message (its header section is quoted at the end). */
  readonly original: Uint8Array;
  /** @default new Date() */
  readonly date?: Date;
}

/** True when a failure of a message from `sender` may be bounced: never for a bounce (`''`). */
export function mayBounce(sender: string): boolean {
  // TODO: a bounce has the null sender '': it is never bounced
  throw new Error('TODO(07-mail-relay): mayBounce');
}

/**
 * The header section of a message: the bytes up to the first empty line (the
 * whole message if it has none), with CRLF line ends, without the empty line.
 */
export function headerSection(message: Uint8Array): string {
  // TODO: decode as latin1 (one byte, one character: nothing is lost or changed)
  // TODO: cut at the first empty line (CRLF CRLF; accept bare LF too), or keep everything if there is none
  // TODO: split into lines and join them with CRLF, no line end after the last one
  throw new Error('TODO(07-mail-relay): headerSection');
}

/** Formats a date as RFC 5322 wants it: `Wed, 25 Nov 2026 19:45:22 +0000`. */
function mailDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** Keeps a reason on one line and of modest length (replies may be multi-line). */
function oneLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
  return flat.length > MAX_REPLY_CHARS ? `${flat.slice(0, MAX_REPLY_CHARS)}…` : flat;
}

/** Builds the bounce message for `input.sender`, CRLF line ends throughout. */
export function bounceMessage(input: BounceInput): Buffer {
  // TODO: refuse (RangeError) a bounce to the null sender: a bounce is never bounced
  // TODO: a Message-ID that is unique: <time.random@hostname>
  // TODO: headers: From: MAILER-DAEMON@hostname, To: the sender, Subject: BOUNCE_SUBJECT, Date: (mailDate),
  //       Message-ID:, Auto-Submitted: auto-replied (and MIME-Version / Content-Type text/plain; charset=utf-8)
  // TODO: an empty line, then the body: who we are, one `<recipient>: reason` line per failed recipient (oneLine(reason)),
  //       then the original's headerSection()
  // TODO: every line ends with CRLF; the text parts as UTF-8, the original's headers as latin1 (its bytes unchanged)
  throw new Error('TODO(07-mail-relay): bounceMessage');
}
