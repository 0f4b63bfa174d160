/**
 * Helpers the server benchmarks share: starting a server in a child process
 * of its own, asking it for its CPU time, and where the load generator and
 * the server run (taskset).
 *
 * Where the two processes run decides much of what a request/response load
 * measures. Client and server take turns, so every exchange costs a wake-up
 * of each: on one core that is a context switch; across cores it is an
 * inter-processor interrupt, and on a virtual machine that is an exit to the
 * hypervisor (tens of µs here, the same for every server). Left to itself,
 * Linux sometimes keeps the pair on one core and sometimes splits them, and
 * keeps doing what it did last, so unpinned figures jump between the two
 * cases from run to run. Loads therefore run with a fixed placement:
 *   one core      client and server share the last core: what is left is
 *                 the two programs' own work per exchange;
 *   two cores     client on core 0, server on the last core: every exchange
 *                 pays two cross-core wake-ups.
 * Where taskset is missing, the loads run wherever the OS puts them.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

export type Placement = 'one core' | 'two cores';

/**
 * The cores of the machine, counted before any pinning: availableParallelism()
 * counts the cores this process may use, which pinning changes.
 */
export const CORES = availableParallelism();

/** Sets the CPU affinity of every thread of a process (`taskset -a -p -c`); false if that failed (no taskset). */
export function setAffinity(pid: number, cpus: string): Promise<boolean> {
  return new Promise((resolve) => execFile('taskset', ['-a', '-p', '-c', cpus, String(pid)], (error) => resolve(error === null)));
}

/** Puts the load client (this process) and the server process `serverPid` where `placement` says; false if it cannot be done here. */
export async function place(serverPid: number, placement: Placement): Promise<boolean> {
  const last = CORES - 1;
  if (placement === 'two cores' && last === 0) return false;
  const clientCore = placement === 'one core' ? last : 0;
  return (await setAffinity(process.pid, String(clientCore))) && (await setAffinity(serverPid, String(last)));
}

/**
 * Runs `script ARGS…` (TypeScript, through tsx) as a child process with an
 * IPC channel and resolves once it sent `{ port }`: the port its server
 * listens on. Rejects if it exits first.
 */
export async function forkServer(script: string, args: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(script, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} server exited with ${code}`)));
  });
  return { child, port };
}

/**
 * The CPU time (user + system, µs) a forked server has used so far. The
 * child answers any IPC message with `{ cpu: process.cpuUsage() }`.
 */
export function cpuOfChild(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => {
      const { user, system } = (m as { cpu: NodeJS.CpuUsage }).cpu;
      resolve(user + system);
    });
    child.send('cpu');
  });
}
