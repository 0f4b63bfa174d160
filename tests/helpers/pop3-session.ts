/**
 * A scripted POP3 client for tests: send exact command lines, read status
 * lines (`+OK …` / `-ERR …`) and multi-line responses (up to the lone `.`,
 * dots un-stuffed), and check each against what RFC 1939 says, with the
 * first wrong reply marked in the transcript so the student sees where the
 * dialogue went wrong.
 *
 *   const s = await Pop3Script.open(server.port, transcript);
 *   await s.login('bob', 'secret');
 *   const { count, octets } = await s.stat();
 *   const message = await s.retr(1);
 */
import { expect } from 'vitest';
import { connectTcp, type Connection, type Transcript } from '../../lib/index.ts';

/** One status line as the server sent it. */
export interface Pop3Reply {
  ok: boolean;
  /** What follows `+OK ` / `-ERR ` (may be empty). */
  text: string;
  /** The whole line, without CRLF. */
  line: string;
}

/** A multi-line response: its status line and the lines before the lone dot. */
export interface Pop3Multiline {
  reply: Pop3Reply;
  /** Each line exactly as received (still dot-stuffed), without CRLF. */
  raw: Buffer[];
  /** Each line with the stuffed dot taken off (what the server meant). */
  lines: Buffer[];
}

/** How long a test waits for any one line. */
export const REPLY_TIMEOUT_MS = 3000;

/** `+OK` or `-ERR`, optionally a space and text (RFC 1939 §3: the indicators are upper case). */
const STATUS = /^(\+OK|-ERR)(?: (.*))?$/s;
/** `+OK count octets`, optionally more after a space (RFC 1939 §5 STAT: "no requirement on what follows"). */
const DROP_LISTING = /^(\d+) (\d+)(?: .*)?$/;
const SCAN_LISTING = /^(\d+) (\d+)(?: .*)?$/;
/** RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E. */
const UNIQUE_ID_LISTING = /^(\d+) ([\x21-\x7e]{1,70})$/;

const CRLF = Buffer.from('\r\n');

/** A client connection that speaks POP3 line by line, exactly as the test says. */
export class Pop3Script {
  private constructor(
    readonly conn: Connection,
    private readonly transcript: Transcript | undefined,
  ) {}

  /** Connects (recording into `transcript`) without reading the greeting. */
  static async connect(port: number, transcript?: Transcript, host = '127.0.0.1'): Promise<Pop3Script> {
    const conn = await connectTcp({ host, port, timeoutMs: 3000, lineEnding: 'crlf', maxLineBytes: 1 << 20, ...(transcript ? { transcript } : {}) });
    return new Pop3Script(conn, transcript);
  }

  /** Connects and checks the greeting is `+OK`. */
  static async open(port: number, transcript?: Transcript, host = '127.0.0.1'): Promise<Pop3Script> {
    const session = await Pop3Script.connect(port, transcript, host);
    await session.expectOk('a +OK greeting as soon as the client connects');
    return session;
  }

  /** Reads one line (bytes, CRLF taken off); fails on silence or end of stream. */
  async readLine(what: string, timeoutMs = REPLY_TIMEOUT_MS): Promise<Buffer> {
    let line: Buffer | null;
    try {
      line = await this.conn.readLineBytes({ timeoutMs });
    } catch (error) {
      this.transcript?.expect(`expected ${what} here (${(error as Error).message})`);
      throw new Error(`expected ${what}: ${(error as Error).message}`);
    }
    if (line === null) {
      this.transcript?.expect(`expected ${what}, but the server closed the connection`);
      throw new Error(`expected ${what}, but the server closed the connection`);
    }
    return line;
  }

  /** Reads one status line. Fails on garbage, silence or a closed connection. */
  async reply(timeoutMs = REPLY_TIMEOUT_MS): Promise<Pop3Reply> {
    const line = (await this.readLine('a status line (+OK or -ERR)', timeoutMs)).toString('latin1');
    const match = STATUS.exec(line);
    if (!match) {
      this.transcript?.expect('expected a status line: "+OK" or "-ERR", then a space and text (or nothing)', 'server');
      throw new Error(`not a POP3 status line: ${JSON.stringify(line)}`);
    }
    return { ok: match[1] === '+OK', text: match[2] ?? '', line };
  }

