/**
 * The reference POP3 server (solutions/06-pop3) judged by Python's standard
 * poplib, a client that has been fetching mail since 1997: it logs in,
 * reads STAT, LIST, UIDL and CAPA, fetches every message with RETR (poplib
 * un-stuffs the dots itself; we compare the bytes), reads TOP, deletes with
 * DELE + QUIT, and must see a wrong password refused.
 *
 * Runs where `python3` is on the PATH (.ci/run has it); skipped elsewhere.
 * poplib refuses lines over 2048 octets, so the messages here stay under it.
 */
import { describe, expect, test } from 'vitest';
import { startPop3Server } from '@impl/06-pop3/pop3-server.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { findTool, runTool, type ToolRun } from '../helpers/cli-process.ts';
import { crlf, lf, makeMailRoot, onTheWire, removeMailRoot, uniqueNames, wireSize, writeMessage } from '../helpers/pop3-maildir.ts';

const python = await findTool(['python3'], ['--version']);
const TEST_MS = 20_000;
const USERS = new Map([['bob', 'secret']]);

/**
 * One poplib session, printed as JSON: argv = host port user password mode.
 * mode `read`: CAPA, STAT, LIST, UIDL, UIDL 1, RETR and TOP n 1 of each message;
 * `delete-first`: the same, then DELE 1 before QUIT; `wrong`: USER, a refused PASS, QUIT.
 */
const SCRIPT = String.raw`
import base64, json, poplib, sys
host, port, user, password, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
out = {}
p = poplib.POP3(host, port, timeout=5)
out['welcome'] = p.getwelcome().decode('latin1')
if mode == 'wrong':
    p.user(user)
    try:
        p.pass_(password + 'x')
        out['login'] = 'accepted'
    except poplib.error_proto as e:
        out['login'] = 'refused'
        out['error'] = e.args[0].decode('latin1')
    out['quit'] = p.quit().decode('latin1')
    print(json.dumps(out))
    sys.exit(0)
try:
    out['capa'] = sorted(p.capa().keys())
except poplib.error_proto:
    out['capa'] = None
p.user(user)
p.pass_(password)
out['stat'] = list(p.stat())
out['list'] = [l.decode('latin1') for l in p.list()[1]]
out['uidl'] = [l.decode('latin1') for l in p.uidl()[1]]
out['uidl_one'] = p.uidl(1).decode('latin1') if out['uidl'] else None
out['messages'] = {}
out['tops'] = {}
for line in out['uidl']:
    n, uid = line.split(' ', 1)
    lines = p.retr(int(n))[1]
    out['messages'][uid] = base64.b64encode(b''.join(l + b'\r\n' for l in lines)).decode()
    lines = p.top(int(n), 1)[1]
    out['tops'][uid] = base64.b64encode(b''.join(l + b'\r\n' for l in lines)).decode()
if mode == 'delete-first':
    out['dele'] = p.dele(1).decode('latin1')
out['quit'] = p.quit().decode('latin1')
print(json.dumps(out))
`;

interface PoplibRun {
  welcome: string;
  capa?: string[] | null;
  stat?: [number, number];
  list?: string[];
  uidl?: string[];
  uidl_one?: string | null;
  messages?: Record<string, string>;
  tops?: Record<string, string>;
  dele?: string;
  quit: string;
  login?: 'accepted' | 'refused';
  error?: string;
}

/** What poplib printed and did, for failure messages. */
const report = (run: ToolRun) => `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}\n${run.stdout.toString('latin1')}${run.stderr.toString('latin1')}`;

/** Runs the script against `port` and parses its JSON. */
async function poplib(port: number, mode: 'read' | 'delete-first' | 'wrong'): Promise<PoplibRun> {
  const run = await runTool(python!, ['-c', SCRIPT, '127.0.0.1', String(port), 'bob', 'secret', mode], 15_000);
  expect(run.code, report(run)).toBe(0);
  return JSON.parse(run.stdout.toString('utf8')) as PoplibRun;
}

/** The first k body lines and everything before them, as TOP sends them. */
function topOf(wire: Buffer, k: number): string {
  const lines = wire.toString('latin1').split('\r\n').slice(0, -1);
  const blank = lines.indexOf('');
  return (blank === -1 ? lines : lines.slice(0, blank + 1 + k)).map((l) => `${l}\r\n`).join('');
}

const track = closeAfterEach();

