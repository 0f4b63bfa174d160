/**
 * The SMTP conversation as an explicit state machine (RFC 5321 §4.1.4,
 * §4.3.2). Pure: a command line and the current state go in, the replies and
 * the next state come out. The socket layer (smtp-server.ts) reads lines,
 * calls {@link handleCommand}, writes the replies, and reads the message
 * when the outcome says `read-data`.
 *
 *   awaiting-hello ──EHLO/HELO──▶ ready ──MAIL──▶ transaction ──RCPT…──▶ transaction
 *                                   ▲                  │ DATA (≥1 recipient)
 *                                   └── end of data ── data ◀┘
 *
 * RSET and EHLO/HELO go back to `ready` from anywhere; QUIT ends the session.
 */
import { DEFAULT_MAX_MESSAGE_BYTES, EXTENSIONS, LIMITS, REPLY, reply, type Reply } from './smtp-constants.ts';
import { parseCommand, parsePathArgument, readMailParameters } from './command.ts';
import { decideRecipient, type RecipientPolicy } from './recipients.ts';
import type { Path } from './path.ts';

/** What the client told us in EHLO/HELO. */
export interface Hello {
  /** The name the client gave for itself. */
  readonly clientName: string;
  /** True after EHLO: ESMTP parameters (SIZE=, BODY=) are allowed. */
  readonly extended: boolean;
}

/** One accepted recipient and the mailbox its copy goes to. */
export interface Recipient {
  readonly path: Path;
  readonly mailbox: string;
}

/** The envelope of the mail transaction in progress. */
export interface Envelope {
  /** The reverse-path (`<>` for bounces). */
  readonly from: Path;
  /** The SIZE the client declared, if any. */
  readonly declaredSize?: number;
  readonly body: '7BIT' | '8BITMIME';
  /** Accepted recipients, one per mailbox. */
  readonly recipients: readonly Recipient[];
  /** How many RCPT commands were refused (DATA then says 554, not 503). */
  readonly refused: number;
}

/** Where the conversation stands. */
export type SessionState =
  | { readonly name: 'awaiting-hello' }
  | { readonly name: 'ready'; readonly hello: Hello }
  | { readonly name: 'transaction'; readonly hello: Hello; readonly envelope: Envelope }
  | { readonly name: 'data'; readonly hello: Hello; readonly envelope: Envelope };

/** What the server is configured with; the same for every session. */
export interface SessionConfig {
  /** Our name, in the greeting and the EHLO reply. */
  readonly hostname: string;
  /** Largest message we accept, in octets (advertised as SIZE). */
  readonly maxMessageBytes: number;
  /** Recipients per transaction before 452 (at least 100). */
  readonly maxRecipients: number;
  readonly policy: RecipientPolicy;
}

/** What the socket layer does after writing the replies. */
export type NextStep = 'read-command' | 'read-data' | 'close';

/** The result of one command: replies to send (in order), the next state, the next step. */
export interface Outcome {
  readonly replies: readonly Reply[];
  readonly next: SessionState;
  readonly then: NextStep;
}

/** A handler for one verb: pure, it may only look at the state, the arguments and the config. */
type Handler = (state: SessionState, args: string, config: SessionConfig) => Outcome;

/** Fills in the defaults of a config. */
export function sessionConfig(hostname: string, policy: RecipientPolicy, maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): SessionConfig {
  return { hostname, policy, maxMessageBytes, maxRecipients: LIMITS.RECIPIENTS };
}

/** The state of a session that has just been greeted. */
export function initialState(): SessionState {
  return { name: 'awaiting-hello' };
}

/** The 220 greeting sent as soon as a client connects. */
export function greeting(config: SessionConfig): Reply {
  return reply(REPLY.SERVICE_READY, `${config.hostname} ESMTP wirelab ready`);
}

/** The state after the message of a transaction was dealt with (stored or refused). */
export function endOfData(state: SessionState & { name: 'data' }): SessionState {
  return { name: 'ready', hello: state.hello };
}

/** The reply most commands get; replies are read-only, so one object serves every session. */
const OK: Reply = reply(REPLY.OK, 'OK');

const answer = (next: SessionState, r: Reply, then: NextStep = 'read-command'): Outcome => ({ replies: [r], next, then });
const refuse = (state: SessionState, code: Reply['code'], text: string): Outcome => answer(state, reply(code, text));
/** The state without a transaction (RSET, EHLO and HELO lead here). */
const reset = (state: SessionState): SessionState => (state.name === 'awaiting-hello' ? state : { name: 'ready', hello: state.hello });

function hello(extended: boolean): Handler {
  return (state, args, config) => {
    const clientName = args.trim();
    if (clientName === '' || clientName.includes(' ')) {
      return refuse(state, REPLY.SYNTAX_ERROR, `say ${extended ? 'EHLO' : 'HELO'} followed by your host name`);
    }
    const next: SessionState = { name: 'ready', hello: { clientName, extended } };
    const first = `${config.hostname} greets ${clientName}`;
    if (!extended) return answer(next, reply(REPLY.OK, first));
    const lines = [first, EXTENSIONS.PIPELINING, `${EXTENSIONS.SIZE} ${config.maxMessageBytes}`, EXTENSIONS.EIGHT_BIT_MIME];
    return answer(next, reply(REPLY.OK, ...lines));
  };
}

