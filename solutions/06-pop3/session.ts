/**
 * The POP3 conversation as an explicit state machine (RFC 1939 §3–§6). Pure:
 * a command line and the current state go in, the responses, the next state
 * and what the socket layer must do next come out. The file system work
 * (opening, reading and cleaning the maildrop) is the socket layer's, when the
 * outcome asks for it.
 *
 *   authorization ──USER name──▶ authorization (+ name) ──PASS ok──▶ open the maildrop
 *        ▲  │ QUIT: close            │ PASS wrong                      │ locked │ opened
 *        │  ▼                        ▼                                 ▼        ▼
 *        └──────────────────── authorization ◀────────────────────────┘   transaction
 *                                                                              │ QUIT
 *   transaction: STAT LIST UIDL RETR TOP DELE RSET NOOP                        ▼
 *   (DELE only marks; the files go in UPDATE, after QUIT)                    update → close
 *
 * CAPA (RFC 2449) works in every state. A dropped connection never reaches
 * UPDATE: nothing is deleted.
 */
import { samePassword } from 'wirelab';
import { CAPABILITIES, COMMANDS, err, ok, okLines, type Response } from './pop3-constants.ts';
import { parseCommand, parseCount, parseMessageNumber, printable, type Command, type Parsed } from './command.ts';
import { mailboxName, type Maildrop, type MessageInfo } from './maildrop.ts';

/** Where the conversation stands. */
export type SessionState =
  | { readonly name: 'authorization'; /** The name USER gave, waiting for PASS. */ readonly user?: string }
  | {
      readonly name: 'transaction';
      readonly user: string;
      /** The maildrop as listed when the session opened it. */
      readonly maildrop: Maildrop;
      /** Numbers of the messages DELE marked (RSET clears them). */
      readonly deleted: ReadonlySet<number>;
    }
  | {
      readonly name: 'update';
      readonly user: string;
      /** The messages to remove from disk now. */
      readonly deleted: readonly MessageInfo[];
      /** How many messages stay in the maildrop afterwards. */
      readonly remaining: number;
    };

/** What the server is configured with; the same for every session. */
export interface SessionConfig {
  /** Our name, in the greeting and the goodbye. */
  readonly hostname: string;
  /** User name (lower-case) → password. */
  readonly users: ReadonlyMap<string, string>;
}

/** What the socket layer does after the responses of an outcome. */
export type NextStep =
  /** Read the next command. */
  | { readonly kind: 'read-command' }
  /**
   * PASS was right: lock and open `user`'s maildrop, then answer with
   * {@link maildropOpened} or {@link maildropUnavailable}. No response yet.
   */
  | { readonly kind: 'open-maildrop'; readonly user: string }
  /**
   * RETR or TOP: read the message; if that works send the responses (the
   * `+OK` line) and then the message, encoded by `encodeMessage(bytes, bodyLines)`;
   * if not, send `-ERR` instead. Then read the next command.
   */
  | { readonly kind: 'send-message'; readonly message: MessageInfo; readonly bodyLines?: number }
  /** QUIT in TRANSACTION: delete `deleted` from disk, send {@link updateDone}'s response, close. */
  | { readonly kind: 'update'; readonly deleted: readonly MessageInfo[] }
  /** Send the responses and close the connection. */
  | { readonly kind: 'close' };

/** The result of one command: responses to send (in order), the next state, the next step. */
export interface Outcome {
  readonly responses: readonly Response[];
  readonly next: SessionState;
  readonly then: NextStep;
}

/** A handler for one verb: pure, it may only look at the state, the command and the config. */
type Handler = (state: SessionState, command: Command, config: SessionConfig) => Outcome;

/** Builds a config; user names are case-insensitive (`Bob` logs in as bob), passwords are not. */
export function sessionConfig(hostname: string, users: ReadonlyMap<string, string>): SessionConfig {
  return { hostname, users: new Map([...users].map(([name, password]) => [name.toLowerCase(), password])) };
}

/** The state of a session that has just been greeted. */
export function initialState(): SessionState {
  return { name: 'authorization' };
}

/** The `+OK` greeting sent as soon as a client connects. */
export function greeting(config: SessionConfig): Response {
  return ok(`${config.hostname} POP3 server ready`);
}

