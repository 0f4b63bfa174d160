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
  // TODO: parseMessageNumber(arg, number of messages); not ok → return it
  // TODO: marked deleted → not ok ("message n already deleted"); else ok with messages[n - 1]
  throw new Error('TODO(06-pop3): findMessage');
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
  // TODO: not in authorization → -ERR; not exactly one argument → -ERR
  // TODO: +OK and remember the name in the state, WITHOUT checking it: say the same whether the user exists or not
  throw new Error('TODO(06-pop3): USER');
};

const pass: Handler = (state, { rest }, config) => {
  // TODO: not in authorization → -ERR; no USER before → -ERR; no password → -ERR
  // TODO: the password is `rest` (it may hold spaces); look the user up in config.users (lower-cased),
  //       compare with samePassword (from 'wirelab'), and mailboxName(user) must be defined
  // TODO: wrong (or unknown user): -ERR, ONE text for both, and back to { name: 'authorization' } without the user
  // TODO: right: no response yet, same state, then { kind: 'open-maildrop', user }
  throw new Error('TODO(06-pop3): PASS');
};

const stat: Handler = inTransaction((state) => {
  // TODO: +OK <count> <octets>, exactly that, over the messages not marked deleted
  throw new Error('TODO(06-pop3): STAT');
});

/** LIST and UIDL: one message (`+OK n value`) or all that are not deleted (`n value` lines). */
function listing(show: (m: MessageInfo) => string, title: (live: readonly MessageInfo[]) => string): Handler {
  return inTransaction((state, { verb, args }) => {
    // TODO: more than one argument → -ERR
    // TODO: one argument: findMessage; -ERR with its reason, or one line `+OK <n> <show(m)>`
    // TODO: none: okLines(title(live), one `<n> <show(m)>` line per message not marked deleted)
    throw new Error(`TODO(06-pop3): ${verb}`);
  });
}

const retr: Handler = inTransaction((state, { args }) => {
  // TODO: exactly one argument; findMessage (-ERR with its reason)
  // TODO: +OK <size> octets, then { kind: 'send-message', message }
  throw new Error('TODO(06-pop3): RETR');
});

const top: Handler = inTransaction((state, { args }) => {
  // TODO: exactly two arguments; findMessage for the first; parseCount for the second (-ERR with the reasons)
  // TODO: +OK, then { kind: 'send-message', message, bodyLines }
  throw new Error('TODO(06-pop3): TOP');
});

const dele: Handler = inTransaction((state, { args }) => {
  // TODO: exactly one argument; findMessage (-ERR for a message already marked)
  // TODO: +OK and a NEW state whose `deleted` set has the number too (never change the old set: states are values)
  throw new Error('TODO(06-pop3): DELE');
});

const rset: Handler = noArguments(
  inTransaction((state) => {
    // TODO: unmark every message (an empty `deleted` set); +OK saying how many messages the maildrop has now
    throw new Error('TODO(06-pop3): RSET');
  }),
);

const noop: Handler = noArguments(
  inTransaction((state) => {
    // TODO: +OK, nothing changes
    throw new Error('TODO(06-pop3): NOOP');
  }),
);

const quit: Handler = noArguments((state, _command, config) => {
  // TODO: in authorization: +OK goodbye and { kind: 'close' } (nothing to delete)
  // TODO: in transaction: no response yet; state `update` with the messages marked deleted and how many remain,
  //       then { kind: 'update', deleted }: the socket layer deletes them and answers with updateDone
  throw new Error('TODO(06-pop3): QUIT');
});

const capa: Handler = noArguments((state) => {
  // TODO: in any state: a multi-line +OK listing CAPABILITIES (RFC 2449)
  throw new Error('TODO(06-pop3): CAPA');
});

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
  // TODO: the `update` state takes no commands (a bug in the caller: throw)
  // TODO: parseCommand(line); look the verb up in HANDLERS; unknown → -ERR (quote it with printable); else run it
  throw new Error('TODO(06-pop3): handleCommand');
}

/** The answer to a right PASS once the maildrop is open and locked: TRANSACTION starts. */
export function maildropOpened(state: SessionState, maildrop: Maildrop): Outcome {
  // TODO: needs authorization with a user (else throw: a bug); state `transaction` with the maildrop, nothing deleted
  // TODO: +OK saying how many messages and octets (describe)
  throw new Error('TODO(06-pop3): maildropOpened');
}

/** The answer to a right PASS when the maildrop is in use by another session, or cannot be read. */
export function maildropUnavailable(why: 'locked' | 'unreadable'): Outcome {
  // TODO: -ERR maildrop already locked (or cannot be opened), and back to { name: 'authorization' }
  throw new Error('TODO(06-pop3): maildropUnavailable');
}

/** The answer to QUIT once UPDATE removed the deleted messages (`failed`: those that could not be). */
export function updateDone(state: SessionState & { name: 'update' }, failed: readonly MessageInfo[], config: SessionConfig): Response {
  // TODO: any failed → -ERR some deleted messages not removed; else +OK goodbye (how many messages are left)
  throw new Error('TODO(06-pop3): updateDone');
}
