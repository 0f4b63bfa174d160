/**
 * Whom this server takes mail for. A recipient is accepted when its domain is
 * one of ours (we are not a relay: other domains are the next exercise's job)
 * and, if a users list was given, the user is on it. `<Postmaster>` and
 * `postmaster@<our domain>` are always accepted (RFC 5321 §4.5.1).
 *
 * The mailbox name doubles as a folder name (`DIR/<mailbox>/`), so it must
 * never be able to climb out of DIR: no `/`, no leading dot, nothing quoted.
 */
import { REPLY, reply, type Reply } from './smtp-constants.ts';
import type { Path } from './path.ts';

/** Which domains are ours and, optionally, which users exist. */
export interface RecipientPolicy {
  /** Domains we deliver for, lower-case. */
  readonly domains: ReadonlySet<string>;
  /** Known users (lower-case local parts); undefined means anyone at our domains. */
  readonly users?: ReadonlySet<string>;
}

/** Accepted with the mailbox to deliver into, or refused with the reply to send. */
export type RecipientDecision =
  | { readonly accepted: true; readonly mailbox: string }
  | { readonly accepted: false; readonly reply: Reply };

/** The mailbox every server must have. */
export const POSTMASTER = 'postmaster';

/** Lower-case dot-atoms without `/`: safe as a single folder name. */
const SAFE_MAILBOX = /^[a-z0-9!#$%&'*+\-=?^_`{|}~]+(?:\.[a-z0-9!#$%&'*+\-=?^_`{|}~]+)*$/;

/** Builds a policy from the configured domains and users (both case-insensitive). */
export function makeRecipientPolicy(domains: Iterable<string>, users?: Iterable<string>): RecipientPolicy {
  // TODO: lower-case the domains and (if given) the users into Sets
  throw new Error('TODO(05-smtp-server): makeRecipientPolicy');
}

/** Decides whether we accept mail for `path`, and into which mailbox it goes. */
export function decideRecipient(path: Path, policy: RecipientPolicy): RecipientDecision {
  // TODO: <> cannot be a recipient: 501
  // TODO: <Postmaster> → mailbox "postmaster"
  // TODO: domain not ours → 550 saying we do not relay
  // TODO: mailbox = lower-cased local part; "postmaster" is always accepted
  // TODO: a mailbox that does not match SAFE_MAILBOX → 550 (it becomes a folder name!)
  // TODO: with a users list, an unknown user → 550
  throw new Error('TODO(05-smtp-server): decideRecipient');
}
