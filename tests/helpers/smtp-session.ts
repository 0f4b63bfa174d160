/**
 * A scripted SMTP client for tests: send exact bytes, read replies (multi-line
 * ones whole), and check codes with the failure marked in the transcript so
 * the student sees where the dialogue went wrong.
 */
import { expect } from 'vitest';
import { connectTcp, type Connection, type Transcript } from '../../lib/index.ts';

/** One reply as the server sent it. */
export interface SmtpReply {
  code: number;
  /** The text of each line, without code and separator. */
  lines: string[];
}

/** How long a test waits for any one reply. */
export const REPLY_TIMEOUT_MS = 3000;

/** A client connection that speaks SMTP line by line, exactly as the test says. */
export class SmtpScript {
  private constructor(
    readonly conn: Connection,
    private readonly transcript: Transcript | undefined,
  ) {}

  /** Connects (recording into `transcript`) without reading the greeting. */
  static async connect(port: number, transcript?: Transcript, host = '127.0.0.1'): Promise<SmtpScript> {
    const conn = await connectTcp({ host, port, timeoutMs: 3000, lineEnding: 'crlf', maxLineBytes: 64 * 1024, ...(transcript ? { transcript } : {}) });
    return new SmtpScript(conn, transcript);
  }

  /** Connects, reads the greeting and checks it is 220. */
  static async open(port: number, transcript?: Transcript): Promise<SmtpScript> {
    const session = await SmtpScript.connect(port, transcript);
    await session.expectReply(220, 'a 220 greeting as soon as the client connects');
    return session;
  }

  /** Reads one whole reply (`250-…` lines up to the `250 …` one). Fails on garbage or silence. */
  async reply(timeoutMs = REPLY_TIMEOUT_MS): Promise<SmtpReply> {
    const lines: string[] = [];
    for (;;) {
      let line: string | null;
      try {
        line = await this.conn.readLine({ timeoutMs });
      } catch (error) {
        this.transcript?.expect(`expected a reply here (${(error as Error).message})`);
        throw error;
      }
      if (line === null) {
        this.transcript?.expect('expected a reply, but the server closed the connection');
        throw new Error('the server closed the connection instead of replying');
      }
      const match = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!match) {
        this.transcript?.expect('expected a reply line: three digits, then a space or a dash', 'server');
        throw new Error(`not an SMTP reply line: ${JSON.stringify(line)}`);
      }
      lines.push(match[3]!);
      if (match[2] === ' ') return { code: Number(match[1]), lines };
    }
  }

  /** Reads a reply and checks its code; `why` tells the student what was expected. */
  async expectReply(code: number, why: string): Promise<SmtpReply> {
    const r = await this.reply();
    if (r.code !== code) this.transcript?.expect(`expected ${code}: ${why}`, 'server');
    expect(r.code, `expected ${code}: ${why}; got ${r.code} ${r.lines.join(' / ')}`).toBe(code);
    return r;
  }

  /** Sends one command line (CRLF added) and checks the reply code. */
  async command(line: string, code: number, why: string): Promise<SmtpReply> {
    await this.conn.writeLine(line);
    return this.expectReply(code, why);
  }

  /** Sends raw bytes, exactly as given. */
  async send(bytes: string | Uint8Array): Promise<void> {
    await this.conn.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Resolves true if the server closes the connection within the time limit. */
  async closedByServer(timeoutMs = REPLY_TIMEOUT_MS): Promise<boolean> {
    try {
      return (await this.conn.readLine({ timeoutMs })) === null;
    } catch {
      return false;
    }
  }

  /** EHLO (checked 250), MAIL FROM and RCPT TO for each recipient (each checked 250), DATA (checked 354). */
  async startMessage(from: string, to: readonly string[]): Promise<void> {
    await this.command('EHLO client.test', 250, 'EHLO is answered with 250');
    await this.command(`MAIL FROM:<${from}>`, 250, 'MAIL FROM with a valid address is accepted');
    for (const rcpt of to) await this.command(`RCPT TO:<${rcpt}>`, 250, `RCPT TO:<${rcpt}> is a local recipient and accepted`);
    await this.command('DATA', 354, 'DATA after an accepted RCPT starts mail input');
  }

  /** Half-closes and destroys the connection. */
  close(): void {
    this.conn.destroy();
  }
}

/** Turns a message into what goes on the wire after DATA: dots doubled, CRLF.CRLF at the end. */
export function dotStuff(message: Buffer): Buffer {
  const text = message.toString('latin1');
  const body = text.replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(`${body}${body.endsWith('\r\n') || body === '' ? '' : '\r\n'}.\r\n`, 'latin1');
}
