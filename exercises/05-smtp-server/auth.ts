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
// REPLY and reply (smtp-constants.ts) build the answers.
import type { Outcome, SessionConfig, SessionState } from './session.ts';

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
  // TODO: decodeSaslText; undefined → not ok (malformed base64 or not UTF-8)
  // TODO: split at NUL: exactly three fields, user and password not empty
  throw new Error('TODO(05-smtp-server): parsePlainResponse (exercise 07)');
}

/** Whether the session waits for a SASL response line (the socket layer then reads one, not a command). */
export function awaitsSaslResponse(state: SessionState): state is SaslState {
  return state.name === 'auth-plain' || state.name === 'auth-login-user' || state.name === 'auth-login-password';
}

/** The AUTH command: `AUTH mechanism [initial-response]`. */
export function auth(state: SessionState, args: string, config: SessionConfig): Outcome {
  // TODO: 502 unless config.offersAuth; 503 before EHLO (or after HELO), inside a transaction, or when logged in already
  // TODO: `mechanism [initial-response]`, nothing else (501); an initial response of "=" means empty
  // TODO: PLAIN: no initial response → 334 with empty text and state `auth-plain`; else parse it like a response
  // TODO: LOGIN: no initial response → 334 VXNlcm5hbWU6 and `auth-login-user`; else it is the user name
  // TODO: any other mechanism → 504
  // Once user and password are known: no reply yet, state `checking-credentials`, then 'check-credentials'.
  // The check may be slow (a Promise) and a pure function cannot wait: the socket layer awaits
  // authenticate(user, password) and calls credentialsChecked with the verdict.
  // An authzid other than '' or the user itself is a failed login (535).
  throw new Error('TODO(05-smtp-server): AUTH (exercise 07)');
}

/** Answers one SASL response line (without its CRLF) while the session waits for one. */
export function handleSaslResponse(state: SaslState, line: string, config: SessionConfig): Outcome {
  // TODO: "*" → cancelAuth; malformed base64 → 501 and back to `ready`
  // TODO: auth-plain: the PLAIN response; auth-login-user: the user name → 334 UGFzc3dvcmQ6; auth-login-password: the password
  throw new Error('TODO(05-smtp-server): SASL responses (exercise 07)');
}

/** Abandons the exchange with 501 (the client sent `*`, or a response line too long to read). */
export function cancelAuth(state: SaslState, text: string): Outcome {
  // TODO: 501 with this text, and back to `ready` with the same hello
  throw new Error('TODO(05-smtp-server): cancelAuth (exercise 07)');
}

/**
 * What follows the password check: 235 and the session remembers the user;
 * 535 (and after {@link MAX_AUTH_FAILURES} of them, 421 and goodbye); 454 when
 * the check could not be made. The password leaves the state either way.
 */
export function credentialsChecked(state: SessionState & { readonly name: 'checking-credentials' }, verdict: AuthVerdict, config: SessionConfig): Outcome {
  // TODO: accepted → 235 2.7.0, `ready` with hello.user set; unavailable → 454 4.7.0, `ready`
  // TODO: refused → 535 5.7.8 and count hello.authFailures; at MAX_AUTH_FAILURES add 421 and 'close'
  throw new Error('TODO(05-smtp-server): credentialsChecked (exercise 07)');
}
