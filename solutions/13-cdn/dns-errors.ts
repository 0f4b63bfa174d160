/**
 * The one error the DNS parsers throw. Given complete: the same file in
 * exercises/ and solutions/.
 */

/** What was wrong with a message, by kind. */
export type DnsFormatErrorKind =
  /** The message ends before a field it announces (a count, a length, a label). */
  | 'truncated'
  /** A length byte whose top bits are 01 or 10 (reserved label types: RFC 6891 §5 retired them). */
  | 'bad-label-type'
  /** A compression pointer that points at itself, forward, into the header, or around in a loop. */
  | 'bad-pointer'
  /** A name longer than 255 bytes on the wire. */
  | 'name-too-long'
  /** A malformed OPT record: a name other than the root, or a second OPT (RFC 6891 §6.1.1). */
  | 'bad-opt'
  /** A malformed Client Subnet option: unknown family, prefix too long, wrong address length, bits past the prefix (RFC 7871 §6). */
  | 'bad-ecs';

/**
 * Thrown by every parser of this exercise for bytes that are not a valid DNS
 * message, and by nothing else: a bounds check that fails, a bad name, a bad
 * OPT record. The answer function turns it into FORMERR (or silence).
 */
export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
  constructor(
    /** What kind of problem it is. */
    readonly kind: DnsFormatErrorKind,
    /** Byte offset in the message where the problem was found. */
    readonly offset: number,
    /** What was expected, and what came instead. */
    readonly detail: string,
  ) {
    super(`${kind} at offset ${offset}: ${detail}`);
  }
}

/** The kinds that concern the OPT record itself: RFC 6891 §7 wants an OPT record in the FORMERR response then. */
export const OPT_ERROR_KINDS: ReadonlySet<DnsFormatErrorKind> = new Set(['bad-opt', 'bad-ecs']);