const READ_COMMAND: NextStep = { kind: 'read-command' };
const answer = (next: SessionState, response: Response, then: NextStep = READ_COMMAND): Outcome => ({ responses: [response], next, then });
const refuse = (state: SessionState, text: string): Outcome => answer(state, err(text));

/** The messages not marked deleted. */
function liveMessages(state: SessionState & { name: 'transaction' }): MessageInfo[] {
  return state.maildrop.messages.filter((m) => !state.deleted.has(m.number));
}

/** `2 messages (320 octets)`. */
function describe(messages: readonly MessageInfo[]): string {
  const octets = messages.reduce((sum, m) => sum + m.size, 0);
  return `${messages.length} message${messages.length === 1 ? '' : 's'} (${octets} octets)`;
}

/** The message an argument names, unless it is malformed, out of range or marked deleted. */
function findMessage(state: SessionState & { name: 'transaction' }, arg: string | undefined): Parsed<MessageInfo> {
  const { messages } = state.maildrop;
  const number = parseMessageNumber(arg, messages.length);
  if (!number.ok) return number;
  if (state.deleted.has(number.value)) return { ok: false, reason: `message ${number.value} already deleted` };
  return { ok: true, value: messages[number.value - 1]! };
}

/** Wraps a handler that only makes sense in TRANSACTION. */
function inTransaction(handler: (state: SessionState & { name: 'transaction' }, command: Command, config: SessionConfig) => Outcome): Handler {
  return (state, command, config) =>
    state.name === 'transaction' ? handler(state, command, config) : refuse(state, `${command.verb} needs a login first (USER and PASS)`);
}

/** Refuses arguments to a command that takes none. */
function noArguments(handler: Handler): Handler {
  return (state, command, config) => (command.args.length > 0 ? refuse(state, `${command.verb} takes no arguments`) : handler(state, command, config));
}

const user: Handler = (state, { args }) => {
  if (state.name !== 'authorization') return refuse(state, 'already logged in');
  if (args.length !== 1) return refuse(state, 'say USER followed by your name');
  // Same answer whether the user exists or not: PASS decides, so nobody can probe for names.
  return answer({ name: 'authorization', user: args[0]! }, ok('send PASS'));
};

const pass: Handler = (state, { rest }, config) => {
  if (state.name !== 'authorization') return refuse(state, 'already logged in');
  if (state.user === undefined) return refuse(state, 'send USER first');
  if (rest === '') return refuse(state, 'say PASS followed by your password');
  const expected = config.users.get(state.user.toLowerCase());
  const right = expected !== undefined && samePassword(rest, expected) && mailboxName(state.user) !== undefined;
  // One answer for an unknown user and a wrong password; back to the start (USER again).
  if (!right) return refuse({ name: 'authorization' }, 'invalid user name or password');
  return { responses: [], next: state, then: { kind: 'open-maildrop', user: state.user } };
};

const stat: Handler = inTransaction((state) => {
  const live = liveMessages(state);
  return answer(state, ok(`${live.length} ${live.reduce((sum, m) => sum + m.size, 0)}`));
});

/** LIST and UIDL: one message (`+OK n value`) or all that are not deleted (`n value` lines). */
function listing(show: (m: MessageInfo) => string, title: (live: readonly MessageInfo[]) => string): Handler {
  return inTransaction((state, { verb, args }) => {
    if (args.length > 1) return refuse(state, `${verb} takes at most one message number`);
    if (args.length === 1) {
      const found = findMessage(state, args[0]);
      return found.ok ? answer(state, ok(`${found.value.number} ${show(found.value)}`)) : refuse(state, found.reason);
    }
    const live = liveMessages(state);
    return answer(state, okLines(title(live), live.map((m) => `${m.number} ${show(m)}`)));
  });
}

const retr: Handler = inTransaction((state, { args }) => {
  if (args.length !== 1) return refuse(state, 'say RETR followed by a message number');
  const found = findMessage(state, args[0]);
  if (!found.ok) return refuse(state, found.reason);
  return answer(state, ok(`${found.value.size} octets`), { kind: 'send-message', message: found.value });
});

