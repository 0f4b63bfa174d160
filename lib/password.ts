/**
 * Checking a password without telling an attacker how close a guess was. A
 * plain `===` stops at the first character that differs, so a guess that gets
 * more characters right takes measurably longer to refuse; over many tries
 * that leaks the password one character at a time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a password someone gave with the expected one in a time that does
 * not depend on where they differ, nor on their lengths (both are hashed to
 * 32 bytes first, and those are compared in constant time).
 * @example const expected = users.get(name); const right = expected !== undefined && samePassword(given, expected);
 */
export function samePassword(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
