/**
 * Reliability of the reference SMTP server (run against solutions/): fast-check
 * throws thousands of random and malformed sessions at it — garbage bytes,
 * random command lines, overlong lines, half transactions, clients vanishing
 * mid-DATA — while well-formed clients send random messages (dots, bare LFs,
 * 8-bit bytes, odd chunking, pipelining) alongside. Properties:
 *   - it never crashes nor logs a handler error, and every byte it sends is a
 *     well-formed reply line;
 *   - well-formed clients keep getting the right replies;
 *   - every message acknowledged with 250 is in each recipient's Maildir
 *     exactly once and byte-exact; none that was not acknowledged is there;
 *     tmp/ is empty once the server has closed.
 * Seeded and bounded (~10 s).
 */
import fc from 'fast-check';
import { afterEach, expect, test, vi } from 'vitest';
import { connectTcp } from '../../lib/index.ts';
import { SmtpScript, dotStuff } from '../helpers/smtp-session.ts';
import { maildirServerAfterEach } from '../helpers/smtp-maildir-server.ts';
import { listMaildir, readNewMail, removeMaildirRoot, withoutReceived } from '../helpers/smtp-session-maildir.ts';

const DOMAIN = 'mail.test';
const MAX_MESSAGE_BYTES = 4096;
const TRACKED = ['trk', 'trk2'] as const;

// ---- what a chaos client sends: anything at all ----------------------------

const VERBS = ['EHLO', 'HELO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'STARTTLS', 'AUTH', 'BDAT'];
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
/** Bytes that make parsers work: delimiters, dots, 8-bit, NUL. */
const nastyByte = fc.oneof(fc.constantFrom(0x0d, 0x0a, 0x2e, 0x3c, 0x3e, 0x40, 0x3a, 0x20, 0x22, 0x5c, 0x00, 0x80, 0xff), fc.integer({ min: 0, max: 255 }));
const nastyBytes = (maxLength: number) => fc.array(nastyByte, { maxLength }).map((a) => Uint8Array.from(a));
const randomCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const chaosPiece = fc.oneof(
  nastyBytes(300).map((b) => Buffer.from(b)),
  fc.tuple(fc.constantFrom(...VERBS).chain(randomCase), nastyBytes(60), fc.constantFrom('\r\n', '\n', '\r', ''))
    .map(([verb, args, end]) => Buffer.from(`${verb} ${latin1(args)}${end}`, 'latin1')),
  fc.constantFrom('MAIL FROM:<c@x.test>\r\n', 'RCPT TO:<chaos@mail.test>\r\n', 'RCPT TO:<x@other.test>\r\n', 'DATA\r\n', '\r\n.\r\n', '.\r\n', 'EHLO c\r\n', 'MAIL FROM:<> SIZE=99999999\r\n')
    .map((s) => Buffer.from(s)),
  fc.integer({ min: 500, max: 5000 }).map((n) => Buffer.from(`NOOP ${'x'.repeat(n)}\r\n`)),
);
const chaosClient = fc.record({
  pieces: fc.array(chaosPiece, { minLength: 1, maxLength: 12 }),
  ending: fc.constantFrom('destroy', 'end', 'quit'),
});
type ChaosClient = typeof chaosClient extends fc.Arbitrary<infer T> ? T : never;

// ---- what a tracked client does: a well-formed session with known answers ----

/** Malformed or out-of-place commands sent after EHLO, outside a transaction, with the reply they must get. */
const PRELUDES: ReadonlyArray<readonly [string, number]> = [
  ['MAIL FROM:bad', 501],
  ['FROB', 500],
  ['RCPT TO:<trk@mail.test>', 503],
  ['DATA', 503],
  [`NOOP ${'y'.repeat(700)}`, 500],
  ['mail from:<a@b.test> BOGUS=1', 555],
  ['RSET', 250],
  ['VRFY trk', 252],
  ['noop', 250],
];
/** One message line: no CRLF pair inside (the generator joins lines with CRLF), but lone CR, LF, dots and 8-bit bytes. */
const messageLine = fc
  .array(fc.oneof(fc.constantFrom(0x2e, 0x0a, 0x0d, 0x20, 0x80, 0xe9, 0xff), fc.integer({ min: 0x21, max: 0x7e })), { maxLength: 120 })
  .map((a) => Buffer.from(a).toString('latin1').replace(/\r\n/g, '\r_').replace(/\r$/, '\r_'))
  .map((s) => Buffer.from(s, 'latin1'));
const trackedClient = fc.record({
  preludes: fc.array(fc.constantFrom(...PRELUDES), { maxLength: 3 }),
  recipients: fc.subarray([...TRACKED], { minLength: 1 }),
  lines: fc.array(messageLine, { maxLength: 30 }),
  mode: fc.constantFrom('normal', 'normal', 'pipelined', 'too-big', 'vanish', 'rset'),
  cuts: fc.array(fc.integer({ min: 1, max: 97 }), { maxLength: 6 }),
  vanishAt: fc.double({ min: 0, max: 1, noNaN: true }),
});
type TrackedClient = typeof trackedClient extends fc.Arbitrary<infer T> ? T : never;

let sessionCounter = 0;

/** Writes `bytes` in pieces at the given percent cut points, yielding between them. */
async function writeInPieces(s: SmtpScript, bytes: Buffer, cuts: readonly number[]): Promise<void> {
  const points = [...new Set(cuts.map((c) => Math.floor((bytes.length * c) / 100)))].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b);
  let at = 0;
  for (const p of [...points, bytes.length]) {
    await s.send(bytes.subarray(at, p));
    at = p;
    await new Promise((r) => setImmediate(r));
  }
}

