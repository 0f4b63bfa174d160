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
import { DEFAULT_MAX_MESSAGE_BYTES, LIMITS, REPLY, reply, type Reply } from './smtp-constants.ts';
// parseCommand, parsePathArgument, readMailParameters (command.ts) and decideRecipient (recipients.ts) do the parsing.
import type { RecipientPolicy } from './recipients.ts';
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

const answer = (next: SessionState, r: Reply, then: NextStep = 'read-command'): Outcome => ({ replies: [r], next, then });
const refuse = (state: SessionState, code: Reply['code'], text: string): Outcome => answer(state, reply(code, text));
/** The state without a transaction (RSET, EHLO and HELO lead here). */
const reset = (state: SessionState): SessionState => (state.name === 'awaiting-hello' ? state : { name: 'ready', hello: state.hello });

function hello(extended: boolean): Handler {
  return (state, args, config) => {
    // TODO: 501 without a client name; otherwise state `ready` (any transaction is dropped)
    // TODO: HELO answers one line; EHLO answers several: our name, then PIPELINING, `SIZE <max>`, 8BITMIME
    throw new Error(`TODO(05-smtp-server): ${extended ? 'EHLO' : 'HELO'}`);
  };
}

const mail: Handler = (state, args, config) => {
  // TODO: 503 before EHLO/HELO and inside a transaction (nested MAIL)
  // TODO: parsePathArgument(args, 'FROM'); <Postmaster> has no domain so it cannot be a sender (501)
  // TODO: parameters only after EHLO (555); readMailParameters; SIZE over config.maxMessageBytes → 552
  // TODO: 250 and state `transaction` with a fresh envelope
  throw new Error('TODO(05-smtp-server): MAIL');
};

const rcpt: Handler = (state, args, config) => {
  // TODO: 503 unless in a transaction; parsePathArgument(args, 'TO'); any parameter → 555
  // TODO: config.maxRecipients accepted already → 452
  // TODO: decideRecipient: refused → its reply (count the refusal); accepted → 250, one entry per mailbox
  throw new Error('TODO(05-smtp-server): RCPT');
};

const data: Handler = (state, args) => {
  // TODO: arguments → 501; no transaction → 503; no recipient: 554 if some were refused, else 503
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
};

/** Answers one command line (without its CRLF) in the given state. */
export function handleCommand(state: SessionState, line: string, config: SessionConfig): Outcome {
  // TODO: parseCommand(line); look the verb up in HANDLERS (use Object.hasOwn: "constructor" is not a verb)
  // TODO: unknown verb → 500; otherwise run the handler
  throw new Error('TODO(05-smtp-server): handleCommand');
}
