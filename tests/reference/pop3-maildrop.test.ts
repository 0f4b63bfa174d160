// The reference maildrop against what real Maildirs hold: unique names that
// RFC 1939 cannot carry as a unique-id as they are (exercise 05 puts the host
// name into them, and host names can be long).
import { afterEach, expect, test } from 'vitest';
import { openMaildrop } from '@impl/06-pop3/maildrop.ts';
import { crlf, makeMailRoot, removeMailRoot, writeMessage } from '../helpers/pop3-maildir.ts';

let root: string | undefined;
afterEach(async () => {
  if (root !== undefined) await removeMailRoot(root);
  root = undefined;
});

test('a unique name longer than 70 characters gets a valid unique-id, stable across sessions; a short one is its own', { timeout: 10_000 }, async () => {
  root = await makeMailRoot();
  const long = `1764100000.M123456P4242Q1.${'a-very-long-host-name.'.repeat(5)}example`;
  const short = '1764100001.M1P4242Q2.mail.test';
  expect(long.length).toBeGreaterThan(70);
  await writeMessage(root, 'bob', crlf('Subject: long', '', 'one'), { name: long });
  await writeMessage(root, 'bob', crlf('Subject: short', '', 'two'), { name: short });

  const first = await openMaildrop(root, 'bob');
  const uids = first.messages.map((m) => m.uid);
  expect(uids).toHaveLength(2);
  for (const uid of uids) expect(uid, 'RFC 1939 §7: 1 to 70 characters from 0x21 to 0x7E').toMatch(/^[\x21-\x7e]{1,70}$/);
  expect(uids).toContain(short);
  expect(new Set(uids).size).toBe(2);
  const second = await openMaildrop(root, 'bob'); // the files are in cur/ now, with :2, after the name
  expect(second.messages.map((m) => m.uid).sort()).toEqual([...uids].sort());
});
