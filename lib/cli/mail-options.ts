/**
 * What the mail servers' commands (`serve smtp`, `serve pop3`, `serve mail`)
 * read from their options the same way: the users file and the domains.
 */
import { readFile } from 'node:fs/promises';
import { explainSystemError, UserError } from './user-error.ts';

/** A domain name such as b.test (letters, digits, inner hyphens, dots between labels), lower case. */
export const DOMAIN_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Parses a users file: one `name:password` line per user (the password is
 * everything after the first colon), `#` starts a comment, blank lines are
 * ignored. Names are case-insensitive (kept lower-cased) and may appear once.
 */
export function parseUsersFile(text: string, file: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    if (name === '' || /[\s/]/.test(name)) {
      throw new UserError(`${file} line ${i + 1}: expected name:password, got ${JSON.stringify(raw)}.`);
    }
    const key = name.toLowerCase();
    if (users.has(key)) throw new UserError(`${file} line ${i + 1}: user ${name} is already listed above.`);
    users.set(key, line.slice(colon + 1));
  });
  return users;
}

/** Reads and parses a users file; a missing or unreadable file is one sentence. */
export async function readUsersFile(file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw explainSystemError(error, `cannot read the users file ${file}`) ?? error;
  }
  return parseUsersFile(text, file);
}

/** The `--domain` values, lower-cased; anything that is not a domain name is one sentence. */
export function domainsOption(values: readonly string[]): string[] {
  const domains = values.map((d) => String(d).toLowerCase());
  const bad = domains.find((d) => !DOMAIN_NAME.test(d));
  if (bad !== undefined) throw new UserError(`--domain must be a domain name such as example.test, got ${JSON.stringify(bad)}.`);
  return domains;
}
