/**
 * The client's side of an SMTP session as an explicit state machine: the
 * states, the moves allowed between them, and the reply each step waits for.
 * Given complete: `SmtpClient.moveTo` goes through {@link nextState}, so a
 * flow that skips a step fails loudly at once instead of confusing the server.
 *
 *   greeting → hello → ready → mail → rcpt → data → ready     a message delivered
 *                              mail | rcpt | data → reset → ready   a refused one: RSET
 *                      ready → quit → closed                       the end
 *   any state → closed                     a timeout, a lost connection, a 421
 */
import type { SmtpStep } from './smtp-errors.ts';

/**
 * Where the session is. `ready` is the only state in which `send` may start;
 * `closed` is final.
 */
export type SmtpClientState =
  | 'greeting' // connected, waiting for the 220
  | 'hello' //    EHLO (or HELO) sent
  | 'ready' //    between transactions
  | 'mail' //     MAIL FROM sent
  | 'rcpt' //     sending RCPT TO, one per recipient
  | 'data' //     DATA sent, then the message
  | 'reset' //    RSET sent after a failed transaction
  | 'quit' //     QUIT sent
  | 'closed'; //  nothing more can be sent

/** The moves the session may make; any other is a bug in the client. */
export const TRANSITIONS: Readonly<Record<SmtpClientState, readonly SmtpClientState[]>> = {
  greeting: ['hello', 'closed'],
  hello: ['ready', 'closed'],
  ready: ['mail', 'quit', 'closed'],
  mail: ['rcpt', 'reset', 'closed'],
  rcpt: ['data', 'reset', 'closed'],
  data: ['ready', 'reset', 'closed'],
  reset: ['ready', 'closed'],
  quit: ['closed'],
  closed: ['closed'],
};

/** The reply class each step waits for: 3 (go on) after DATA, 2 (done) after everything else. */
export const EXPECTED_CLASS: Readonly<Record<SmtpStep, 2 | 3>> = {
  greeting: 2,
  EHLO: 2,
  HELO: 2,
  MAIL: 2,
  RCPT: 2,
  DATA: 3,
  'end of data': 2,
  RSET: 2,
  QUIT: 2,
};

/** The reply a server sends when it is shutting down; the connection is gone after it. */
export const SERVICE_NOT_AVAILABLE = 421;

/**
 * The state after moving from `current` to `next`.
 * @throws Error when the table does not allow that move (a bug in the client, not the server's fault).
 */
export function nextState(current: SmtpClientState, next: SmtpClientState): SmtpClientState {
  if (!TRANSITIONS[current].includes(next)) throw new Error(`bug: SMTP client state ${current} cannot move to ${next}`);
  return next;
}
