/**
 * Exercise 02: the UDP pinger. The pure parts (the ping message, the
 * statistics) are checked on exact values; the client is run against a judge
 * server that loses, delays and garbles pings by sequence number, so every
 * run gives the same results, and through the library's loss proxy with an
 * exact drop schedule.
 */
import { describe, expect } from 'vitest';
import { encodePing, parsePing } from '@impl/02-udp-pinger/ping-message.ts';
import { summarize } from '@impl/02-udp-pinger/summarize.ts';
import { ping, type PingReport } from '@impl/02-udp-pinger/pinger.ts';
import type { Transcript } from '../lib/index.ts';
import { startUdpFaultProxy } from '../lib/faults/index.ts';
import { closeAfterEach } from './helpers/cleanup.ts';
import { graded } from './helpers/graded.ts';
import { answer, drop, expectedStatus, garbage, seededPlan, startPingJudge, type JudgeAction } from './helpers/udp-pinger-judge.ts';
import { echoBack, startUdpResponder } from './helpers/udp-responder.ts';

const test = graded('02-udp-pinger', {
  'encodePing writes PING <seq> <timestamp>': 1,
  'parsePing reads a ping back and rejects anything else': 1,
  'summarize computes min, avg, max and the population stddev': 2,
  'summarize counts timeouts as loss': 1,
  'sends count numbered pings in the documented format': 2,
  'measures the round-trip time of every echo': 2,
  'waits intervalMs between pings': 1,
  'a lost ping is reported as "Request timed out"': 2,
  'waits no longer than timeoutMs for each ping': 1,
  'a late echo is not counted for the next ping': 3,
  'garbage and strangers do not count as echoes': 1,
  'the same seed gives the same results, ping by ping': 1,
  'through the loss proxy, exactly the dropped pings time out': 1,
});

/** Everything a test opened, closed after it whatever happened. */
const track = closeAfterEach();

/** Runs the student's ping, marking the transcript if it throws instead of reporting. */
async function runPing(options: Parameters<typeof ping>[0], transcript: Transcript): Promise<PingReport> {
  try {
    return await ping(options);
  } catch (error) {
    transcript.expect(`expected ping() to resolve with a report, it threw: ${(error as Error).message}`);
    throw error;
  }
}

/** Checks the shape of a report, then each ping's status against `want`, marking the first difference. */
function expectStatuses(report: PingReport, want: ('reply' | 'timeout')[], transcript: Transcript): void {
  expect(report.results.map((r) => r.seq)).toEqual(want.map((_, i) => i + 1));
  const got = report.results.map((r) => r.status);
  const first = got.findIndex((status, i) => status !== want[i]);
  if (first !== -1) transcript.expect(`expected ping ${first + 1} to be "${want[first]}", the report says "${got[first]}"`);
  expect(got).toEqual(want);
  expect(report.lines).toHaveLength(want.length);
  for (const [i, status] of want.entries()) {
    expect(report.lines[i]?.includes('Request timed out'), `line ${i + 1}: ${report.lines[i]}`).toBe(status === 'timeout');
  }
}

/** The statistics recomputed by the test from the per-ping results. */
function expectSummaryMatches(report: PingReport): void {
  const rtts = report.results.flatMap((r) => (r.status === 'reply' ? [r.rttMs] : []));
  const { summary } = report;
  expect(summary.sent).toBe(report.results.length);
  expect(summary.received).toBe(rtts.length);
  expect(summary.lossPercent).toBeCloseTo((100 * (report.results.length - rtts.length)) / report.results.length, 9);
  if (rtts.length === 0) return;
  const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
  expect(summary.min).toBeCloseTo(Math.min(...rtts), 9);
  expect(summary.max).toBeCloseTo(Math.max(...rtts), 9);
  expect(summary.avg).toBeCloseTo(avg, 9);
  expect(summary.stddev).toBeCloseTo(Math.sqrt(rtts.reduce((s, x) => s + (x - avg) ** 2, 0) / rtts.length), 9);
}

