/**
 * Running the real `wirelab` CLI as a child process, the way a student or a
 * real tool meets it: `startCliServer(['serve', 'smtp', …])` spawns the bin,
 * waits for its `listening on HOST:PORT` line(s) and hands back the
 * addresses; `stop()` sends a signal and waits for the exit. Plus
 * `runTool`, for an outside program (swaks, python3) that must finish by
 * itself within a time limit.
 *
 * The bin is started with `process.execPath lib/cli/bin.js` (the file npm
 * links as `wirelab`), never through `npx`: a signal sent to the npx wrapper
 * may not reach the server.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `wirelab` bin of this checkout. */
export const WIRELAB_BIN = path.join(root, 'lib', 'cli', 'bin.js');

/** One `listening on HOST:PORT [label]` line, parsed. */
export interface CliAddress {
  host: string;
  port: number;
  label?: string;
}

/** How a CLI process ended. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `wirelab` server command. */
export interface CliServer {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every address it printed, in order. */
  readonly addresses: readonly CliAddress[];
  /** The first address's host and port. */
  readonly host: string;
  readonly port: number;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves once the process has ended (however it ended). */
  readonly exited: Promise<CliExit>;
  /** Sends `signal` (SIGTERM by default), waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CliExit>;
}

export interface CliServerOptions {
  /** How many `listening on` lines to wait for (default 1; `serve tracker` prints 2). */
  listeners?: number;
  /** Give up (and kill the child) if it does not listen within this time. Default 15 s. */
  timeoutMs?: number;
}

/** Every server started and not yet stopped, for {@link stopCliServers}. */
const running = new Set<CliServer>();

/** `listening on 127.0.0.1:2525`, `listening on [::1]:6969 (udp)`. */
const LISTENING = /^listening on (?:\[([^\]]+)\]|([^\s:]+)):(\d+)(?: (.*))?$/;

/** Parses one `listening on` line, or undefined for any other line. */
export function parseListeningLine(line: string): CliAddress | undefined {
  const match = LISTENING.exec(line.trim());
  if (!match) return undefined;
  const host = match[1] ?? match[2] ?? '';
  return { host, port: Number(match[3]), ...(match[4] !== undefined ? { label: match[4] } : {}) };
}

/**
 * Starts `wirelab ARGS…` and resolves once it printed its `listening on`
 * line(s). Rejects (with its stderr) if it exits first or takes too long.
 */
export function startCliServer(args: readonly string[], options: CliServerOptions = {}): Promise<CliServer> {
  const wanted = options.listeners ?? 1;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const child = spawn(process.execPath, [WIRELAB_BIN, ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliExit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    // A spawn failure also ends in 'close'; the error itself needs a listener.
    child.on('error', (error) => (stderr += `spawn error: ${error.message}\n`));
  });

  const addresses: CliAddress[] = [];
  const server: CliServer = {
    child,
    addresses,
    get host() {
      return addresses[0]?.host ?? '';
    },
    get port() {
      return addresses[0]?.port ?? 0;
    },
    output: () => ({ stdout, stderr }),
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', stopTimeoutMs = 5_000) {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(server);

  return new Promise<CliServer>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      void server.stop('SIGKILL').then(() => reject(new Error(`wirelab ${args.join(' ')}: ${why}\nstdout: ${stdout}\nstderr: ${stderr}`)));
    };
    const timer = setTimeout(() => fail(`no "listening on" line within ${timeoutMs} ms`), timeoutMs);
    const onData = (): void => {
      addresses.length = 0;
      for (const line of stdout.split('\n')) {
        const address = parseListeningLine(line);
        if (address) addresses.push(address);
      }
      if (addresses.length >= wanted) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(server);
      }
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      if (addresses.length < wanted) fail(`exited (${code ?? signal}) before listening`);
    });
  });
}

/** Stops every server {@link startCliServer} started and nobody stopped (for afterEach/afterAll). */
export async function stopCliServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop('SIGKILL')));
}

/** How an outside program ended: its exit code and everything it printed, as bytes. */
export interface ToolRun {
  /** The exit code; null if it was killed (e.g. by the time limit). */
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** True if the time limit killed it. */
  timedOut: boolean;
}

/**
 * Runs `program ARGS…` to its end, killed after `timeoutMs`. Never rejects
 * for a non-zero exit: the caller judges the exit code.
 */
export function runTool(program: string, args: readonly string[], timeoutMs = 15_000): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { encoding: 'buffer', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') {
        reject(new Error(`cannot run ${program}: ${error.message}`));
        return;
      }
      const timedOut = error !== null && error.killed === true;
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr, timedOut });
    });
  });
}

/**
 * The first of `candidates` that runs `probeArgs` successfully (exit 0 within
 * 10 s), or undefined: how a judge finds its real tool, and skips itself
 * where the tool is missing.
 */
export async function findTool(candidates: readonly string[], probeArgs: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      const run = await runTool(candidate, probeArgs, 10_000);
      if (run.code === 0) return candidate;
    } catch {
      // not installed here
    }
  }
  return undefined;
}
