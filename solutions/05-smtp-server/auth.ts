/**
 * SMTP AUTH (RFC 4954) with the mechanisms PLAIN (RFC 4616) and LOGIN, as
 * states of the session's state machine. Exercise 07 needs it: a mail server
 * relays only for users who proved who they are. Pure, like session.ts: the
 * password check itself is the socket layer's job (see {@link credentialsChecked}).
 *
 *   C: AUTH PLAIN                     C: AUTH LOGIN
 *   S: 334                            S: 334 VXNlcm5hbWU6       base64 "Username:"
 *   C: AGFsaWNlAHNlY3JldA==           C: YWxpY2U=               base64 "alice"
 *   S: 235 2.7.0 …                    S: 334 UGFzc3dvcmQ6       base64 "Password:"
 *                                     C: c2VjcmV0               base64 "secret"
 *                                     S: 235 2.7.0 …
 *
 * PLAIN's one response is base64 of `authzid NUL user NUL password`; it may
 * also come right on the command line (`AUTH PLAIN AGFsaWNl…`, the "initial
 * response"), and so may LOGIN's user name. A client answers `*` to give up.
 *
 *   ready ──AUTH PLAIN──▶ auth-plain ──response──▶ checking-credentials ──235──▶ ready (user set)
 *     │                                                  ▲          └──535/454──▶ ready
 *     └──AUTH LOGIN──▶ auth-login-user ──▶ auth-login-password ──┘
 */
import { REPLY, reply, type Reply } from './smtp-constants.ts';
import type { Hello, Outcome, SessionConfig, SessionState } from './session.ts';

/** The mechanisms we offer, as EHLO lists them after `AUTH`. */
export const MECHANISMS = ['PLAIN', 'LOGIN'] as const;

/** The challenges of LOGIN: base64 of `Username:` and `Password:`. */
export const LOGIN_PROMPTS = { USER: 'VXNlcm5hbWU6', PASSWORD: 'UGFzc3dvcmQ6' } as const;

/** The response a client sends to give up in the middle of AUTH (RFC 4954 §4). */
export const CANCEL = '*';

/** An initial response on the AUTH line that is empty, as opposed to absent (RFC 4954 §4). */
export const EMPTY_INITIAL_RESPONSE = '=';

/** Wrong passwords one connection may try before 421 and hang-up (slows down guessing). */
export const MAX_AUTH_FAILURES = 3;

/** The states in which the next line is a SASL response, not a command. */
export type SaslState = SessionState & { readonly name: 'auth-plain' | 'auth-login-user' | 'auth-login-password' };

/** What the password check said: good, wrong, or it could not be asked (it threw). */
export type AuthVerdict = 'accepted' | 'refused' | 'unavailable';

/** What a PLAIN response carries. */
export interface PlainCredentials {
  /** Whom the client wants to act as; '' means itself (we allow nothing else). */
  readonly authzid: string;
  readonly user: string;
  readonly password: string;
}