describe('step 1: the ping message', () => {
  test('encodePing writes PING <seq> <timestamp>', () => {
    expect(Buffer.from(encodePing(3, 1764100000123)).toString('latin1')).toBe('PING 3 1764100000123');
    expect(Buffer.from(encodePing(1, 0)).toString('latin1')).toBe('PING 1 0');
    expect(Buffer.from(encodePing(42, 1700000000000)).toString('latin1')).toBe('PING 42 1700000000000');
  });

  test('parsePing reads a ping back and rejects anything else', () => {
    expect(parsePing(Buffer.from('PING 3 1764100000123'))).toEqual({ seq: 3, timestamp: 1764100000123 });
    expect(parsePing(encodePing(17, 1700000000999))).toEqual({ seq: 17, timestamp: 1700000000999 });
    expect(parsePing('PING 1 0')).toEqual({ seq: 1, timestamp: 0 });
    for (const bad of ['', 'PING', 'PING 3', 'PING 3 12 extra', 'PONG 3 12', 'ping 3 12', 'PING  3 12', 'PING 3 12\n', 'PING -1 12', 'PING x 12', 'PING 3 1.5']) {
      expect(parsePing(Buffer.from(bad)), JSON.stringify(bad)).toBeNull();
    }
    expect(parsePing(Buffer.from([0x50, 0x49, 0x4e, 0x47, 0x20, 0xff, 0x00]))).toBeNull();
  });
});

describe('step 2: the statistics', () => {
  test('summarize computes min, avg, max and the population stddev', () => {
    const s = summarize([10, 20, 30]);
    expect(s).toMatchObject({ sent: 3, received: 3, lossPercent: 0, min: 10, max: 30 });
    expect(s.avg).toBeCloseTo(20, 12);
    // Population: sqrt(((10-20)² + 0 + (30-20)²) / 3) = sqrt(200/3); the sample stddev would be 10.
    expect(s.stddev).toBeCloseTo(Math.sqrt(200 / 3), 12);
    const t = summarize([1.5, 2.5]);
    expect(t.avg).toBeCloseTo(2, 12);
    expect(t.stddev).toBeCloseTo(0.5, 12);
    const one = summarize([7.25]);
    expect(one).toMatchObject({ sent: 1, received: 1, lossPercent: 0, min: 7.25, avg: 7.25, max: 7.25, stddev: 0 });
  });

  test('summarize counts timeouts as loss', () => {
    const s = summarize([10, 20, 30, null]);
    expect(s).toMatchObject({ sent: 4, received: 3, lossPercent: 25, min: 10, max: 30 });
    expect(s.avg).toBeCloseTo(20, 12);
    expect(s.stddev).toBeCloseTo(Math.sqrt(200 / 3), 12);
    const third = summarize([null, 4, null]);
    expect(third.lossPercent).toBeCloseTo(200 / 3, 12);
    expect(third).toMatchObject({ sent: 3, received: 1, min: 4, avg: 4, max: 4, stddev: 0 });
    expect(summarize([null, null])).toEqual({ sent: 2, received: 0, lossPercent: 100, min: null, avg: null, max: null, stddev: null });
    expect(summarize([])).toEqual({ sent: 0, received: 0, lossPercent: 0, min: null, avg: null, max: null, stddev: null });
  });
});

describe('step 3: pinging a server', () => {
  test('sends count numbered pings in the documented format', async ({ transcript }) => {
    const judge = track(await startPingJudge(() => answer(0), transcript));
    const before = Date.now();
    const report = await runPing({ host: judge.host, port: judge.port, count: 4, timeoutMs: 1000 }, transcript);
    const after = Date.now();
    if (judge.malformed.length > 0) transcript.expect('expected PING <seq> <timestamp>, e.g. "PING 1 1764100000123"', 'client');
    expect(judge.malformed).toEqual([]);
    expect(judge.pings.map((p) => p.seq)).toEqual([1, 2, 3, 4]);
    for (const p of judge.pings) {
      expect(p.timestamp).toBeGreaterThanOrEqual(before);
      expect(p.timestamp).toBeLessThanOrEqual(after);
    }
    expectStatuses(report, ['reply', 'reply', 'reply', 'reply'], transcript);
  });

  test('measures the round-trip time of every echo', async ({ transcript }) => {
    // The echo of ping 2 is held back 80 ms; the others come at once.
    const judge = track(await startPingJudge((seq) => answer(seq === 2 ? 80 : 0), transcript));
    const report = await runPing({ host: judge.host, port: judge.port, count: 4, timeoutMs: 1000 }, transcript);
    expectStatuses(report, ['reply', 'reply', 'reply', 'reply'], transcript);
    for (const r of report.results) {
      if (r.status !== 'reply') continue;
      expect(r.rttMs).toBeGreaterThanOrEqual(0);
      expect(r.rttMs).toBeLessThan(1000);
    }
    const second = report.results[1];
    expect(second?.status === 'reply' && second.rttMs, 'ping 2 was echoed 80 ms late: its RTT must show it').toBeGreaterThanOrEqual(70);
    expectSummaryMatches(report);
  });

  test('waits intervalMs between pings', async ({ transcript }) => {
    const judge = track(await startPingJudge(() => answer(0), transcript));
    await runPing({ host: judge.host, port: judge.port, count: 3, timeoutMs: 1000, intervalMs: 150 }, transcript);
    expect(judge.pings).toHaveLength(3);
    for (let i = 1; i < judge.pings.length; i++) {
      const gap = judge.pings[i]!.at - judge.pings[i - 1]!.at;
      if (gap < 135) transcript.expect(`expected at least 150 ms between pings ${i} and ${i + 1}, got ${gap.toFixed(0)} ms`);
      expect(gap).toBeGreaterThanOrEqual(135);
    }
  });
});

