/**
 * Parsing of command lines (RFC 5321 §4.1.1): a verb, case-insensitive, then
 * its arguments. MAIL and RCPT carry a path and optional ESMTP parameters:
 *
 *   MAIL FROM:<alice@a.test> SIZE=1234 BODY=8BITMIME
 *   RCPT TO:<bob@b.test>
 *
 * Pure functions: no sockets, no state. The session decides what to answer.
 */
import { REPLY } from './smtp-constants.ts';
import { parsePath, type Path } from './path.ts';

/** A command line cut into its verb (upper-cased) and the rest. */
export interface Command {
  /** `MAIL`, `RCPT`, `EHLO` … always upper case, whatever the client sent. */
  readonly verb: string;
  /** Everything after the first space, as sent (may be empty). */
  readonly args: string;
}

/** The path and raw parameters of a MAIL or RCPT command. */
export interface PathArgument {
  readonly path: Path;
  /** `SIZE=1234` → `['SIZE', '1234']`; a parameter without value has `undefined`. Keywords upper-cased. */
  readonly parameters: ReadonlyArray<readonly [keyword: string, value: string | undefined]>;
}

/** The MAIL parameters we understand (RFC 1870 SIZE, RFC 6152 BODY). */
export interface MailParameters {
  /** What the client says the message will weigh, in octets. */
  readonly size?: number;
  /** `8BITMIME` when the client announced 8-bit text; we pass it through untouched either way. */
  readonly body: '7BIT' | '8BITMIME';
}

/** The code to answer when arguments are bad: 501 for syntax, 555 for a parameter we do not know. */
export type ArgumentErrorCode = typeof REPLY.SYNTAX_ERROR | typeof REPLY.UNKNOWN_PARAMETER;

/** Either the parsed arguments or the reply code and reason for refusing them. */
export type ParsedArgument<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ArgumentErrorCode; readonly reason: string };

/** `esmtp-param = esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2). */
const PARAMETER = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([\x21-\x3c\x3e-\x7e]+))?$/;

/** Splits `verb SP args` and upper-cases the verb (`mail FROM:<a@b>` is MAIL). */
export function parseCommand(line: string): Command {
  // TODO: cut at the first space; upper-case the verb; no space → empty args
  throw new Error('TODO(05-smtp-server): parseCommand');
}


/**
 * Parses the arguments of MAIL (`keyword` FROM) or RCPT (`keyword` TO):
 * `FROM:<path> [SP param]…`. The keyword is case-insensitive; spaces after
 * the colon are tolerated because many clients send them.
 */
export function parsePathArgument(args: string, keyword: 'FROM' | 'TO'): ParsedArgument<PathArgument> {
  // TODO: check the "FROM:" / "TO:" prefix case-insensitively (501 if missing)
  // TODO: skip spaces after the colon, then find the ">" that closes the path (a quoted local part may hide one)
  // TODO: parsePath on "<…>"; a failure is 501 with its reason
  // TODO: after the path: nothing, or a space and space-separated parameters matching PARAMETER
  // TODO: upper-case parameter keywords; the same keyword twice is 501
  throw new Error('TODO(05-smtp-server): parsePathArgument');
}

/** Interprets MAIL parameters: SIZE=digits and BODY=7BIT|8BITMIME; anything else is 555. */
export function readMailParameters(parameters: PathArgument['parameters']): ParsedArgument<MailParameters> {
  // TODO: SIZE=<digits> → size (501 if not a number)
  // TODO: BODY=7BIT or BODY=8BITMIME (any case) → body (501 otherwise)
  // TODO: any other keyword → 555; default body is 7BIT
  throw new Error('TODO(05-smtp-server): readMailParameters');
}