const mail: Handler = (state, args, config) => {
  if (state.name === 'awaiting-hello') return refuse(state, REPLY.BAD_SEQUENCE, 'say EHLO or HELO first');
  if (state.name !== 'ready') return refuse(state, REPLY.BAD_SEQUENCE, 'nested MAIL command: finish or RSET this transaction first');
  const parsed = parsePathArgument(args, 'FROM');
  if (!parsed.ok) return refuse(state, parsed.code, parsed.reason);
  const { path, parameters } = parsed.value;
  if (path.kind === 'postmaster') return refuse(state, REPLY.SYNTAX_ERROR, 'the sender address needs a domain');
  if (parameters.length > 0 && !state.hello.extended) {
    return refuse(state, REPLY.UNKNOWN_PARAMETER, 'parameters need EHLO, not HELO');
  }
  const params = readMailParameters(parameters);
  if (!params.ok) return refuse(state, params.code, params.reason);
  const { size, body } = params.value;
  if (size !== undefined && size > config.maxMessageBytes) {
    return refuse(state, REPLY.EXCEEDED_STORAGE, `message size exceeds the limit of ${config.maxMessageBytes} octets`);
  }
  const envelope: Envelope = size === undefined ? { from: path, body, recipients: [], refused: 0 } : { from: path, declaredSize: size, body, recipients: [], refused: 0 };
  return answer({ name: 'transaction', hello: state.hello, envelope }, OK);
};

const rcpt: Handler = (state, args, config) => {
  if (state.name !== 'transaction') return refuse(state, REPLY.BAD_SEQUENCE, 'need MAIL before RCPT');
  const parsed = parsePathArgument(args, 'TO');
  if (!parsed.ok) return refuse(state, parsed.code, parsed.reason);
  const { path, parameters } = parsed.value;
  const [unknown] = parameters;
  if (unknown) return refuse(state, REPLY.UNKNOWN_PARAMETER, `parameter ${unknown[0]} is not supported`);
  const { envelope } = state;
  if (envelope.recipients.length >= config.maxRecipients) {
    return refuse(state, REPLY.TOO_MANY_RECIPIENTS, `too many recipients: at most ${config.maxRecipients} per message`);
  }
  const decision = decideRecipient(path, config.policy);
  if (!decision.accepted) {
    return answer({ name: 'transaction', hello: state.hello, envelope: { ...envelope, refused: envelope.refused + 1 } }, decision.reply);
  }
  const known = envelope.recipients.some((r) => r.mailbox === decision.mailbox);
  const recipients = known ? envelope.recipients : [...envelope.recipients, { path, mailbox: decision.mailbox }];
  return answer({ name: 'transaction', hello: state.hello, envelope: { ...envelope, recipients } }, OK);
};

const data: Handler = (state, args) => {
  if (args !== '') return refuse(state, REPLY.SYNTAX_ERROR, 'DATA takes no arguments');
  if (state.name !== 'transaction') return refuse(state, REPLY.BAD_SEQUENCE, 'need MAIL and RCPT before DATA');
  if (state.envelope.recipients.length === 0) {
    return state.envelope.refused > 0
      ? refuse(state, REPLY.TRANSACTION_FAILED, 'no valid recipients')
      : refuse(state, REPLY.BAD_SEQUENCE, 'need RCPT before DATA');
  }
  const next: SessionState = { name: 'data', hello: state.hello, envelope: state.envelope };
  return answer(next, reply(REPLY.START_MAIL_INPUT, 'start mail input; end with <CRLF>.<CRLF>'), 'read-data');
};

const rset: Handler = (state, args) =>
  args !== '' ? refuse(state, REPLY.SYNTAX_ERROR, 'RSET takes no arguments') : answer(reset(state), OK);

const noop: Handler = (state) => answer(state, OK);

const quit: Handler = (state, args, config) =>
  args !== ''
    ? refuse(state, REPLY.SYNTAX_ERROR, 'QUIT takes no arguments')
    : answer(state, reply(REPLY.CLOSING, `${config.hostname} closing connection`), 'close');

const vrfy: Handler = (state, args) =>
  args.trim() === ''
    ? refuse(state, REPLY.SYNTAX_ERROR, 'VRFY needs a user name')
    : answer(state, reply(REPLY.CANNOT_VERIFY, 'cannot VRFY user, but will accept message and attempt delivery'));

/** One handler per verb of RFC 5321 §4.5.1; anything else is 500. */
const HANDLERS: ReadonlyMap<string, Handler> = new Map([
  ['EHLO', hello(true)],
  ['HELO', hello(false)],
  ['MAIL', mail],
  ['RCPT', rcpt],
  ['DATA', data],
  ['RSET', rset],
  ['NOOP', noop],
  ['QUIT', quit],
  ['VRFY', vrfy],
]);

/** Answers one command line (without its CRLF) in the given state. */
export function handleCommand(state: SessionState, line: string, config: SessionConfig): Outcome {
  if (state.name === 'data') throw new Error('handleCommand called while the message is being read');
  const { verb, args } = parseCommand(line);
  const handler = HANDLERS.get(verb);
  if (!handler) return refuse(state, REPLY.UNKNOWN_COMMAND, `command not recognized: ${verb.slice(0, 20).replace(/[^\x21-\x7e]/g, '?')}`);
  return handler(state, args, config);
}
