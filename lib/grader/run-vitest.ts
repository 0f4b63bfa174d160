/**
 * Runs vitest as a child process (never in the grader's own process: a
 * submission that busy-loops must not freeze the grader) and collects the
 * events our reporter writes. Cross-platform: node + vitest's CLI file, no
 * shell. A watchdog kills the whole process tree when a test runs past its
 * own time limit (vitest cannot stop a synchronous loop), when nothing
 * happens for too long, or at an overall deadline.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_IMPLS } from './impl-dir.ts';
import { PROJECT_ROOT } from './kit-paths.ts';
import { parseReport, REPORT_FILE_ENV, type ReportEvent } from './report-format.ts';

const REPORTER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reporter.ts');

/** vitest's command-line entry, found the way Node would resolve it. */
export function vitestCli(): string {
  const pkg = createRequire(import.meta.url).resolve('vitest/package.json');
  return path.join(path.dirname(pkg), 'vitest.mjs');
}

export interface VitestRunOptions {
  /** Test files (absolute, or relative to `root`). */
  files: string[];
  /**
   * `run` executes the tests; `collect` only loads the files and reports
   * their tests with points, running none (vitest's own `list` command does
   * not call reporters, so this is a run whose name filter matches nothing).
   */
  mode?: 'run' | 'collect';
  /** WIRELAB_IMPL for the child: `exercises`, `solutions` or a folder path. */
  impl?: string;
  /** @default the kit's root */
  root?: string;
  /** @default `<root>/vitest.config.ts` */
  configFile?: string;
  /** @default 2 (the kit is meant to stay quick on a 2-core laptop) */
  maxWorkers?: number;
  /** Kill the run when no event arrived for this long and no test is running. @default 30000 */
  idleTimeoutMs?: number;
  /** Kill the run when a test is still running this long after its own time limit. @default 10000 */
  stuckGraceMs?: number;
  /** Kill the run after this long whatever happens. @default 600000 */
  overallTimeoutMs?: number;
  /** Called for every event as it arrives (for live output). */
  onEvent?: (event: ReportEvent) => void;
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

export interface VitestRunResult {
  events: ReportEvent[];
  exitCode: number | null;
  /** Set when the watchdog killed the run: why, in one sentence. */
  killed?: string;
  /** The last few KB of vitest's stderr, for when vitest itself could not start. */
  stderrTail: string;
}

const POLL_MS = 150;
/** A test-name filter no test can match: vitest then loads every file but runs nothing. */
const COLLECT_ONLY_PATTERN = '^\\u0000wirelab collect only\\u0000$';
const STDERR_TAIL_BYTES = 4096;
/** How long vitest may take to exit after it reported the end of the run. */
const EXIT_GRACE_MS = 5_000;

/** Kills a child and everything it started (vitest's worker processes included). */
function killTree(child: ChildProcess, evenIfExited = false): void {
  if (child.pid === undefined) return;
  if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore' });
    } else {
      process.kill(-child.pid, 'SIGKILL'); // the child leads its own process group (detached)
    }
  } catch {
    child.kill('SIGKILL');
  }
}

