/**
 * The judge of exercise 02: a pinger server that decides, per sequence
 * number, whether to echo at once, echo after a delay, drop the ping, or
 * answer with garbage. Keyed by sequence number (not by arrival time), so the
 * same plan gives the same results on every run and on any machine.
 *
 * The judge parses pings with its own reading of the README's format, never
 * with the student's parser.
 */
import { bindUdp, type Transcript } from '../../lib/index.ts';
import { SeededRandom, type Seed } from '../../lib/faults/index.ts';

/** What the judge does with one ping. */
export type JudgeAction =
  /** Echo it after `delayMs` (0: at once). */
  | { readonly kind: 'answer'; readonly delayMs: number }
  /** Never answer, as if the ping or its echo were lost. */
  | { readonly kind: 'drop' }
  /**
   * Answer with bytes that are not the echo of any ping, and have a stranger
   * (another port) send the exact echo: neither may count as the echo.
   */
  | { readonly kind: 'garbage' };

/** One ping the judge received in the README's format. */
export interface JudgedPing {
  readonly seq: number;
  readonly timestamp: number;
  /** `performance.now()` when it arrived. */
  readonly at: number;
}

/** A running judge. */
export interface PingJudge {
  readonly host: string;
  readonly port: number;
  /** Pings in the documented format, in arrival order. */
  readonly pings: JudgedPing[];
  /** Datagrams that were not `PING <seq> <timestamp>` (never answered). */
  readonly malformed: Buffer[];
  close(): Promise<void>;
}

/** The README's format, read independently of the student's parser. */
const PING = /^PING (\d+) (\d+)$/;

export const answer = (delayMs = 0): JudgeAction => ({ kind: 'answer', delayMs });
export const drop: JudgeAction = { kind: 'drop' };
export const garbage: JudgeAction = { kind: 'garbage' };

/** Starts a judge that treats ping `seq` as `plan(seq)` says. */
export async function startPingJudge(plan: (seq: number) => JudgeAction, transcript?: Transcript): Promise<PingJudge> {
  const socket = await bindUdp({ host: '127.0.0.1', port: 0 });
  const stranger = await bindUdp({ host: '127.0.0.1', port: 0 });
  const pings: JudgedPing[] = [];
  const malformed: Buffer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const reply = (data: Buffer | string, to: { host: string; port: number }): void => {
    transcript?.record('server', data, { datagram: true });
    socket.send(data, to).catch(() => {});
  };
  const loop = (async () => {
    for await (const d of socket) {
      const text = d.data.toString('latin1');
      const match = PING.exec(text);
      if (!match) {
        malformed.push(d.data);
        transcript?.record('client', d.data, { datagram: true, fault: 'not PING <seq> <timestamp>: ignored by the judge' });
        continue;
      }
      const seq = Number(match[1]);
      pings.push({ seq, timestamp: Number(match[2]), at: performance.now() });
      const action = plan(seq);
      const fault =
        action.kind === 'drop' ? 'lost' : action.kind === 'garbage' ? 'answered with garbage' : action.delayMs > 0 ? `echo delayed ${action.delayMs} ms` : undefined;
      transcript?.record('client', d.data, fault === undefined ? { datagram: true } : { datagram: true, fault });
      const to = { host: d.host, port: d.port };
      if (action.kind === 'garbage') {
        reply(Buffer.from([0x50, 0x4f, 0x4e, 0x47, 0x3f, 0x00, 0xff]), to); // "PONG?\0\xff"
        transcript?.record('server', d.data, { datagram: true, fault: `from a stranger at port ${stranger.port}, not the server` });
        stranger.send(d.data, to).catch(() => {});
      }
      if (action.kind !== 'answer') continue;
      if (action.delayMs === 0) {
        reply(d.data, to);
        continue;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply(d.data, to);
      }, action.delayMs);
      timers.add(timer);
    }
  })();
  return {
    host: socket.address,
    port: socket.port,
    pings,
    malformed,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await stranger.close();
      await socket.close();
      await loop;
    },
  };
}

/**
 * A seeded plan for pings 1..count: each is dropped, answered late (1.5 × the
 * timeout, so it arrives while a later ping waits), answered with garbage, or
 * answered within a quarter of the timeout.
 */
export function seededPlan(seed: Seed, count: number, timeoutMs: number): JudgeAction[] {
  const random = new SeededRandom(seed);
  const plan: JudgeAction[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const r = random.float();
    const delay = Math.round(random.float() * (timeoutMs / 4));
    plan.push(r < 0.2 ? drop : r < 0.35 ? answer(Math.round(timeoutMs * 1.5)) : r < 0.45 ? garbage : answer(delay));
  }
  return plan;
}

/** Whether ping k, treated as `action`, must end as an echo within `timeoutMs`. */
export function expectedStatus(action: JudgeAction, timeoutMs: number): 'reply' | 'timeout' {
  return action.kind === 'answer' && action.delayMs < timeoutMs ? 'reply' : 'timeout';
}