/** Strict base64: groups of four, padding only at the end. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes strict base64 (no spaces, correct padding); undefined if it is not. */
export function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Decodes base64 of UTF-8 text (user names and passwords); undefined if either layer is malformed. */
export function decodeSaslText(text: string): string | undefined {
  const bytes = decodeBase64(text);
  if (bytes === undefined) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Parses PLAIN's response: base64 of `[authzid] NUL user NUL password` (RFC 4616 §2). */
export function parsePlainResponse(text: string): { readonly ok: true; readonly value: PlainCredentials } | { readonly ok: false; readonly reason: string } {
  const decoded = decodeSaslText(text);
  if (decoded === undefined) return { ok: false, reason: 'malformed base64 (or not UTF-8) in the PLAIN response' };
  const fields = decoded.split('\0');
  if (fields.length !== 3) return { ok: false, reason: 'the PLAIN response is authzid NUL user NUL password' };
  const [authzid, user, password] = fields as [string, string, string];
  if (user === '' || password === '') return { ok: false, reason: 'the PLAIN response needs a user name and a password' };
  return { ok: true, value: { authzid, user, password } };
}

/** Whether the session waits for a SASL response line (the socket layer then reads one, not a command). */
export function awaitsSaslResponse(state: SessionState): state is SaslState {
  return state.name === 'auth-plain' || state.name === 'auth-login-user' || state.name === 'auth-login-password';
}

const answer = (next: SessionState, r: Reply, then: Outcome['then'] = 'read-command'): Outcome => ({ replies: [r], next, then });
const ready = (hello: Hello): SessionState => ({ name: 'ready', hello });
/** A failed exchange: the reply, and the session is back where it was before AUTH. */
const fail = (hello: Hello, code: Reply['code'], text: string): Outcome => answer(ready(hello), reply(code, text));

/**
 * The credentials are complete: the session waits in `checking-credentials`
 * and the outcome says `check-credentials`. The check may take time (a
 * database, a Promise), and a pure function cannot wait: the socket layer
 * awaits `authenticate(user, password)` and hands the verdict to
 * {@link credentialsChecked}, which says what follows.
 */
const check = (hello: Hello, user: string, password: string): Outcome => ({
  replies: [],
  next: { name: 'checking-credentials', hello, user, password },
  then: 'check-credentials',
});

function plainResponse(hello: Hello, text: string, config: SessionConfig): Outcome {
  const parsed = parsePlainResponse(text);
  if (!parsed.ok) return fail(hello, REPLY.SYNTAX_ERROR, `5.5.2 ${parsed.reason}`);
  const { authzid, user, password } = parsed.value;
  // Acting as someone else (an authzid other than oneself) is not allowed here: that is a failed login.
  if (authzid !== '' && authzid !== user) return credentialsChecked({ name: 'checking-credentials', hello, user, password }, 'refused', config);
  return check(hello, user, password);
}

function loginUser(hello: Hello, text: string): Outcome {
  const user = decodeSaslText(text);
  if (user === undefined || user === '') return fail(hello, REPLY.SYNTAX_ERROR, '5.5.2 expected the base64 of a user name');
  return answer({ name: 'auth-login-password', hello, user }, reply(REPLY.AUTH_CONTINUE, LOGIN_PROMPTS.PASSWORD));
}

/** The AUTH command: `AUTH mechanism [initial-response]`. */
export function auth(state: SessionState, args: string, config: SessionConfig): Outcome {
  if (!config.offersAuth) return answer(state, reply(REPLY.COMMAND_NOT_IMPLEMENTED, '5.5.1 AUTH is not offered here'));
  if (state.name === 'awaiting-hello' || !state.hello.extended) return answer(state, reply(REPLY.BAD_SEQUENCE, '5.5.1 say EHLO first'));
  if (state.name !== 'ready') return answer(state, reply(REPLY.BAD_SEQUENCE, '5.5.1 AUTH is not allowed inside a mail transaction'));
  const { hello } = state;
  if (hello.user !== undefined) return answer(state, reply(REPLY.BAD_SEQUENCE, '5.5.1 already authenticated'));
  const words = args.split(' ');
  const [mechanism = '', initial] = words;
  if (mechanism === '' || words.length > 2) return answer(state, reply(REPLY.SYNTAX_ERROR, '5.5.4 say AUTH <mechanism> [initial-response]'));
  const response = initial === EMPTY_INITIAL_RESPONSE ? '' : initial;
  switch (mechanism.toUpperCase()) {
    case 'PLAIN':
      return response === undefined ? answer({ name: 'auth-plain', hello }, reply(REPLY.AUTH_CONTINUE, '')) : plainResponse(hello, response, config);
    case 'LOGIN':
      return response === undefined ? answer({ name: 'auth-login-user', hello }, reply(REPLY.AUTH_CONTINUE, LOGIN_PROMPTS.USER)) : loginUser(hello, response);
    default:
      return answer(state, reply(REPLY.PARAMETER_NOT_IMPLEMENTED, `5.5.4 unknown mechanism; we offer ${MECHANISMS.join(' ')}`));
  }
}

/** Answers one SASL response line (without its CRLF) while the session waits for one. */
export function handleSaslResponse(state: SaslState, line: string, config: SessionConfig): Outcome {
  if (line === CANCEL) return cancelAuth(state, '5.7.0 authentication cancelled');
  switch (state.name) {
    case 'auth-plain':
      return plainResponse(state.hello, line, config);
    case 'auth-login-user':
      return loginUser(state.hello, line);
    case 'auth-login-password': {
      const password = decodeSaslText(line);
      if (password === undefined || password === '') return fail(state.hello, REPLY.SYNTAX_ERROR, '5.5.2 expected the base64 of a password');
      return check(state.hello, state.user, password);
    }
  }
  throw new Error(`handleSaslResponse called in state ${(state as SessionState).name}`);
}

/** Abandons the exchange with 501 (the client sent `*`, or a response line too long to read). */
export function cancelAuth(state: SaslState, text: string): Outcome {
  return fail(state.hello, REPLY.SYNTAX_ERROR, text);
}

/**
 * What follows the password check: 235 and the session remembers the user;
 * 535 (and after {@link MAX_AUTH_FAILURES} of them, 421 and goodbye); 454 when
 * the check could not be made. The password leaves the state either way.
 */
export function credentialsChecked(state: SessionState & { readonly name: 'checking-credentials' }, verdict: AuthVerdict, config: SessionConfig): Outcome {
  const { hello } = state;
  switch (verdict) {
    case 'accepted':
      return answer(ready({ ...hello, user: state.user }), reply(REPLY.AUTH_SUCCEEDED, '2.7.0 authentication successful'));
    case 'unavailable':
      return fail(hello, REPLY.AUTH_TEMPORARY_FAILURE, '4.7.0 temporary authentication failure, try again later');
    case 'refused': {
      const authFailures = (hello.authFailures ?? 0) + 1;
      const invalid = reply(REPLY.AUTH_FAILED, '5.7.8 authentication credentials invalid');
      const next = ready({ ...hello, authFailures });
      if (authFailures < MAX_AUTH_FAILURES) return answer(next, invalid);
      const goodbye = reply(REPLY.SERVICE_UNAVAILABLE, `${config.hostname} too many failed authentication attempts, closing connection`);
      return { replies: [invalid, goodbye], next, then: 'close' };
    }
  }
}
