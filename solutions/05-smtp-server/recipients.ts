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
  const lower = (items: Iterable<string>) => new Set([...items].map((s) => s.toLowerCase()));
  return users === undefined ? { domains: lower(domains) } : { domains: lower(domains), users: lower(users) };
}

/** Decides whether we accept mail for `path`, and into which mailbox it goes. */
export function decideRecipient(path: Path, policy: RecipientPolicy): RecipientDecision {
  if (path.kind === 'null') {
    return { accepted: false, reply: reply(REPLY.SYNTAX_ERROR, 'the null path <> is only allowed in MAIL FROM') };
  }
  if (path.kind === 'postmaster') return { accepted: true, mailbox: POSTMASTER };
  const { localPart, domain } = path.mailbox;
  if (!policy.domains.has(domain.toLowerCase())) {
    return {
      accepted: false,
      reply: reply(REPLY.MAILBOX_UNAVAILABLE, `relaying denied: this server only accepts mail for ${[...policy.domains].join(', ')}`),
    };
  }
  const mailbox = localPart.toLowerCase();
  if (mailbox === POSTMASTER) return { accepted: true, mailbox };
  if (!SAFE_MAILBOX.test(mailbox)) {
    return { accepted: false, reply: reply(REPLY.MAILBOX_UNAVAILABLE, `mailbox name ${localPart} not allowed here`) };
  }
  if (policy.users !== undefined && !policy.users.has(mailbox)) {
    return { accepted: false, reply: reply(REPLY.MAILBOX_UNAVAILABLE, `no such user here: ${localPart}@${domain}`) };
  }
  return { accepted: true, mailbox };
}