  /** Reads a status line and checks it is +OK (`want` true) or -ERR; `why` tells the student what was expected. */
  async expectStatus(want: boolean, why: string): Promise<Pop3Reply> {
    const r = await this.reply();
    const wanted = want ? '+OK' : '-ERR';
    if (r.ok !== want) this.transcript?.expect(`expected ${wanted}: ${why}`, 'server');
    expect(r.ok ? '+OK' : '-ERR', `expected ${wanted}: ${why}; got ${JSON.stringify(r.line)}`).toBe(wanted);
    return r;
  }

  /** Reads a status line and checks it is +OK. */
  expectOk(why: string): Promise<Pop3Reply> {
    return this.expectStatus(true, why);
  }

  /** Reads a status line and checks it is -ERR. */
  expectErr(why: string): Promise<Pop3Reply> {
    return this.expectStatus(false, why);
  }

  /** Sends one command line (CRLF added) and checks the reply is +OK. */
  async ok(line: string, why: string): Promise<Pop3Reply> {
    await this.send(`${line}\r\n`);
    return this.expectOk(why);
  }

  /** Sends one command line (CRLF added) and checks the reply is -ERR. */
  async err(line: string, why: string): Promise<Pop3Reply> {
    await this.send(`${line}\r\n`);
    return this.expectErr(why);
  }

  /** Reads the lines of a multi-line response after its +OK, up to the lone dot. */
  async readBody(what: string): Promise<{ raw: Buffer[]; lines: Buffer[] }> {
    const raw: Buffer[] = [];
    for (;;) {
      const line = await this.readLine(`${what}, ended by a line with a single "."`);
      if (line.length === 1 && line[0] === 0x2e) break;
      raw.push(line);
    }
    return { raw, lines: raw.map((l) => (l[0] === 0x2e ? l.subarray(1) : l)) };
  }

  /** Sends a command whose +OK starts a multi-line response; reads it whole. */
  async multiline(line: string, why: string): Promise<Pop3Multiline> {
    await this.send(`${line}\r\n`);
    const reply = await this.expectOk(why);
    return { reply, ...(await this.readBody(`the lines of the response to ${line.split(' ')[0]}`)) };
  }

  /** USER then PASS, both checked +OK. */
  async login(user: string, password: string): Promise<void> {
    await this.ok(`USER ${user}`, `USER ${user} names a user the server knows`);
    await this.ok(`PASS ${password}`, `PASS with ${user}'s right password logs in`);
  }

  /** STAT, checked to be exactly `+OK count octets`. */
  async stat(why = 'STAT is answered with +OK count octets'): Promise<{ count: number; octets: number }> {
    const r = await this.ok('STAT', why);
    const match = DROP_LISTING.exec(r.text);
    if (!match) {
      this.transcript?.expect('expected "+OK count octets": +OK, a space, the number of messages, a space, their size', 'server');
      throw new Error(`STAT reply is not "+OK count octets": ${JSON.stringify(r.line)}`);
    }
    return { count: Number(match[1]), octets: Number(match[2]) };
  }

  /** LIST (multi-line): message number → size. Checks the scan listing format. */
  async list(): Promise<Map<number, number>> {
    const { lines } = await this.multiline('LIST', 'LIST without argument is answered +OK and a scan listing');
    return this.parseListing(lines, SCAN_LISTING, 'LIST', 'a scan listing line: message number, a space, size in octets', Number);
  }

  /** LIST n (one line): its size. */
  async listOne(n: number, why: string): Promise<number> {
    const r = await this.ok(`LIST ${n}`, why);
    const match = SCAN_LISTING.exec(r.text);
    if (!match || Number(match[1]) !== n) {
      this.transcript?.expect(`expected "+OK ${n} size": the message number, a space, its size`, 'server');
      throw new Error(`LIST ${n} reply is not "+OK ${n} size": ${JSON.stringify(r.line)}`);
    }
    return Number(match[2]);
  }