/** Runs one tracked session; returns the message if the server acknowledged it with 250. */
async function runTracked(port: number, plan: TrackedClient): Promise<{ message: Buffer; to: readonly string[] } | undefined> {
  const id = ++sessionCounter;
  let body = Buffer.concat(plan.lines.flatMap((l) => [l, Buffer.from('\r\n')]));
  if (plan.mode === 'too-big') body = Buffer.concat([body, Buffer.from(`${'z'.repeat(900)}\r\n`.repeat(Math.ceil(MAX_MESSAGE_BYTES / 900)))]);
  const message = Buffer.concat([Buffer.from(`X-Fuzz-Id: ${id}\r\n\r\n`), body]);
  const s = await SmtpScript.open(port);
  try {
    await s.command('EHLO fuzz.test', 250, 'EHLO');
    for (const [line, code] of plan.preludes) await s.command(line, code, line.slice(0, 30));
    const rcpts = plan.recipients.map((r) => `RCPT TO:<${r}@${DOMAIN}>`);
    if (plan.mode === 'pipelined') {
      await s.send(['MAIL FROM:<f@fuzz.test>', ...rcpts, 'DATA'].map((l) => `${l}\r\n`).join(''));
      await s.expectReply(250, 'MAIL');
      for (const r of rcpts) await s.expectReply(250, r);
      await s.expectReply(354, 'DATA');
      await s.send(Buffer.concat([dotStuff(message), Buffer.from('QUIT\r\n')]));
      await s.expectReply(250, 'end of data');
      await s.expectReply(221, 'QUIT');
      return { message, to: plan.recipients };
    }
    await s.command('MAIL FROM:<f@fuzz.test>', 250, 'MAIL');
    for (const r of rcpts) await s.command(r, 250, r);
    if (plan.mode === 'rset') {
      await s.command('RSET', 250, 'RSET');
      await s.command('QUIT', 221, 'QUIT');
      return undefined;
    }
    await s.command('DATA', 354, 'DATA');
    const stuffed = dotStuff(message);
    if (plan.mode === 'vanish') {
      // Never the whole terminator: the last ".\r\n" is 3 bytes, cut before it.
      await writeInPieces(s, stuffed.subarray(0, Math.floor(plan.vanishAt * (stuffed.length - 3))), plan.cuts);
      return undefined;
    }
    await writeInPieces(s, stuffed, plan.cuts);
    if (plan.mode === 'too-big') {
      await s.expectReply(552, 'message over the limit');
      await s.command('QUIT', 221, 'QUIT');
      return undefined;
    }
    await s.expectReply(250, 'end of data');
    await s.command('QUIT', 221, 'QUIT');
    return { message, to: plan.recipients };
  } finally {
    s.close();
  }
}

