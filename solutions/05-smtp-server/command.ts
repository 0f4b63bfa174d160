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

/** The keywords before the path, in any case: `MAIL FROM:<…>`, `rcpt to:<…>`. */
const FROM_PREFIX = /^FROM:/i;
const TO_PREFIX = /^TO:/i;

/** Splits `verb SP args` and upper-cases the verb (`mail FROM:<a@b>` is MAIL). */
export function parseCommand(line: string): Command {
  const space = line.indexOf(' ');
  if (space === -1) return { verb: line.toUpperCase(), args: '' };
  return { verb: line.slice(0, space).toUpperCase(), args: line.slice(space + 1) };
}

/** Finds where the path that starts at `text[0] === '<'` ends, skipping quoted `>`; -1 if never. */
function pathEnd(text: string): number {
  if (!text.includes('"')) return text.indexOf('>'); // nothing quoted: the first '>' closes it
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '>' && !quoted) return i;
  }
  return -1;
}

/**
 * Parses the arguments of MAIL (`keyword` FROM) or RCPT (`keyword` TO):
 * `FROM:<path> [SP param]…`. The keyword is case-insensitive; spaces after
 * the colon are tolerated because many clients send them.
 */
export function parsePathArgument(args: string, keyword: 'FROM' | 'TO'): ParsedArgument<PathArgument> {
  const prefix = keyword === 'FROM' ? FROM_PREFIX : TO_PREFIX;
  if (!prefix.test(args)) return { ok: false, code: REPLY.SYNTAX_ERROR, reason: `expected ${keyword}:<address>` };
  const rest = args.slice(keyword.length + 1).trimStart();
  const end = rest.startsWith('<') ? pathEnd(rest) : -1;
  if (end === -1) {
    return { ok: false, code: REPLY.SYNTAX_ERROR, reason: 'the address must be written in angle brackets' };
  }
  const path = parsePath(rest.slice(0, end + 1));
  if (!path.ok) return { ok: false, code: REPLY.SYNTAX_ERROR, reason: path.reason };
  const after = rest.slice(end + 1);
  if (after !== '' && !after.startsWith(' ')) {
    return { ok: false, code: REPLY.SYNTAX_ERROR, reason: 'expected a space after the address' };
  }
  const parameters: [string, string | undefined][] = [];
  for (const word of after === '' ? [] : after.split(' ')) {
    if (word === '') continue; // several spaces in a row
    const match = PARAMETER.exec(word);
    if (!match) return { ok: false, code: REPLY.SYNTAX_ERROR, reason: `malformed parameter ${word}` };
    const name = match[1]!.toUpperCase();
    if (parameters.some(([k]) => k === name)) {
      return { ok: false, code: REPLY.SYNTAX_ERROR, reason: `parameter ${name} given twice` };
    }
    parameters.push([name, match[2]]);
  }
  return { ok: true, value: { path: path.value, parameters } };
}

/** Interprets MAIL parameters: SIZE=digits and BODY=7BIT|8BITMIME; anything else is 555. */
export function readMailParameters(parameters: PathArgument['parameters']): ParsedArgument<MailParameters> {
  let size: number | undefined;
  let body: MailParameters['body'] = '7BIT';
  for (const [keyword, value] of parameters) {
    if (keyword === 'SIZE') {
      if (value === undefined || !/^\d{1,20}$/.test(value)) {
        return { ok: false, code: REPLY.SYNTAX_ERROR, reason: 'SIZE needs a number of octets' };
      }
      size = Number(value);
    } else if (keyword === 'BODY') {
      const upper = value?.toUpperCase();
      if (upper !== '7BIT' && upper !== '8BITMIME') {
        return { ok: false, code: REPLY.SYNTAX_ERROR, reason: 'BODY is 7BIT or 8BITMIME' };
      }
      body = upper;
    } else {
      return { ok: false, code: REPLY.UNKNOWN_PARAMETER, reason: `parameter ${keyword} is not supported` };
    }
  }
  return { ok: true, value: size === undefined ? { body } : { size, body } };
}