const top: Handler = inTransaction((state, { args }) => {
  if (args.length !== 2) return refuse(state, 'say TOP followed by a message number and a number of lines');
  const found = findMessage(state, args[0]);
  if (!found.ok) return refuse(state, found.reason);
  const lines = parseCount(args[1], 'number of lines');
  if (!lines.ok) return refuse(state, lines.reason);
  return answer(state, ok('top of message follows'), { kind: 'send-message', message: found.value, bodyLines: lines.value });
});

const dele: Handler = inTransaction((state, { args }) => {
  if (args.length !== 1) return refuse(state, 'say DELE followed by a message number');
  const found = findMessage(state, args[0]);
  if (!found.ok) return refuse(state, found.reason);
  const deleted = new Set(state.deleted).add(found.value.number);
  return answer({ ...state, deleted }, ok(`message ${found.value.number} deleted`));
});

const rset: Handler = noArguments(
  inTransaction((state) => {
    const next = { ...state, deleted: new Set<number>() };
    return answer(next, ok(`maildrop has ${describe(liveMessages(next))}`));
  }),
);

const noop: Handler = noArguments(inTransaction((state) => answer(state, ok(''))));

const quit: Handler = noArguments((state, _command, config) => {
  if (state.name !== 'transaction') return answer(state, ok(`${config.hostname} POP3 server signing off`), { kind: 'close' });
  const deleted = state.maildrop.messages.filter((m) => state.deleted.has(m.number));
  const next: SessionState = { name: 'update', user: state.user, deleted, remaining: state.maildrop.messages.length - deleted.length };
  return { responses: [], next, then: { kind: 'update', deleted } };
});

const capa: Handler = noArguments((state) => answer(state, okLines('capability list follows', CAPABILITIES)));

/** One handler per command of RFC 1939 §4–§7 (and CAPA, RFC 2449); anything else is -ERR. */
const HANDLERS: ReadonlyMap<string, Handler> = new Map([
  [COMMANDS.USER, user],
  [COMMANDS.PASS, pass],
  [COMMANDS.STAT, stat],
  [COMMANDS.LIST, listing((m) => String(m.size), describe)],
  [COMMANDS.UIDL, listing((m) => m.uid, () => 'unique-id listing follows')],
  [COMMANDS.RETR, retr],
  [COMMANDS.TOP, top],
  [COMMANDS.DELE, dele],
  [COMMANDS.RSET, rset],
  [COMMANDS.NOOP, noop],
  [COMMANDS.QUIT, quit],
  [COMMANDS.CAPA, capa],
]);

/** Answers one command line (without its CRLF) in the given state. */
export function handleCommand(state: SessionState, line: string, config: SessionConfig): Outcome {
  if (state.name === 'update') throw new Error('handleCommand called after QUIT');
  const command = parseCommand(line);
  const handler = HANDLERS.get(command.verb);
  if (!handler) return refuse(state, command.verb === '' ? 'empty command' : `unknown command ${printable(command.verb)}`);
  return handler(state, command, config);
}

/** The answer to a right PASS once the maildrop is open and locked: TRANSACTION starts. */
export function maildropOpened(state: SessionState, maildrop: Maildrop): Outcome {
  if (state.name !== 'authorization' || state.user === undefined) throw new Error('maildropOpened without a USER waiting');
  const next: SessionState = { name: 'transaction', user: state.user, maildrop, deleted: new Set() };
  return answer(next, ok(`${maildrop.mailbox}'s maildrop has ${describe(maildrop.messages)}`));
}

/** The answer to a right PASS when the maildrop is in use by another session, or cannot be read. */
export function maildropUnavailable(why: 'locked' | 'unreadable'): Outcome {
  const text = why === 'locked' ? 'maildrop already locked' : 'cannot open the maildrop, try again later';
  return answer({ name: 'authorization' }, err(text));
}

/** The answer to QUIT once UPDATE removed the deleted messages (`failed`: those that could not be). */
export function updateDone(state: SessionState & { name: 'update' }, failed: readonly MessageInfo[], config: SessionConfig): Response {
  if (failed.length > 0) return err(`some deleted messages not removed (${failed.length} of ${state.deleted.length})`);
  const left = state.remaining;
  return ok(`${config.hostname} POP3 server signing off (${left === 0 ? 'maildrop empty' : `${left} message${left === 1 ? '' : 's'} left`})`);
}
