/**
 * Reliability of the reference POP3 server (run against solutions/): fast-check
 * builds random maildrops (CRLF and bare-LF files, dot lines, 8-bit bytes,
 * long lines, new/ and cur/) and throws random sessions at them — valid and
 * malformed commands in any case, pipelined or cut at random points, clients
 * that QUIT, vanish, half-close or drop in the middle of a command — while
 * chaos clients send garbage alongside. A model of each maildrop predicts
 * every reply. Properties:
 *   - it never crashes nor logs a handler error, and keeps answering a
 *     well-formed client;
 *   - every reply is the model's: +OK or -ERR as RFC 1939 says, STAT and LIST
 *     sizes with CRLF line ends, every RETR and TOP byte-exact;
 *   - after QUIT exactly the DELE-marked (and not RSET) messages are gone;
 *     after any other ending nothing is; no file is ever changed or lost.
 * Seeded and bounded (a few hundred sessions, a few seconds).
 */
import fc from 'fast-check';
import { afterEach, expect, test, vi } from 'vitest';
import { connectTcp } from '../../lib/index.ts';
import { startPop3Server, type Pop3Server } from '@impl/06-pop3/pop3-server.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { makeMailRoot, onTheWire, readMaildir, removeMailRoot, wireSize, writeMessage } from '../helpers/pop3-maildir.ts';
import { Pop3Script, joinLines, loginWhenUnlocked } from '../helpers/pop3-session.ts';

const TRACKED = ['fz1', 'fz2'] as const;
const USERS = new Map([...TRACKED.map((u) => [u, `pw-${u}`] as const), ['chaos', 'chaos']]);

// ---- random maildrops --------------------------------------------------------

/** A byte of a message line: never CR or LF (the generator adds the line ends), often a dot, 8-bit or NUL. */
const lineByte = fc.oneof(fc.constantFrom(0x2e, 0x2e, 0x20, 0x09, 0x00, 0x80, 0xe9, 0xff), fc.integer({ min: 0x21, max: 0x7e }));
const messageLine = fc.oneof(
  { weight: 9, arbitrary: fc.array(lineByte, { maxLength: 80 }) },
  { weight: 1, arbitrary: fc.array(lineByte, { minLength: 900, maxLength: 2500 }) },
).map((a) => Buffer.from(a));
const storedMessage = fc.record({
  header: fc.array(messageLine, { maxLength: 4 }),
  hasBody: fc.boolean(),
  body: fc.array(messageLine, { maxLength: 12 }),
  lineEnd: fc.constantFrom('\r\n', '\r\n', '\n'),
  folder: fc.constantFrom('new', 'new', 'cur') as fc.Arbitrary<'new' | 'cur'>,
  flags: fc.constantFrom('', 'S', 'RS'),
});
type StoredPlan = typeof storedMessage extends fc.Arbitrary<infer T> ? T : never;
let messageCounter = 0;

/** The file for a plan: a header naming it, random header lines, then (maybe) a blank line and the body. */
function messageBytes(plan: StoredPlan): Buffer {
  const end = Buffer.from(plan.lineEnd);
  const lines = [Buffer.from(`X-Fuzz: ${++messageCounter}`), ...plan.header, ...(plan.hasBody ? [Buffer.alloc(0), ...plan.body] : [])];
  return Buffer.concat(lines.flatMap((l) => [l, end]));
}

// ---- random sessions ---------------------------------------------------------

type Op =
  | { kind: 'STAT' | 'LIST' | 'UIDL' | 'RSET' | 'NOOP' }
  | { kind: 'LIST n' | 'UIDL n' | 'RETR' | 'DELE'; pick: number }
  | { kind: 'TOP'; pick: number; lines: number }
  | { kind: 'bad'; line: Buffer };

