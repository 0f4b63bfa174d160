/**
 * The trace line every server adds on top of a message it accepts
 * (RFC 5321 §4.4), so the reader can follow the mail's way:
 *
 *   Received: from client.test (localhost [127.0.0.1])
 *   	by mail.test (wirelab) with ESMTP id 1732563922.3;
 *   	Wed, 25 Nov 2026 19:45:22 +0000
 *
 * Long header lines are folded: CRLF followed by a tab continues the line.
 */

/** The facts a Received: line states. */
export interface ReceivedInfo {
  /** The name the client gave in EHLO/HELO. */
  readonly clientName: string;
  /** The client's IP address as the socket saw it. */
  readonly clientAddress: string;
  /** Our host name. */
  readonly hostname: string;
  /** True after EHLO (`with ESMTP`), false after HELO (`with SMTP`). */
  readonly extended: boolean;
  /** Our id of this message, also in the 250 reply. */
  readonly id: string;
  readonly date: Date;
}

/** Keeps only characters that are safe inside a header (a client name can be anything). */
function clean(text: string): string {
  return text.replace(/[^A-Za-z0-9.:_\-[\]]/g, '?').slice(0, 100);
}

/** Formats a date as RFC 5322 wants it: `Wed, 25 Nov 2026 19:45:22 +0000`. */
export function formatMailDate(date: Date): string {
  // TODO: Date.toUTCString() is almost right: only "GMT" must become "+0000"
  throw new Error('TODO(05-smtp-server): formatMailDate');
}

/** Builds the Received: header, folded, ending in CRLF. */
export function receivedHeader(info: ReceivedInfo): string {
  // TODO: "Received: from <client name> ([<address>])", folded lines "by <us> (wirelab) with ESMTP|SMTP id <id>;" and the date
  // TODO: pass everything the client chose through clean(); every line ends in CRLF, continuation lines start with a tab
  throw new Error('TODO(05-smtp-server): receivedHeader');
}
