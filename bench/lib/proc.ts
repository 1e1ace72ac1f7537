// Child processes for the benchmarks: spawned pinned to one core (taskset), read back from /proc (CPU, RSS),
// and always stopped by their own pid. Every child is tracked so that a failing section cannot leak one.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from '../loadgen.js';
import { sleep } from './stats.js';

/** Repository root (this file runs from dist/bench/lib/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DIST_BENCH = join(ROOT, 'dist', 'bench');
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const children = new Set<ChildProcess>();

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Everything written to stdout so far. */
  out(): string;
  err(): string;
  exited: Promise<number | null>;
}

export function spawnPinned(core: number, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; ipc?: boolean } = {}): Child {
  const proc = spawn('taskset', ['-c', String(core), cmd, ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr?.on('data', (c: Buffer) => { err += c.toString(); if (err.length > 1 << 20) err = err.slice(-65536); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => { children.delete(proc); resolve(code); }));
  if (proc.pid === undefined) throw new Error(`could not start ${cmd}`);
  return { proc, pid: proc.pid, out: () => out, err: () => err, exited };
}

export async function waitForOutput(c: Child, re: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(c.out());
    if (m) return m;
    if (c.proc.exitCode !== null) throw new Error(`child exited (${c.proc.exitCode}) before ${re}: ${c.err().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; stderr: ${c.err().slice(-2000)}`);
    await sleep(5);
  }
}

export async function stop(c: Child, timeoutMs = 10_000): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), timeoutMs);
  await c.exited;
  clearTimeout(t);
}

/** Kills whatever a failed section left behind (by pid, one at a time). */
export function killAll(): void {
  for (const p of children) p.kill('SIGKILL');
}

const CLK_TCK = 100;

/** CPU time (user + system) of a process so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Resident set size in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface MeasuredLoad extends LoadResult {
  /** The server's CPU over the measured window, in % of one core (undefined when no pid was given). */
  serverCpuPercent?: number;
}

/** Runs the load generator on LOAD_CORE and samples the server's CPU over the same window. */
export async function runLoadgen(spec: LoadSpec, serverPid?: number): Promise<MeasuredLoad> {
  const c = spawnPinned(LOAD_CORE, process.execPath, [join(DIST_BENCH, 'loadgen.js'), JSON.stringify(spec)]);
  let cpu0 = 0;
  let t0 = 0;
  let serverCpuPercent: number | undefined;
  const sampler = serverPid === undefined ? undefined : (async () => {
    await sleep(spec.warmupMs + 150); // + the generator's own start-up
    cpu0 = cpuMs(serverPid);
    t0 = performance.now();
    await sleep(spec.durationMs - 300);
    serverCpuPercent = ((cpuMs(serverPid) - cpu0) / (performance.now() - t0)) * 100;
  })();
  const code = await c.exited;
  await sampler;
  if (code !== 0) throw new Error(`load generator failed: ${c.err().slice(-2000)}`);
  const result = JSON.parse(c.out().trim().split('\n').pop() as string) as LoadResult;
  return { ...result, serverCpuPercent };
}
