/**
 * The judge of exercise 03's client: a line server the tests trust, written
 * here independently of the student's code, with modes that make a client's
 * mistakes visible (replies held back until every line arrived, then sent in
 * one write; or no replies at all).
 */
import { FramingError, listenTcp, type Connection, type Transcript } from '../../lib/index.ts';

/** How the judge answers. */
export type JudgeMode =
  /** One reply per line, as each line arrives. */
  | { readonly kind: 'prompt' }
  /** Read `lines` lines first (at most `waitMs`), then send every reply in one write. */
  | { readonly kind: 'batch'; readonly lines: number; readonly waitMs: number }
  /** Read lines, never answer. */
  | { readonly kind: 'silent' };

/** A running judge. */
export interface LinesJudge {
  readonly host: string;
  readonly port: number;
  /** Every line received, per connection in accept order. */
  readonly received: string[][];
  /** In batch mode: whether all expected lines had arrived before the first reply went out. */
  readonly batchComplete: boolean[];
  close(): Promise<void>;
}

/** The protocol as the README states it, written again for the judge. */
export function judgeReply(line: string): { text: string; close: boolean } {
  if (line === '') return { text: 'ERR empty line', close: false };
  if (line.toUpperCase() === 'QUIT') return { text: 'BYE', close: true };
  return { text: `OK ${line.toUpperCase()}`, close: false };
}

/** Starts the judge on 127.0.0.1, port 0. */
export async function startLinesJudge(mode: JudgeMode, transcript?: Transcript): Promise<LinesJudge> {
  const received: string[][] = [];
  const batchComplete: boolean[] = [];
  const server = await listenTcp(
    async (conn: Connection) => {
      const mine: string[] = [];
      received.push(mine);
      if (mode.kind === 'batch') {
        const deadline = performance.now() + mode.waitMs;
        const replies: string[] = [];
        let quit = false;
        while (mine.length < mode.lines && !quit) {
          const left = deadline - performance.now();
          if (left <= 0) break;
          const line = await conn.readLine({ timeoutMs: left }).catch(() => null);
          if (line === null) break;
          mine.push(line);
          const reply = judgeReply(line);
          replies.push(reply.text);
          quit = reply.close;
        }
        batchComplete.push(mine.length >= mode.lines || quit);
        if (replies.length > 0) await conn.write(replies.map((r) => `${r}\r\n`).join(''));
        if (quit) return;
      }
      for (;;) {
        let line: string | null;
        try {
          line = await conn.readLine();
        } catch (error) {
          if (error instanceof FramingError) {
            await conn.writeLine('ERR line too long (max 1024 bytes)');
            continue;
          }
          return;
        }
        if (line === null) return;
        mine.push(line);
        if (mode.kind === 'silent') continue;
        const reply = judgeReply(line);
        await conn.writeLine(reply.text);
        if (reply.close) return;
      }
    },
    { maxLineBytes: 1024, transcript, graceMs: 200, onError: () => {} },
  );
  return { host: server.host, port: server.port, received, batchComplete, close: () => server.close() };
}