/** Runs one chaos session; fails if the server ever sends something that is not a reply line. */
async function runChaos(port: number, plan: ChaosClient): Promise<void> {
  const conn = await connectTcp({ port, timeoutMs: 3000 });
  const received: Buffer[] = [];
  const reading = (async () => {
    for (;;) {
      const chunk = await conn.readAvailable({ timeoutMs: 5000 }).catch(() => null);
      if (chunk === null) return;
      received.push(chunk);
    }
  })();
  try {
    for (const piece of plan.pieces) {
      await conn.write(piece);
      await new Promise((r) => setImmediate(r));
    }
    if (plan.ending === 'quit') await conn.write('\r\nQUIT\r\n');
    if (plan.ending === 'destroy') conn.destroy();
    else await conn.end();
  } catch {
    // The server may hang up first (QUIT inside the garbage); that is fine.
  }
  await reading;
  conn.destroy();
  const text = Buffer.concat(received).toString('latin1');
  const complete = text.slice(0, text.lastIndexOf('\r\n') + 2);
  for (const line of complete.split('\r\n').slice(0, -1)) expect(line, 'every line the server sends is a reply').toMatch(/^[2-5]\d\d[ -][\x20-\x7e]*$/);
  if (plan.ending !== 'destroy') expect(text.endsWith('\r\n') || text === '', 'the server never leaves half a reply').toBe(true);
}

const startServer = maildirServerAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

test('random and malformed sessions never break the server, and 250 means delivered exactly once, byte-exact', async () => {
  const errors = vi.spyOn(console, 'error');
  let sessions = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(chaosClient, { minLength: 10, maxLength: 25 }), fc.array(trackedClient, { minLength: 3, maxLength: 10 }), async (chaos, tracked) => {
      const { server, root } = await startServer({ domains: [DOMAIN], hostname: 'fuzz.mail.test', maxMessageBytes: MAX_MESSAGE_BYTES, idleTimeoutMs: 5000 });
      const [acked] = await Promise.all([
        Promise.all(tracked.map((plan) => runTracked(server.port, plan))),
        Promise.all(chaos.map((plan) => runChaos(server.port, plan))),
      ]);
      sessions += chaos.length + tracked.length;
      // A well-formed client is still served after all that.
      const witness = await SmtpScript.open(server.port);
      await witness.command('EHLO witness.test', 250, 'EHLO after the chaos');
      await witness.command('QUIT', 221, 'QUIT');
      witness.close();
      await server.close();
      for (const mailbox of TRACKED) {
        const expected = acked.filter((a) => a !== undefined && a.to.includes(mailbox)).map((a) => a!.message.toString('latin1')).sort();
        const stored = (await readNewMail(root, mailbox)).map((m) => withoutReceived(m)?.toString('latin1')).sort();
        expect(stored, `${mailbox}: exactly the acknowledged messages, once each, byte-exact`).toEqual(expected);
        expect(await listMaildir(root, mailbox, 'tmp'), `${mailbox}/tmp/ is empty`).toEqual([]);
      }
      expect(await listMaildir(root, 'chaos', 'tmp'), 'chaos/tmp/ is empty').toEqual([]);
      await removeMaildirRoot(root);
    }),
    {
      numRuns: 200,
      seed: 0x5e1f,
      endOnFailure: true,
      // The counterexample holds megabytes of garbage: report the error and how to replay it, not the value.
      reporter: (details) => {
        if (details.failed) throw new Error(`property failed (seed ${details.seed}, path ${details.counterexamplePath}): ${String(details.errorInstance)}`);
      },
    },
  );
  expect(errors, 'no connection handler ever failed').not.toHaveBeenCalled();
  expect(sessions).toBeGreaterThan(2000);
}, 60_000);
