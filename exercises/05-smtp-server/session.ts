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
import { DEFAULT_MAX_MESSAGE_BYTES, LIMITS, REPLY, reply, type Reply } from './smtp-constants.ts';
// parseCommand, parsePathArgument, readMailParameters (command.ts) and decideRecipient (recipients.ts) do the parsing.
import type { RecipientPolicy } from './recipients.ts';
import type { Path } from './path.ts';
// auth.ts: the AUTH handler (exercise 07), MECHANISMS for the EHLO line, awaitsSaslResponse.
import { auth } from './auth.ts';

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

const answer = (next: SessionState, r: Reply, then: NextStep = 'read-command'): Outcome => ({ replies: [r], next, then });
const refuse = (state: SessionState, code: Reply['code'], text: string): Outcome => answer(state, reply(code, text));
/** The state without a transaction (RSET, EHLO and HELO lead here). */
const reset = (state: SessionState): SessionState => (state.name === 'awaiting-hello' ? state : { name: 'ready', hello: state.hello });

function hello(extended: boolean): Handler {
  return (state, args, config) => {
    // TODO: 501 without a client name; otherwise state `ready` (any transaction is dropped)
    // TODO: HELO answers one line; EHLO answers several: our name, then PIPELINING, `SIZE <max>`, 8BITMIME
    // TODO (exercise 07): EHLO also lists `AUTH PLAIN LOGIN` when config.offersAuth; a second EHLO keeps user and authFailures
    throw new Error(`TODO(05-smtp-server): ${extended ? 'EHLO' : 'HELO'}`);
  };
}

const mail: Handler = (state, args, config) => {
  // TODO: 503 before EHLO/HELO and inside a transaction (nested MAIL)
  // TODO: parsePathArgument(args, 'FROM'); <Postmaster> has no domain so it cannot be a sender (501)
  // TODO: parameters only after EHLO (555); readMailParameters; SIZE over config.maxMessageBytes → 552
  //       (exercise 07: when config.offersAuth, an AUTH=<…> parameter (RFC 4954 §5) is allowed and ignored)
  // TODO: 250 and state `transaction` with a fresh envelope
  throw new Error('TODO(05-smtp-server): MAIL');
};

const rcpt: Handler = (state, args, config) => {
  // TODO: 503 unless in a transaction; parsePathArgument(args, 'TO'); any parameter → 555
  // TODO: config.maxRecipients accepted already → 452
  // TODO: decideRecipient: refused → its reply (count the refusal); accepted → 250, one entry per mailbox
  // TODO (exercise 07): refused because the domain is not ours, but config.mayRelay(state.hello.user)
  //       → 250 and `localPart@domain` into envelope.remote (once); remote recipients count toward the 452 limit too
  throw new Error('TODO(05-smtp-server): RCPT');
};

const data: Handler = (state, args) => {
  // TODO: arguments → 501; no transaction → 503; no recipient: 554 if some were refused, else 503
  //       (exercise 07: remote recipients count: DATA with only remote ones is fine)
  // TODO: 354, state `data`, then 'read-data'
  throw new Error('TODO(05-smtp-server): DATA');
};

const rset: Handler = (state, args) => {
  // TODO: arguments → 501; otherwise 250 and reset(state)
  throw new Error('TODO(05-smtp-server): RSET');
};

const noop: Handler = (state) => {
  // TODO: 250, nothing changes (NOOP may carry an argument)
  throw new Error('TODO(05-smtp-server): NOOP');
};

const quit: Handler = (state, args, config) => {
  // TODO: arguments → 501; otherwise 221 and 'close'
  throw new Error('TODO(05-smtp-server): QUIT');
};

const vrfy: Handler = (state, args) => {
  // TODO: no argument → 501; otherwise 252 (we never tell whether a user exists)
  throw new Error('TODO(05-smtp-server): VRFY');
};

/** One handler per verb of RFC 5321 §4.5.1; anything else is 500. */
const HANDLERS: Readonly<Record<string, Handler>> = {
  EHLO: hello(true),
  HELO: hello(false),
  MAIL: mail,
  RCPT: rcpt,
  DATA: data,
  RSET: rset,
  NOOP: noop,
  QUIT: quit,
  VRFY: vrfy,
  AUTH: auth,
};

/** Answers one command line (without its CRLF) in the given state. */
export function handleCommand(state: SessionState, line: string, config: SessionConfig): Outcome {
  // TODO: a bug to be here in state `data`, `checking-credentials` or awaiting a SASL response: throw
  // TODO: parseCommand(line); look the verb up in HANDLERS (use Object.hasOwn: "constructor" is not a verb)
  // TODO: unknown verb → 500; otherwise run the handler
  throw new Error('TODO(05-smtp-server): handleCommand');
}