  /** UIDL (multi-line): message number → unique-id. */
  async uidl(): Promise<Map<number, string>> {
    const { lines } = await this.multiline('UIDL', 'UIDL without argument is answered +OK and a unique-id listing');
    return this.parseListing(lines, UNIQUE_ID_LISTING, 'UIDL', 'a unique-id listing line: message number, a space, 1 to 70 printable characters', String);
  }

  /** UIDL n (one line): its unique-id. */
  async uidlOne(n: number, why: string): Promise<string> {
    const r = await this.ok(`UIDL ${n}`, why);
    const match = UNIQUE_ID_LISTING.exec(r.text);
    if (!match || Number(match[1]) !== n) {
      this.transcript?.expect(`expected "+OK ${n} unique-id"`, 'server');
      throw new Error(`UIDL ${n} reply is not "+OK ${n} unique-id": ${JSON.stringify(r.line)}`);
    }
    return match[2]!;
  }

  /** RETR n: the message as sent (lines un-stuffed, each followed by CRLF). */
  async retr(n: number, why = `RETR ${n} is answered +OK and the message`): Promise<Buffer> {
    const { lines } = await this.multiline(`RETR ${n}`, why);
    return joinLines(lines);
  }

  /** Sends raw bytes, exactly as given (strings as latin1). */
  async send(bytes: string | Uint8Array): Promise<void> {
    await this.conn.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Resolves true if the server closes the connection (sending nothing more) within the time limit. */
  async closedByServer(timeoutMs = REPLY_TIMEOUT_MS): Promise<boolean> {
    try {
      return (await this.conn.readLineBytes({ timeoutMs })) === null;
    } catch {
      return false;
    }
  }

  /** QUIT, checked +OK, and the server must then close the connection. */
  async quit(why = 'QUIT is answered with +OK'): Promise<void> {
    await this.ok('QUIT', why);
    if (!(await this.closedByServer())) {
      this.transcript?.expect('expected the server to close the connection after its +OK to QUIT');
      throw new Error('the server did not close the connection after QUIT');
    }
  }

  /** Drops the connection at once (no QUIT): a client that vanished. */
  close(): void {
    this.conn.destroy();
  }

  private parseListing<T>(lines: Buffer[], pattern: RegExp, command: string, shape: string, convert: (s: string) => T): Map<number, T> {
    const result = new Map<number, T>();
    for (const raw of lines) {
      const line = raw.toString('latin1');
      const match = pattern.exec(line);
      if (!match) {
        this.transcript?.expect(`expected ${shape}`, 'server');
        throw new Error(`${command} listing line is not ${shape}: ${JSON.stringify(line)}`);
      }
      const n = Number(match[1]);
      if (result.has(n)) throw new Error(`${command} lists message ${n} twice`);
      result.set(n, convert(match[2]!));
    }
    return result;
  }
}

/** Lines back into a message: each followed by CRLF. */
export function joinLines(lines: readonly Buffer[]): Buffer {
  return Buffer.concat(lines.flatMap((l) => [l, CRLF]));
}

/** What goes on the wire for a message in a multi-line response: leading dots doubled (the message ends with CRLF). */
export function dotStuff(message: Buffer): Buffer {
  return Buffer.from(message.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
}

/** Undoes {@link dotStuff}: one dot less on every line that starts with one. */
export function dotUnstuff(stuffed: Buffer): Buffer {
  return Buffer.from(stuffed.toString('latin1').replace(/(^|\r\n)\./g, '$1'), 'latin1');
}

/**
 * Logs in and retries while the maildrop is still locked by a session the
 * server has not yet seen end (a dropped connection takes it a moment):
 * returns the logged-in session, or fails after `timeoutMs`.
 */
export async function loginWhenUnlocked(port: number, user: string, password: string, timeoutMs = 3000, transcript?: Transcript): Promise<Pop3Script> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await Pop3Script.open(port, transcript);
    await s.ok(`USER ${user}`, `USER ${user} names a user the server knows`);
    await s.send(`PASS ${password}\r\n`);
    const r = await s.reply();
    if (r.ok) return s;
    s.close();
    if (Date.now() > deadline) {
      transcript?.expect(`expected +OK: the maildrop should be free again within ${timeoutMs} ms`, 'server');
      throw new Error(`could not log in as ${user} within ${timeoutMs} ms: ${r.line}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