/** A Maildir with bob's test messages; the server on it. */
async function setup(): Promise<{ port: number; root: string; stored: Map<string, Buffer> }> {
  const root = await makeMailRoot();
  track({ close: () => removeMailRoot(root) });
  const messages = [
    crlf('From: alice@a.test', 'To: bob@mail.test', 'Subject: plain', '', 'Hello Bob,', 'see you.'),
    crlf('Subject: dots', '', '.', '..', '.hidden', 'a.b', 'end.'),
    lf('From: cron@localhost', 'Subject: bare LF', '', 'written by a Unix tool', '.dot line'),
    Buffer.concat([
      crlf('Subject: 8bit', 'Content-Type: text/plain; charset=utf-8', ''),
      Buffer.from('Grüße, café, ☃\r\n', 'utf8'),
      Buffer.from([0x80, 0xfe, 0xff, 0x00, 0x0d, 0x0a]),
      crlf('x'.repeat(1500), 'last'),
    ]),
  ];
  const stored = new Map<string, Buffer>();
  for (const [i, bytes] of messages.entries()) stored.set(await writeMessage(root, 'bob', bytes, { folder: i === 3 ? 'cur' : 'new', flags: 'S' }), bytes);
  const server = track(await startPop3Server({ maildir: root, users: USERS, hostname: 'pop.wirelab.test' }));
  return { port: server.port, root, stored };
}

describe.skipIf(python === undefined)(
  `the reference POP3 server judged by Python's poplib${python === undefined ? ' (skipped: python3 is not installed)' : ''}`,
  () => {
    test('poplib logs in and reads STAT, LIST, UIDL, every message byte for byte, and TOP', async () => {
      const { port, stored } = await setup();
      const run = await poplib(port, 'read');
      expect(run.welcome).toMatch(/^\+OK/);
      const total = [...stored.values()].reduce((a, b) => a + wireSize(b), 0);
      expect(run.stat, 'poplib parses STAT as (count, octets)').toEqual([stored.size, total]);
      expect(run.uidl!.map((l) => l.split(' ')[1]).sort(), 'UIDL: the Maildir unique names').toEqual([...stored.keys()].sort());
      expect(run.uidl_one, 'UIDL 1 agrees with the listing').toBe(`+OK ${run.uidl![0]}`);
      const sizeOf = new Map(run.list!.map((l) => l.split(' ').map(Number) as [number, number]));
      for (const line of run.uidl!) {
        const [n, uid] = line.split(' ') as [string, string];
        const wire = onTheWire(stored.get(uid)!);
        expect(Buffer.from(run.messages![uid]!, 'base64').toString('latin1'), `RETR ${n} (${uid}) byte for byte`).toBe(wire.toString('latin1'));
        expect(Buffer.from(run.tops![uid]!, 'base64').toString('latin1'), `TOP ${n} 1`).toBe(topOf(wire, 1));
        expect(sizeOf.get(Number(n)), `LIST ${n}`).toBe(wire.length);
      }
      expect(run.quit).toMatch(/^\+OK/);
    }, TEST_MS);

    test('poplib deletes with DELE and QUIT; the next session sees one message fewer', async () => {
      const { port, root, stored } = await setup();
      const first = await poplib(port, 'delete-first');
      expect(first.dele).toMatch(/^\+OK/);
      const doomed = first.uidl![0]!.split(' ')[1]!;
      expect(await uniqueNames(root, 'bob'), 'the deleted file is gone, the others stay').toEqual([...stored.keys()].filter((u) => u !== doomed).sort());
      const second = await poplib(port, 'read');
      expect(second.stat![0]).toBe(stored.size - 1);
      expect(second.uidl!.map((l) => l.split(' ')[1])).not.toContain(doomed);
    }, TEST_MS);

    test('poplib sees a wrong password refused, and CAPA answered either way', async () => {
      const { port } = await setup();
      const wrong = await poplib(port, 'wrong');
      expect(wrong.login, 'poplib raises error_proto for the -ERR to PASS').toBe('refused');
      expect(wrong.error).toMatch(/^-ERR/);
      expect(wrong.quit).toMatch(/^\+OK/);
      const right = await poplib(port, 'read');
      // CAPA is optional (RFC 2449); if offered, poplib parsed the list.
      if (right.capa !== null) expect(right.capa).toEqual(expect.arrayContaining(['TOP', 'UIDL', 'USER']));
    }, TEST_MS);
  },
);
