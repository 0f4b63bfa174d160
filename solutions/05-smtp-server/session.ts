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
 * AUTH (auth.ts, exercise 07) adds states where the next line is a SASL
 * response rather than a command, and one where the socket layer checks a
 * password: `ready ──AUTH──▶ auth-… ──▶ checking-credentials ──▶ ready`.
 */
import { DEFAULT_MAX_MESSAGE_BYTES, EXTENSIONS, LIMITS, REPLY, reply, type Reply } from './smtp-constants.ts';
import { parseCommand, parsePathArgument, readMailParameters } from './command.ts';
import { decideRecipient, type RecipientPolicy } from './recipients.ts';
import type { Path } from './path.ts';
import { MECHANISMS, auth, awaitsSaslResponse } from './auth.ts';

/** What the client told us in EHLO/HELO. */
export interface Hello {
  /** The name the client gave for itself. */
  readonly clientName: string;
  /** True after EHLO: ESMTP parameters (SIZE=, BODY=) are allowed. */
  readonly extended: boolean;
  /** Whom the client proved to be with AUTH (exercise 07); undefined until then. */
  readonly user?: string;
  /** Wrong passwords tried on this connection so far (see auth.ts, MAX_AUTH_FAILURES). */
  readonly authFailures?: number;
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
  /**
   * Recipients at other domains, as written (`bob@b.test`), accepted because
   * the session may relay (exercise 07). Absent when there are none.
   */
  readonly remote?: readonly string[];
}

/** Where the conversation stands. */
export type SessionState =
  | { readonly name: 'awaiting-hello' }
  | { readonly name: 'ready'; readonly hello: Hello }
  | { readonly name: 'transaction'; readonly hello: Hello; readonly envelope: Envelope }
  | { readonly name: 'data'; readonly hello: Hello; readonly envelope: Envelope }
  /** AUTH PLAIN said `334`: the next line is base64 of `authzid NUL user NUL password`. */
  | { readonly name: 'auth-plain'; readonly hello: Hello }
  /** AUTH LOGIN asked for the user name: the next line is its base64. */
  | { readonly name: 'auth-login-user'; readonly hello: Hello }
  /** AUTH LOGIN asked for the password: the next line is its base64. */
  | { readonly name: 'auth-login-password'; readonly hello: Hello; readonly user: string }
  /** The credentials are complete; the socket layer checks them (outcome `check-credentials`). */
  | { readonly name: 'checking-credentials'; readonly hello: Hello; readonly user: string; readonly password: string };

/**
 * What the server is configured with: the same for every session, except that
 * the socket layer binds `mayRelay` to each connection's address.
 */
export interface SessionConfig {
  /** Our name, in the greeting and the EHLO reply. */
  readonly hostname: string;
  /** Largest message we accept, in octets (advertised as SIZE). */
  readonly maxMessageBytes: number;
  /** Recipients per transaction before 452 (at least 100). */
  readonly maxRecipients: number;
  readonly policy: RecipientPolicy;
  /** Whether EHLO offers AUTH: the server was given a way to check passwords. */
  readonly offersAuth: boolean;
  /** Whether this session may send mail to domains that are not ours, given whom it authenticated as. */
  readonly mayRelay: (user: string | undefined) => boolean;
}

/**
 * What the socket layer does after writing the replies. `check-credentials`:
 * call the password check and hand its verdict to `credentialsChecked` (auth.ts).
 */
export type NextStep = 'read-command' | 'read-data' | 'check-credentials' | 'close';

/** The result of one command: replies to send (in order), the next state, the next step. */
export interface Outcome {
  readonly replies: readonly Reply[];
  readonly next: SessionState;
  readonly then: NextStep;
}

/** A handler for one verb: pure, it may only look at the state, the arguments and the config. */
type Handler = (state: SessionState, args: string, config: SessionConfig) => Outcome;

/** Nobody relays unless the server is told otherwise: we are no open relay. */
const NEVER_RELAY = (): boolean => false;

