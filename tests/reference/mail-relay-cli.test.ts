/**
 * `wirelab serve mail` with the reference mail server, as real processes:
 * two of them route mail to each other (nodemailer submits, POP3 reads), and
 * one killed with SIGKILL right after its 250 still has the message when it
 * starts again on the same spool: 250 really meant "on disk".
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startCliServer, stopCliServers, type CliServer } from '../helpers/cli-process.ts';
import { startRecorder, type Recorder } from '../helpers/relay-recorder.ts';
import { crlf, eventually, freePort, header, makeSpool, popAll, removeSpool, splitReceived, submit, type Login } from '../helpers/relay-world.ts';

const ALICE: Login = { user: 'alice', pass: 'wonderland' };
const BOB: Login = { user: 'bob', pass: 'secret' };

const spools: string[] = [];
const recorders: Recorder[] = [];
afterEach(async () => {
  await stopCliServers();
  await Promise.allSettled(recorders.splice(0).map((r) => r.close()));
  await Promise.allSettled(spools.splice(0).map(removeSpool));
});

async function spool(users: string): Promise<string> {
  const dir = await makeSpool();
  spools.push(dir);
  await writeFile(path.join(dir, 'users'), users);
  return dir;
}

/** `wirelab serve mail --impl solutions …` with fast retries; resolves once both listeners are up. */
async function serveMail(dir: string, domain: string, smtpPort: number, routes: Record<string, number>): Promise<{ cli: CliServer; smtp: number; pop3: number }> {
  const cli = await startCliServer([
    'serve', 'mail', '--impl', 'solutions', '--domain', domain, '--smtp-port', String(smtpPort), '--pop3-port', '0',
    '--spool', dir, '--users', path.join(dir, 'users'), '--retry-initial', '100', '--retry-max', '400',
    ...Object.entries(routes).flatMap(([d, port]) => ['--route', `${d}=127.0.0.1:${port}`]),
  ], { listeners: 2 });
  const smtp = cli.addresses.find((a) => a.label === '(smtp)')?.port;
  const pop3 = cli.addresses.find((a) => a.label === '(pop3)')?.port;
  expect(smtp, 'an smtp listener').toBeDefined();
  expect(pop3, 'a pop3 listener').toBeDefined();
  return { cli, smtp: smtp!, pop3: pop3! };
}

describe('wirelab serve mail', () => {
  test('two servers route to each other: alice writes to bob, bob answers, each reads the other over POP3', async () => {
    const bPort = await freePort();
    const spoolA = await spool('alice:wonderland\n');
    const spoolB = await spool('bob:secret\n');
    const a = await serveMail(spoolA, 'a.test', 0, { 'b.test': bPort });
    const b = await serveMail(spoolB, 'b.test', bPort, { 'a.test': a.smtp });
    const question = crlf('From: alice@a.test', 'To: bob@b.test', 'Subject: lunch?', '', 'Lunch at noon?');
    await submit(a.smtp, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, question);
    const one = (messages: Buffer[]) => (messages.length === 1 ? messages : undefined);
    const [got] = await eventually(async () => one(await popAll(b.pop3, BOB)), 5000, "bob's mail at B");
    expect(splitReceived(got!).rest.toString('latin1'), 'bob reads it byte-exact below the Received: headers').toBe(question.toString('latin1'));
    const answer = crlf('From: bob@b.test', 'To: alice@a.test', 'Subject: Re: lunch?', '', 'Yes.');
    await submit(b.smtp, BOB, { from: 'bob@b.test', to: ['alice@a.test'] }, answer);
    const [back] = await eventually(async () => one(await popAll(a.pop3, ALICE)), 5000, "alice's answer at A");
    expect(header(back!, 'subject'), 'alice reads the answer').toBe('Re: lunch?');
  }, 30_000);

  test('killed with SIGKILL right after the 250, restarted on the same spool, it still delivers the message', async () => {
    const bPort = await freePort();
    const spoolA = await spool('alice:wonderland\n');
    const first = await serveMail(spoolA, 'a.test', 0, { 'b.test': bPort });
    const sent = crlf('From: alice@a.test', 'To: bob@b.test', 'Subject: survives a crash', '', 'Still here.');
    await submit(first.smtp, ALICE, { from: 'alice@a.test', to: ['bob@b.test'] }, sent);
    const exit = await first.cli.stop('SIGKILL');
    expect(exit.signal, 'the server was killed, no clean shutdown').toBe('SIGKILL');
    const mx = await startRecorder({ port: bPort });
    recorders.push(mx);
    await serveMail(spoolA, 'a.test', 0, { 'b.test': bPort });
    await eventually(() => mx.accepted().length >= 1, 5000, 'the message at b.test after the restart');
    expect(mx.accepted().map((t) => ({ from: t.from, to: t.to })), 'delivered once, from alice to bob').toEqual([{ from: 'alice@a.test', to: ['bob@b.test'] }]);
    expect(splitReceived(mx.accepted()[0]!.data!).rest.toString('latin1'), 'byte-exact').toBe(sent.toString('latin1'));
  }, 30_000);
});
