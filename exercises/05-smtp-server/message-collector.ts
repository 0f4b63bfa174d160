/**
 * DATA mode (RFC 5321 §4.1.1.4, §4.5.2): after 354 the client sends the
 * message as lines ending in CRLF, and ends it with a line holding only a dot:
 *
 *   Subject: hi CRLF
 *   CRLF
 *   ..a line that began with a dot CRLF      (the client doubled the dot)
 *   . CRLF                                   (end of data: CRLF.CRLF)
 *
 * The lines come from a reader that splits on CRLF only, so a bare LF stays
 * inside a line and `LF.LF` can never end the message (SMTP smuggling).
 * The collector removes the doubled dot, counts the size, and stops storing
 * once the message is over the limit, while still reading to the end so the
 * conversation stays in step: a 50 MB message against a 1 MB limit costs
 * 1 MB of memory, not 50.
 */
import { END_OF_DATA_LINE } from './smtp-constants.ts';

/** What happened to a message once its end-of-data line arrived. */
export type MessageVerdict =
  /** Complete and within the limits: store it. */
  | 'complete'
  /** Bigger than the limit: answer 552. */
  | 'too-big'
  /** A line was longer than the text-line limit and could not be kept: answer 500. */
  | 'line-too-long';

const CRLF = Buffer.from('\r\n');
const DOT = END_OF_DATA_LINE.charCodeAt(0);

/** Collects the lines of one message, unstuffed, up to a size limit. */
export class MessageCollector {
  // TODO: the stored parts, the octets counted, whether an overlong line was seen

  constructor(
    /** Largest message kept, in octets (line ends counted as CRLF). */
    readonly maxBytes: number,
  ) {}

  /**
   * Takes one line without its CRLF. Returns `'end'` for the end-of-data
   * line (a lone dot), `'more'` otherwise.
   */
  push(line: Buffer): 'more' | 'end' {
    // TODO: a line that is just "." ends the data: return "end"
    // TODO: a line starting with "." lost its doubled dot: drop the first byte
    // TODO: count the line plus CRLF in the size; keep it (and a CRLF) only while the verdict is still "complete"
    throw new Error('TODO(05-smtp-server): MessageCollector.push');
  }

  /** Notes that a line over the text-line limit was skipped: the message can no longer be kept whole. */
  skipOverlongLine(): void {
    // TODO: remember it, and drop what was stored
    throw new Error('TODO(05-smtp-server): MessageCollector.skipOverlongLine');
  }

  /** Octets of message seen so far, whether stored or not. */
  get size(): number {
    // TODO: octets seen so far
    throw new Error('TODO(05-smtp-server): MessageCollector.size');
  }

  /** Whether the message can be delivered, and if not why. */
  get verdict(): MessageVerdict {
    // TODO: "line-too-long" beats "too-big" beats "complete"
    throw new Error('TODO(05-smtp-server): MessageCollector.verdict');
  }

  /** The message as it goes into the mailbox: every line with its CRLF, dots unstuffed. */
  message(): readonly Buffer[] {
    // TODO: the stored parts; throw if the verdict is not "complete"
    throw new Error('TODO(05-smtp-server): MessageCollector.message');
  }
}
