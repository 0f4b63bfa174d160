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
  if (text.length <= MAX_NAME && SAFE_NAME.test(text)) return text; // the usual case, nothing to replace
  return text.replace(UNSAFE_CHARACTER, '?').slice(0, MAX_NAME);
}
const MAX_NAME = 100;
const SAFE_NAME = /^[A-Za-z0-9.:_\-[\]]*$/;
const UNSAFE_CHARACTER = /[^A-Za-z0-9.:_\-[\]]/g;

// A client sending many messages over one connection names itself the same
// way in each: the cleaned `from … by …` text of the last header is reused.
let lastNames = { clientName: '', clientAddress: '', hostname: '', cleaned: { client: '', address: '', host: '' } };

/** The three names of a Received: line, cleaned (computed once per distinct client and host). */
function cleanNames(info: ReceivedInfo): { client: string; address: string; host: string } {
  const { clientName, clientAddress, hostname } = info;
  if (clientName !== lastNames.clientName || clientAddress !== lastNames.clientAddress || hostname !== lastNames.hostname) {
    lastNames = { clientName, clientAddress, hostname, cleaned: { client: clean(clientName), address: clean(clientAddress), host: clean(hostname) } };
  }
  return lastNames.cleaned;
}

// The date has a resolution of one second while a busy server accepts
// thousands of messages a second: format each second once.
let formattedSecond = NaN;
let formattedDate = '';

/** Formats a date as RFC 5322 wants it: `Wed, 25 Nov 2026 19:45:22 +0000`. */
export function formatMailDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== formattedSecond) {
    formattedDate = date.toUTCString().replace(/GMT$/, '+0000');
    formattedSecond = second;
  }
  return formattedDate;
}

/** Builds the Received: header, folded, ending in CRLF. */
export function receivedHeader(info: ReceivedInfo): string {
  const protocol = info.extended ? 'ESMTP' : 'SMTP';
  const { client, address, host } = cleanNames(info);
  return (
    `Received: from ${client} ([${address}])\r\n` +
    `\tby ${host} (wirelab) with ${protocol} id ${clean(info.id)};\r\n` +
    `\t${formatMailDate(info.date)}\r\n`
  );
}