/** Lines RFC 1939 answers with -ERR in the TRANSACTION state, whatever the maildrop. */
const BAD_LINES = [
  'XYZZY', '', 'RETR', 'DELE', 'TOP 1', 'TOP 1 x', 'TOP 1 -1', 'RETR 0', 'LIST -1', 'UIDL one', 'DELE 1.5',
  'RETR 99999999999999999999', 'USER fz1', 'PASS pw', 'LIST 1 2', 'TOP 0 1',
];
const badLine = fc.oneof(
  fc.constantFrom(...BAD_LINES).map((l) => Buffer.from(l)),
  // An unknown verb (none starts with X) with arbitrary bytes after it.
  fc.array(lineByte, { maxLength: 60 }).map((a) => Buffer.concat([Buffer.from('X'), Buffer.from(a)])),
  // Over the 255-octet command line limit.
  fc.integer({ min: 300, max: 3000 }).map((n) => Buffer.from(`USER ${'y'.repeat(n)}`)),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom('STAT', 'LIST', 'UIDL', 'RSET', 'NOOP').map((kind) => ({ kind }) as Op),
  fc.record({ kind: fc.constantFrom('LIST n', 'UIDL n', 'RETR', 'RETR', 'DELE', 'DELE'), pick: fc.nat(40) }) as fc.Arbitrary<Op>,
  fc.record({ kind: fc.constant('TOP'), pick: fc.nat(40), lines: fc.nat(15) }) as fc.Arbitrary<Op>,
  fc.record({ kind: fc.constant('bad'), line: badLine }) as fc.Arbitrary<Op>,
);
const session = fc.record({
  /** Refused attempts before the real login: a wrong password, an unknown user, a command too early. */
  prelude: fc.array(fc.constantFrom('wrong-password', 'unknown-user', 'too-early'), { maxLength: 2 }),
  ops: fc.array(op, { maxLength: 14 }),
  pipelined: fc.boolean(),
  cuts: fc.array(fc.integer({ min: 1, max: 99 }), { maxLength: 5 }),
  upperCase: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  ending: fc.constantFrom('quit', 'quit', 'drop', 'half-close', 'drop-mid-command'),
});
type SessionPlan = typeof session extends fc.Arbitrary<infer T> ? T : never;

const chaosClient = fc.record({
  pieces: fc.array(
    fc.oneof(
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.constantFrom('USER chaos\r\n', 'PASS chaos\r\n', 'STAT\r\n', 'LIST\r\n', 'RETR 1\r\n', 'TOP 1 3\r\n', 'DELE 1\r\n', 'RSET\r\n', 'QUIT\r\n', 'CAPA\r\n', 'UIDL\r\n', '\r\n').map((s) => Buffer.from(s)),
      fc.integer({ min: 256, max: 20_000 }).map((n) => Buffer.from(`${'z'.repeat(n)}\r\n`)),
    ),
    { minLength: 1, maxLength: 10 },
  ),
  ending: fc.constantFrom('destroy', 'end'),
});
type ChaosPlan = typeof chaosClient extends fc.Arbitrary<infer T> ? T : never;

// ---- the model ---------------------------------------------------------------

/** What a user's maildrop holds: unique name → the file's bytes. */
type Maildrop = Map<string, Buffer>;

/** TOP's lines of a message on the wire: the header, the blank line, then `k` body lines (all of it if no blank line). */
function topOf(wire: Buffer, k: number): Buffer {
  const lines = wire.toString('latin1').split('\r\n').slice(0, -1);
  const blank = lines.indexOf('');
  const kept = blank === -1 ? lines : lines.slice(0, Math.min(lines.length, blank + 1 + k));
  return Buffer.from(kept.map((l) => `${l}\r\n`).join(''), 'latin1');
}

/** Random case for a verb (the rest of the line as is). */
function withCase(line: string, upper: readonly boolean[]): string {
  const space = line.indexOf(' ');
  const verb = space === -1 ? line : line.slice(0, space);
  return [...verb].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c.toLowerCase())).join('') + line.slice(verb.length);
}