describe('step 4: loss, delay and late echoes', () => {
  test('a lost ping is reported as "Request timed out"', async ({ transcript }) => {
    const judge = track(await startPingJudge((seq) => (seq === 2 || seq === 4 ? drop : answer(0)), transcript));
    const report = await runPing({ host: judge.host, port: judge.port, count: 5, timeoutMs: 200 }, transcript);
    expectStatuses(report, ['reply', 'timeout', 'reply', 'timeout', 'reply'], transcript);
    expect(report.summary).toMatchObject({ sent: 5, received: 3, lossPercent: 40 });
    expectSummaryMatches(report);
  });

  test('waits no longer than timeoutMs for each ping', async ({ transcript }) => {
    const judge = track(await startPingJudge(() => drop, transcript));
    const started = performance.now();
    const report = await runPing({ host: judge.host, port: judge.port, count: 3, timeoutMs: 120 }, transcript);
    const elapsed = performance.now() - started;
    expectStatuses(report, ['timeout', 'timeout', 'timeout'], transcript);
    expect(report.summary).toMatchObject({ sent: 3, received: 0, lossPercent: 100, min: null, avg: null, max: null, stddev: null });
    expect(judge.pings).toHaveLength(3); // each ping sent once: a pinger does not retry
    expect(elapsed).toBeGreaterThanOrEqual(3 * 120 * 0.9);
    expect(elapsed).toBeLessThan(3 * 120 + 1500);
  });

  test('a late echo is not counted for the next ping', async ({ transcript }) => {
    // Ping 2's echo comes 375 ms late, after its 250 ms timeout: while ping 3
    // (which is lost) is waiting. It must not pass for ping 3's echo.
    const plan: Record<number, JudgeAction> = { 1: answer(0), 2: answer(375), 3: drop, 4: answer(0) };
    const judge = track(await startPingJudge((seq) => plan[seq] ?? drop, transcript));
    const report = await runPing({ host: judge.host, port: judge.port, count: 4, timeoutMs: 250 }, transcript);
    expectStatuses(report, ['reply', 'timeout', 'timeout', 'reply'], transcript);
    const last = report.results[3];
    expect(last?.status === 'reply' && last.rttMs).toBeLessThan(250);
    expectSummaryMatches(report);
  });

  test('garbage and strangers do not count as echoes', async ({ transcript }) => {
    // Ping 2 gets garbage from the server and its exact echo from a stranger's port, but no real echo.
    const judge = track(await startPingJudge((seq) => (seq === 2 ? garbage : answer(0)), transcript));
    const report = await runPing({ host: judge.host, port: judge.port, count: 3, timeoutMs: 200 }, transcript);
    expectStatuses(report, ['reply', 'timeout', 'reply'], transcript);
  });

  test('the same seed gives the same results, ping by ping', async ({ transcript }) => {
    const timeoutMs = 150;
    const plan = seededPlan('pinger-30', 8, timeoutMs);
    const want = plan.map((action) => expectedStatus(action, timeoutMs));
    for (let run = 1; run <= 2; run++) {
      const judge = track(await startPingJudge((seq) => plan[seq - 1] ?? drop, transcript));
      const report = await runPing({ host: judge.host, port: judge.port, count: plan.length, timeoutMs }, transcript);
      expectStatuses(report, want, transcript);
      expectSummaryMatches(report);
      await judge.close();
    }
  });

  test('through the loss proxy, exactly the dropped pings time out', async ({ transcript }) => {
    const server = track(await startUdpResponder({ respond: echoBack }));
    // Pings 2 and 5 are lost on the way there, the 3rd echo (ping 4's) on the way back.
    const proxy = track(
      await startUdpFaultProxy({ target: server, seed: 'pinger', toServer: { dropIndices: [1, 4] }, toClient: { dropIndices: [2] }, transcript }),
    );
    const report = await runPing({ host: proxy.host, port: proxy.port, count: 6, timeoutMs: 250 }, transcript);
    expectStatuses(report, ['reply', 'timeout', 'reply', 'timeout', 'timeout', 'reply'], transcript);
    expect(report.summary).toMatchObject({ sent: 6, received: 3, lossPercent: 50 });
  });
});