/** Fills in the defaults of a config: no AUTH, no relaying. */
export function sessionConfig(
  hostname: string,
  policy: RecipientPolicy,
  maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
  access: Partial<Pick<SessionConfig, 'offersAuth' | 'mayRelay'>> = {},
): SessionConfig {
  return { hostname, policy, maxMessageBytes, maxRecipients: LIMITS.RECIPIENTS, offersAuth: access.offersAuth ?? false, mayRelay: access.mayRelay ?? NEVER_RELAY };
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
/** The reply to RCPT for another domain when the session may relay. */
const RELAY_OK: Reply = reply(REPLY.OK, 'OK: not ours, will relay');

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
    // A second EHLO starts over like RSET, but the client is still the one who logged in.
    const before = state.name === 'awaiting-hello' ? undefined : state.hello;
    const greeted: Hello = before?.user === undefined && before?.authFailures === undefined ? { clientName, extended } : { ...before, clientName, extended };
    const next: SessionState = { name: 'ready', hello: greeted };
    const first = `${config.hostname} greets ${clientName}`;
    if (!extended) return answer(next, reply(REPLY.OK, first));
    const lines = [first, EXTENSIONS.PIPELINING, `${EXTENSIONS.SIZE} ${config.maxMessageBytes}`, EXTENSIONS.EIGHT_BIT_MIME];
    if (config.offersAuth) lines.push(`${EXTENSIONS.AUTH} ${MECHANISMS.join(' ')}`);
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
  // RFC 4954 §5: where AUTH is offered, MAIL may say who first submitted the message (AUTH=<…>); we ignore it.
  const params = readMailParameters(config.offersAuth && parameters.length > 0 ? parameters.filter(([keyword]) => keyword !== EXTENSIONS.AUTH) : parameters);
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
  if (envelope.recipients.length + (envelope.remote?.length ?? 0) >= config.maxRecipients) {
    return refuse(state, REPLY.TOO_MANY_RECIPIENTS, `too many recipients: at most ${config.maxRecipients} per message`);
  }
  const decision = decideRecipient(path, config.policy);
  if (!decision.accepted) {
    // Not ours to deliver: pass it on if this session may relay, else it is refused (550 relaying denied).
    if (path.kind === 'mailbox' && !config.policy.domains.has(path.mailbox.domain.toLowerCase()) && config.mayRelay(state.hello.user)) {
      const address = `${path.mailbox.localPart}@${path.mailbox.domain}`;
      const remote = envelope.remote ?? [];
      const next: Envelope = { ...envelope, remote: remote.includes(address) ? remote : [...remote, address] };
      return answer({ name: 'transaction', hello: state.hello, envelope: next }, RELAY_OK);
    }
    return answer({ name: 'transaction', hello: state.hello, envelope: { ...envelope, refused: envelope.refused + 1 } }, decision.reply);
  }
  const known = envelope.recipients.some((r) => r.mailbox === decision.mailbox);
  const recipients = known ? envelope.recipients : [...envelope.recipients, { path, mailbox: decision.mailbox }];
  return answer({ name: 'transaction', hello: state.hello, envelope: { ...envelope, recipients } }, OK);
};

const data: Handler = (state, args) => {
  if (args !== '') return refuse(state, REPLY.SYNTAX_ERROR, 'DATA takes no arguments');
  if (state.name !== 'transaction') return refuse(state, REPLY.BAD_SEQUENCE, 'need MAIL and RCPT before DATA');
  if (state.envelope.recipients.length === 0 && state.envelope.remote === undefined) {
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
  ['AUTH', auth],
]);

/** Answers one command line (without its CRLF) in the given state. */
export function handleCommand(state: SessionState, line: string, config: SessionConfig): Outcome {
  if (state.name === 'data' || state.name === 'checking-credentials' || awaitsSaslResponse(state)) {
    throw new Error(`handleCommand called in state ${state.name}: the next line is not a command`);
  }
  const { verb, args } = parseCommand(line);
  const handler = HANDLERS.get(verb);
  if (!handler) return refuse(state, REPLY.UNKNOWN_COMMAND, `command not recognized: ${verb.slice(0, 20).replace(/[^\x21-\x7e]/g, '?')}`);
  return handler(state, args, config);
}
