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
  private readonly parts: Buffer[] = [];
  private bytes = 0;
  private overlong = false;

  constructor(
    /** Largest message kept, in octets (line ends counted as CRLF). */
    readonly maxBytes: number,
  ) {}

  /**
   * Takes one line without its CRLF. Returns `'end'` for the end-of-data
   * line (a lone dot), `'more'` otherwise.
   */
  push(line: Buffer): 'more' | 'end' {
    if (line.length > 0 && line[0] === DOT) {
      if (line.length === 1) return 'end';
      line = line.subarray(1); // the client doubled a leading dot; undo it
    }
    this.bytes += line.length + CRLF.length;
    if (this.verdict === 'complete') this.parts.push(line, CRLF);
    else this.parts.length = 0; // over a limit: keep reading to the end, but store nothing
    return 'more';
  }

  /** Notes that a line over the text-line limit was skipped: the message can no longer be kept whole. */
  skipOverlongLine(): void {
    this.overlong = true;
    this.parts.length = 0;
  }

  /** Octets of message seen so far, whether stored or not. */
  get size(): number {
    return this.bytes;
  }

  /** Whether the message can be delivered, and if not why. */
  get verdict(): MessageVerdict {
    if (this.overlong) return 'line-too-long';
    return this.bytes > this.maxBytes ? 'too-big' : 'complete';
  }

  /** The message as it goes into the mailbox: every line with its CRLF, dots unstuffed. */
  message(): readonly Buffer[] {
    if (this.verdict !== 'complete') throw new Error(`no message to store: ${this.verdict}`);
    return this.parts;
  }
}