/** Writes `bytes` in pieces at the given percent cut points, yielding between them. */
async function writeInPieces(s: Pop3Script, bytes: Buffer, cuts: readonly number[]): Promise<void> {
  const points = [...new Set(cuts.map((c) => Math.floor((bytes.length * c) / 100)))].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b);
  let at = 0;
  for (const p of [...points, bytes.length]) {
    await s.send(bytes.subarray(at, p));
    at = p;
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Runs one session against `drop` (the model, updated when QUIT deletes) and
 * checks every reply. Session numbers come from UIDL at the start.
 */
async function runSession(port: number, user: string, password: string, drop: Maildrop, plan: SessionPlan): Promise<void> {
  const s = await loginWhenUnlocked(port, user, password, 3000).catch(async (error: unknown) => {
    throw new Error(`${user} could not log in: ${String(error)}`);
  });
  try {
    // The prelude runs in a second connection, before this one does anything (the maildrop stays ours).
    if (plan.prelude.length > 0) {
      const other = await Pop3Script.open(port);
      for (const step of plan.prelude) {
        if (step === 'wrong-password') await other.ok(`USER ${user}`, 'USER').then(() => other.err(`PASS ${password}x`, 'wrong password'));
        if (step === 'unknown-user') {
          await other.send('USER nobody\r\n');
          if ((await other.reply()).ok) await other.err('PASS nothing', 'unknown user');
        }
        if (step === 'too-early') await other.err('STAT', 'STAT before login');
      }
      await other.err(`PASS ${password}`, 'PASS without USER');
      other.close();
    }
    const uids = await s.uidl();
    const sizes = await s.list();
    expect([...uids.values()].sort(), 'UIDL lists the maildrop').toEqual([...drop.keys()].sort());
    const count = uids.size;
    for (const [n, uid] of uids) expect(sizes.get(n), `LIST ${n}`).toBe(wireSize(drop.get(uid)!));
    const deleted = new Set<number>();
    const live = () => [...uids.keys()].filter((n) => !deleted.has(n));

    // Each op becomes a line to send and a check of its reply, in order (the model moves as it goes).
    type Step = { line: Buffer; check: () => Promise<void> };
    const steps: Step[] = plan.ops.map((o, i): Step => {
      const upper = plan.upperCase.map((b, j) => (i + j) % 3 === 0 ? !b : b);
      const text = (line: string) => Buffer.from(withCase(line, upper), 'latin1');
      const n = 'pick' in o ? o.pick % (count + 2) : 0; // 0 and count + 1 are never messages
      const exists = n >= 1 && n <= count && !deleted.has(n);
      switch (o.kind) {
        case 'STAT': {
          const expected = { count: live().length, octets: live().reduce((a, m) => a + wireSize(drop.get(uids.get(m)!)!), 0) };
          return { line: text('STAT'), check: async () => {
            const r = await s.expectOk('STAT');
            expect(r.text, 'STAT').toBe(`${expected.count} ${expected.octets}`);
          } };
        }
        case 'LIST':
        case 'UIDL': {
          const expected = live().map((m) => `${m} ${o.kind === 'LIST' ? wireSize(drop.get(uids.get(m)!)!) : uids.get(m)}`);
          return { line: text(o.kind), check: async () => {
            await s.expectOk(o.kind);
            expect((await s.readBody(o.kind)).lines.map((l) => l.toString('latin1')), o.kind).toEqual(expected);
          } };
        }
        case 'LIST n':
        case 'UIDL n': {
          const verb = o.kind.slice(0, 4);
          const value = exists ? (verb === 'LIST' ? wireSize(drop.get(uids.get(n)!)!) : uids.get(n)) : undefined;
          return { line: text(`${verb} ${n}`), check: async () => {
            if (!exists) return void (await s.expectErr(`${verb} ${n}`));
            expect((await s.expectOk(`${verb} ${n}`)).text).toBe(`${n} ${value}`);
          } };
        }
        case 'RETR':
        case 'TOP': {
          const wire = exists ? onTheWire(drop.get(uids.get(n)!)!) : undefined;
          const expected = wire && (o.kind === 'TOP' ? topOf(wire, o.lines) : wire);
          const line = o.kind === 'TOP' ? `TOP ${n} ${o.lines}` : `RETR ${n}`;
          return { line: text(line), check: async () => {
            if (!exists) return void (await s.expectErr(line));
            await s.expectOk(line);
            expect(joinLines((await s.readBody(line)).lines).toString('latin1'), `${line} byte-exact`).toBe(expected!.toString('latin1'));
          } };
        }
        case 'DELE': {
          if (exists) deleted.add(n);
          return { line: text(`DELE ${n}`), check: async () => void (await s.expectStatus(exists, `DELE ${n}`)) };
        }
        case 'RSET':
          deleted.clear();
          return { line: text('RSET'), check: async () => void (await s.expectOk('RSET')) };
        case 'NOOP':
          return { line: text('NOOP'), check: async () => void (await s.expectOk('NOOP')) };
        case 'bad':
          return { line: o.line, check: async () => void (await s.expectErr(`${o.line.toString('latin1').slice(0, 40)} is not a valid command here`)) };
      }
    });
    const crlf = Buffer.from('\r\n');
    if (plan.pipelined) {
      await writeInPieces(s, Buffer.concat(steps.flatMap((st) => [st.line, crlf])), plan.cuts);
      for (const st of steps) await st.check();
    } else {
      for (const st of steps) {
        await writeInPieces(s, Buffer.concat([st.line, crlf]), plan.cuts);
        await st.check();
      }
    }
    switch (plan.ending) {
      case 'quit':
        await s.quit();
        for (const n of deleted) drop.delete(uids.get(n)!);
        break;
      case 'drop':
        s.close();
        break;
      case 'half-close':
        await s.conn.end();
        expect(await s.closedByServer(), 'the server ends a session the client half-closed').toBe(true);
        break;
      case 'drop-mid-command':
        await s.send(count > 0 ? 'RETR 1\r\n' : 'LIST\r\n');
        s.close();
        break;
    }
  } finally {
    s.close();
  }
}

/** Runs one chaos client; it may hang up or be hung up on at any point. */
async function runChaos(port: number, plan: ChaosPlan): Promise<void> {
  const conn = await connectTcp({ port, timeoutMs: 3000 });
  const reading = (async () => {
    for (;;) if ((await conn.readAvailable({ timeoutMs: 5000 }).catch(() => null)) === null) return;
  })();
  try {
    for (const piece of plan.pieces) {
      await conn.write(piece);
      await new Promise((r) => setImmediate(r));
    }
    if (plan.ending === 'destroy') conn.destroy();
    else await conn.end();
  } catch {
    // The server may hang up first (a QUIT inside the garbage).
  }
  await reading;
  conn.destroy();
}

const track = closeAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

test('random sessions: every reply as RFC 1939 says, QUIT deletes exactly what was marked, anything else deletes nothing', async () => {
  const errors = vi.spyOn(console, 'error');
  let sessions = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(fc.array(storedMessage, { maxLength: 6 }), fc.array(storedMessage, { maxLength: 6 })),
      fc.tuple(fc.array(session, { minLength: 1, maxLength: 4 }), fc.array(session, { minLength: 1, maxLength: 4 })),
      fc.array(chaosClient, { maxLength: 5 }),
      async (stored, plans, chaos) => {
        const root = await makeMailRoot();
        let server: Pop3Server | undefined;
        try {
          const drops = new Map<string, Maildrop>();
          for (const [i, user] of TRACKED.entries()) {
            const drop: Maildrop = new Map();
            for (const plan of stored[i]!) {
              const bytes = messageBytes(plan);
              drop.set(await writeMessage(root, user, bytes, { folder: plan.folder, flags: plan.flags }), bytes);
            }
            drops.set(user, drop);
          }
          await writeMessage(root, 'chaos', Buffer.from('Subject: chaos\r\n\r\n.\r\n'));
          server = track(await startPop3Server({ maildir: root, users: USERS, hostname: 'fuzz.wirelab.test', idleTimeoutMs: 5000 }));
          const port = server.port;
          await Promise.all([
            ...TRACKED.map(async (user, i) => {
              for (const plan of plans[i]!) await runSession(port, user, USERS.get(user)!, drops.get(user)!, plan);
            }),
            ...chaos.map((plan) => runChaos(port, plan)),
          ]);
          sessions += plans[0].length + plans[1].length + chaos.length;
          // A well-formed client is still served, and sees what the model says.
          for (const user of TRACKED) {
            const witness = await loginWhenUnlocked(port, user, USERS.get(user)!, 3000);
            const drop = drops.get(user)!;
            expect(await witness.stat(), `${user}: STAT after all sessions`).toEqual({ count: drop.size, octets: [...drop.values()].reduce((a, b) => a + wireSize(b), 0) });
            await witness.quit();
            witness.close();
          }
          await server.close();
          for (const user of TRACKED) {
            const onDisk = await readMaildir(root, user, ['tmp', 'new', 'cur']);
            const drop = drops.get(user)!;
            expect(onDisk.filter((m) => m.folder === 'tmp'), `${user}/tmp/ is empty`).toEqual([]);
            expect(onDisk.map((m) => m.unique).sort(), `${user}: exactly the messages not deleted by a QUIT`).toEqual([...drop.keys()].sort());
            for (const m of onDisk) expect(m.bytes.equals(drop.get(m.unique)!), `${user}/${m.file} is unchanged`).toBe(true);
          }
        } finally {
          await server?.close();
          await removeMailRoot(root);
        }
      },
    ),
    {
      numRuns: 40,
      seed: 0x9093,
      endOnFailure: true,
      reporter: (details) => {
        if (details.failed) throw new Error(`property failed (seed ${details.seed}, path ${details.counterexamplePath}): ${String(details.errorInstance)}`);
      },
    },
  );
  expect(errors, 'no connection handler ever failed').not.toHaveBeenCalled();
  expect(sessions, 'a few hundred sessions').toBeGreaterThan(200);
}, 60_000);
