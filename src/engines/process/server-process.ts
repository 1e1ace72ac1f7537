// Starting, finding and stopping one instance server process. Servers run detached (their own session, output
// to a log file in the instance directory, no pipes to localrds) so that they outlive a kill -9 of localrds;
// the next localrds adopts them through their pid file instead of starting a second server on the same data.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { OsUser } from './os-user.js';

export interface ServerCommand {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  cwd: string;
}

export interface ServerProcess {
  pid: number;
  /** True when this localrds found it already running (a previous localrds started it). */
  adopted: boolean;
  /** Resolves when the process has exited (polled for adopted ones). */
  exited: Promise<void>;
  alive(): boolean;
}

export function startServerProcess(command: ServerCommand, user: OsUser, logFile: string): ServerProcess {
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(command.cmd, command.args, {
      cwd: command.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', ...command.env },
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(user.switched ? { uid: user.uid, gid: user.gid } : {}),
    });
    if (child.pid === undefined) throw new Error(`could not start ${command.cmd}`);
    let done = false;
    const exited = new Promise<void>((res) => {
      child.once('exit', () => { done = true; res(); });
      child.once('error', () => { done = true; res(); });
    });
    // Not tied to localrds's event loop: it keeps running if localrds stops without stopping it.
    child.unref();
    return { pid: child.pid, adopted: false, exited, alive: () => !done && pidAlive(child.pid as number) };
  } finally {
    closeSync(fd);
  }
}

/** A process that some earlier localrds started, watched by polling since it is not our child. */
export function adoptedProcess(pid: number): ServerProcess {
  const exited = new Promise<void>((res) => {
    const t = setInterval(() => { if (!pidAlive(pid)) { clearInterval(t); res(); } }, 200);
    t.unref();
  });
  return { pid, adopted: true, exited, alive: () => pidAlive(pid) };
}

export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie has exited; only its exit status is left for the parent.
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/**
 * The pid in `pidFile` when that process is alive and really is a server on `dataDir` (pids are reused, so
 * the command line must name the data directory), else undefined.
 */
export async function runningServerPid(pidFile: string, dataDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 1 || !pidAlive(pid)) return undefined;
  try {
    // Both servers chdir into their data directory; the command line names it too (PostgreSQL -D, MariaDB --datadir=).
    const cwd = realpathSync(`/proc/${pid}/cwd`);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const named = argv.some((a) => a === dataDir || a.endsWith(`=${dataDir}`));
    return named && cwd === realpathSync(dataDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILL (and waits for that too). */
export async function stopServerProcess(p: ServerProcess, signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
  if (!p.alive()) return;
  try { process.kill(p.pid, signal); } catch { return; }
  if (await exitWithin(p, graceMs)) return;
  try { process.kill(p.pid, 'SIGKILL'); } catch { return; }
  await exitWithin(p, 5000);
}

/**
 * Polls rather than relying on `exited` alone: the process is unref'd (and an adopted one is not our child),
 * so a pending wait must keep the event loop alive by itself.
 */
async function exitWithin(p: ServerProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let delay = 2; Date.now() < deadline; delay = Math.min(delay * 2, 50)) {
    if (!p.alive()) return true;
    await new Promise((res) => setTimeout(res, delay));
  }
  return !p.alive();
}

/** Retries `attempt` until it resolves, the process dies, or `timeoutMs` passes. */
export async function waitUntil<T>(attempt: () => Promise<T>, p: ServerProcess, timeoutMs: number, logFile: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 5; ; delay = Math.min(delay * 2, 25)) {
    try {
      return await attempt();
    } catch (e) {
      last = e;
    }
    if (!p.alive()) throw new Error(`the server exited during start-up: ${tail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`the server did not accept connections within ${timeoutMs} ms (${last instanceof Error ? last.message : String(last)})`);
    await new Promise((res) => setTimeout(res, delay));
  }
}

/** The end of a server log, for error messages (server logs hold no passwords: verifiers only). */
export function tail(logFile: string, bytes = 600): string {
  try {
    const t = readFileSync(logFile, 'utf8');
    return t.slice(-bytes).trim().replace(/\s+/g, ' ');
  } catch {
    return '(no log)';
  }
}