/** Reads what was appended to a file since `offset`. */
function readFrom(file: string, offset: number): Buffer {
  if (!existsSync(file)) return Buffer.alloc(0);
  const size = statSync(file).size;
  if (size <= offset) return Buffer.alloc(0);
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    const n = readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Runs vitest once over `files` and returns every event the reporter wrote. */
export async function runVitest(options: VitestRunOptions): Promise<VitestRunResult> {
  const root = options.root ?? PROJECT_ROOT;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wirelab-grade-'));
  const reportFile = path.join(tmp, 'report.jsonl');
  const child = spawn(process.execPath, vitestArgs(options, root), {
    cwd: root,
    env: { ...process.env, ...options.env, WIRELAB_IMPL: childImpl(options.impl), [REPORT_FILE_ENV]: reportFile, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  const stopTakingDown = takeDownWithUs(child);
  const stderr = new StderrTail(child);
  const watch = new RunWatch(reportFile, {
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    stuckGraceMs: options.stuckGraceMs ?? 10_000,
    overallTimeoutMs: options.overallTimeoutMs ?? 600_000,
    onEvent: options.onEvent,
  });
  const timer = setInterval(() => {
    if (watch.poll()) killTree(child);
  }, POLL_MS);

  const exitCode = await exitCodeOf(child, stderr);
  clearInterval(timer);
  stopTakingDown();
  watch.drain();
  if (watch.killed && process.platform !== 'win32') killTree(child, true); // stray workers of a killed run
  rmSync(tmp, { recursive: true, force: true });
  const result: VitestRunResult = { events: watch.events, exitCode, stderrTail: stderr.text.trim() };
  if (watch.killed) result.killed = watch.killed;
  return result;
}

/** WIRELAB_IMPL for the child, which runs in `root`: a relative submission path must mean what it meant here. */
function childImpl(impl: string | undefined): string {
  if (impl === undefined || impl === '') return 'exercises';
  return (BUILTIN_IMPLS as readonly string[]).includes(impl) ? impl : path.resolve(impl);
}

/** vitest's command line: the files (relative to `root`), our reporter, the config and the worker count. */
function vitestArgs(options: VitestRunOptions, root: string): string[] {
  const filters = options.files.map((f) => (path.isAbsolute(f) ? path.relative(root, f) : f).split(path.sep).join('/'));
  return [
    vitestCli(),
    'run',
    ...filters,
    ...(options.mode === 'collect' ? [`--testNamePattern=${COLLECT_ONLY_PATTERN}`] : []),
    '--config', options.configFile ?? path.join(root, 'vitest.config.ts'),
    '--root', root,
    `--reporter=${REPORTER.split(path.sep).join('/')}`, // C:/… on Windows: the form vite uses for module ids
    `--maxWorkers=${options.maxWorkers ?? 2}`,
  ];
}

/**
 * Ctrl-C reaches only our own process group, and the run is detached: take
 * it down with us on SIGINT, SIGTERM or exit. Returns the function that stops doing so.
 */
function takeDownWithUs(child: ChildProcess): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    killTree(child);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // Nobody else handles the signal (a plain `verify`): stop like an unhandled Ctrl-C would.
    if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit = (): void => killTree(child);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', onExit);
  };
}

/** The last few KB of what the child wrote on stderr. */
class StderrTail {
  text = '';

  constructor(child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => this.add(chunk.toString('utf8')));
  }

  add(text: string): void {
    this.text = (this.text + text).slice(-STDERR_TAIL_BYTES);
  }
}

/** Resolves with the child's exit code once it closed; null when it could not start (the reason goes to stderr's tail). */
function exitCodeOf(child: ChildProcess, stderr: StderrTail): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('error', (error) => {
      stderr.add(`\n${error.message}`);
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
}

/** The limits a run is watched against. */
interface WatchLimits {
  idleTimeoutMs: number;
  stuckGraceMs: number;
  overallTimeoutMs: number;
  onEvent: ((event: ReportEvent) => void) | undefined;
}

/**
 * Follows a run through the report file the reporter appends to: collects
 * its events, knows which tests are running and until when they may, and
 * says when the run has to be stopped.
 */
class RunWatch {
  readonly events: ReportEvent[] = [];
  /** Set when the run had to be stopped: why, in one sentence. */
  killed: string | undefined;
  private offset = 0;
  /** The start of a line the reporter has not finished writing. */
  private pending = '';
  private readonly started = Date.now();
  private lastEventAt = Date.now();
  private endedAt: number | undefined;
  private readonly running = new Map<string, { name: string; file: string; deadline: number }>();

  constructor(
    private readonly reportFile: string,
    private readonly limits: WatchLimits,
  ) {}

  /** Reads the events written since the last call. */
  drain(): void {
    const chunk = readFrom(this.reportFile, this.offset);
    if (chunk.length === 0) return;
    this.offset += chunk.length;
    const text = this.pending + chunk.toString('utf8');
    const cut = text.lastIndexOf('\n') + 1;
    this.pending = text.slice(cut);
    for (const event of parseReport(text.slice(0, cut))) this.see(event);
  }

  /** Reads new events; true when the run must be killed now. */
  poll(now = Date.now()): boolean {
    this.drain();
    if (this.killed) return false;
    // Every result is in; something (an open handle) keeps vitest from exiting. Not the submission's fault to grade.
    if (this.endedAt !== undefined) return now - this.endedAt > EXIT_GRACE_MS;
    this.killed = this.reasonToStop(now);
    return this.killed !== undefined;
  }

  private see(event: ReportEvent): void {
    this.lastEventAt = Date.now();
    if (event.type === 'test-start') {
      const limit = event.timeoutMs > 0 ? event.timeoutMs : this.limits.idleTimeoutMs;
      this.running.set(event.id, { name: event.name, file: event.file, deadline: Date.now() + limit + this.limits.stuckGraceMs });
    } else if (event.type === 'test') {
      this.running.delete(event.test.id);
    } else if (event.type === 'end') {
      this.endedAt = Date.now();
    } else if (event.type === 'module') {
      for (const [id, r] of this.running) if (r.file === event.file) this.running.delete(id);
    }
    this.events.push(event);
    this.limits.onEvent?.(event);
  }

  /** Why the run must stop now, or undefined while it is healthy. */
  private reasonToStop(now: number): string | undefined {
    let stuck: string | undefined;
    for (const r of this.running.values()) if (now > r.deadline) stuck = r.name;
    const { idleTimeoutMs, overallTimeoutMs } = this.limits;
    if (stuck !== undefined) {
      return `the test "${stuck}" kept running past its time limit and could not be stopped (is there a loop that never waits, like while(true) without await?)`;
    }
    if (this.running.size === 0 && now - this.lastEventAt > idleTimeoutMs) {
      return `nothing happened for ${Math.round(idleTimeoutMs / 1000)} s and the run was stopped (is the code stuck in a loop that never waits, while loading or in a test?)`;
    }
    if (now - this.started > overallTimeoutMs) return `the run took longer than ${Math.round(overallTimeoutMs / 1000)} s and was stopped`;
    return undefined;
  }
}
