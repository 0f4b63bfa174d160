/**
 * What the load benchmarks share: a server runs in a child process of its
 * own (forked with tsx, reporting its port, and its CPU time when asked), and
 * processes are pinned to cores with taskset so that figures do not jump
 * with where the OS happens to place them.
 *
 *   parent:  const { child, port } = await forkServer(thisFile, ['--serve', 'ours']);
 *            await place(child, 'two cores'); … const cpu = await cpuOf(child);
 *   child:   childReady(server.port);
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * The cores of the machine, counted before any pinning: availableParallelism()
 * counts the cores this process may use, which pinning changes.
 */
export const CORES = availableParallelism();

/** Sets the CPU affinity of every thread of a process (`taskset -a -p -c`); false if that failed (no taskset). */
export function setAffinity(pid: number, cpus: string): Promise<boolean> {
  return new Promise((resolve) => execFile('taskset', ['-a', '-p', '-c', cpus, String(pid)], (error) => resolve(error === null)));
}

/**
 * Where the load client (this process) and one server run:
 *   one core      both on the last core: what is left is the two programs' own work;
 *   two cores     client on core 0, server on the last core: each message pays
 *                 cross-core wake-ups (on a virtual machine, exits to the hypervisor).
 */
export type Placement = 'one core' | 'two cores';

/** Puts this process and `server` where `placement` says; false if it cannot be done here. */
export async function place(server: { readonly pid?: number | undefined }, placement: Placement): Promise<boolean> {
  const last = CORES - 1;
  if (placement === 'two cores' && last === 0) return false;
  const clientCore = placement === 'one core' ? last : 0;
  return (await setAffinity(process.pid, String(clientCore))) && (await setAffinity(server.pid!, String(last)));
}

/** Lets this process (and its children) run on every core again; false without taskset. */
export function unpin(): Promise<boolean> {
  return setAffinity(process.pid, `0-${CORES - 1}`);
}

/** Forks `file` with `args` under tsx and resolves once it reported its port ({@link childReady}). */
export async function forkServer(file: string, args: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(file, [...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')}: the server exited with ${code}`)));
  });
  return { child, port };
}

/**
 * Child side: tells the parent the port, answers its CPU-time requests, and
 * exits when the parent goes (an orphan would keep the terminal's pipe open).
 */
export function childReady(port: number): void {
  process.send!({ port });
  process.on('disconnect', () => process.exit(0));
  process.on('message', () => process.send!({ cpu: process.cpuUsage() }));
}

/** The child's CPU time so far (user + system), in microseconds. */
export function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => {
      const { user, system } = (m as { cpu: NodeJS.CpuUsage }).cpu;
      resolve(user + system);
    });
    child.send('cpu');
  });
}
