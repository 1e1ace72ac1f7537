// Keeps a streaming data plane from taking the API thread's share of a core they share (the benchmark pins
// the whole server to one). While bytes stream (reads that fill their buffer) and the API thread is busy, the
// worker thread runs at a higher nice value, so the kernel's scheduler gives the API most of the core; once
// the API goes quiet the worker returns to nice 0. Why not a fixed nice value: the fair scheduler splits a
// process's (autogroup's) weight across cores by the weight of its threads on each, so a worker niced for
// good also loses to every other process on its core, even with the API idle, and its throughput alone
// dropped to 0.52 to 0.83x of HAProxy's in measurements on a loaded machine (docs/performance-notes.md).
// Going back to nice 0 needs CAP_SYS_NICE or an RLIMIT_NICE of 20; without either the governor does nothing
// and the two threads share the core evenly.
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** Nice value of the worker while the API is busy and bytes stream. */
export const BUSY_API_NICE = 12;
/** Share of the time since the last look that the API thread wanted a CPU, at which the worker yields, and below which it stops. */
const YIELD_ABOVE = 0.25;
const RESUME_BELOW = 0.08;
/** Looks at most this often while bytes stream, and this often while yielding (to notice the API go quiet). */
const CHECK_EVERY_MS = 10;
const RECHECK_MS = 25;
/** A look after a longer pause than this starts a new measurement rather than average over the pause. */
const STALE_MS = 200;

export interface ThreadGovernor {
  /** A read filled its buffer: bytes are streaming. Cheap; now and then looks at the API thread. */
  bulk(): void;
  /** The worker currently yields (runs at BUSY_API_NICE). */
  readonly yielding: boolean;
  close(): void;
}

/**
 * The calling thread's kernel id (Linux: the last part of /proc/thread-self, "<pid>/task/<tid>"), or undefined
 * elsewhere. os.setPriority(pid) is setpriority(PRIO_PROCESS), which on Linux sets one thread given its id.
 */
export function currentThreadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

const inactive: ThreadGovernor = { bulk: () => undefined, yielding: false, close: () => undefined };

/** CAP_SYS_NICE in the effective set, or an RLIMIT_NICE that allows nice 0: the worker can come back. */
function canRestorePriority(): boolean {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const cap = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
    if (cap !== undefined && (BigInt(`0x${cap}`) & (1n << 23n)) !== 0n) return true;
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max nice priority\s+(\S+)/m.exec(limits)?.[1];
    return soft === 'unlimited' || Number(soft) >= 20;
  } catch {
    return false;
  }
}

/**
 * Nanoseconds the thread has wanted a CPU: run time plus time spent runnable on a run queue (the first two
 * fields of the kernel's per-thread schedstat). Run time alone would miss an API thread that is busy but
 * starved (by the worker or by other processes on its core); both stay near zero while it waits for requests.
 */
function demandNanos(path: string): number | undefined {
  try {
    const [run, wait] = readFileSync(path, 'latin1').split(' ', 2).map(Number);
    return run !== undefined && wait !== undefined && Number.isFinite(run + wait) ? run + wait : undefined;
  } catch {
    return undefined;
  }
}

export interface ThreadGovernorOptions {
  /** Kernel id of the API thread (the process's main thread: its id is the pid). */
  apiThreadId: number;
  /** Nice value while yielding; 0 turns the governor off. */
  nice?: number;
  onChange?(yielding: boolean): void;
}

/** A governor for the calling thread; inactive where it could not come back to nice 0 or read the API's time. */
export function createThreadGovernor(opts: ThreadGovernorOptions): ThreadGovernor {
  const nice = opts.nice ?? BUSY_API_NICE;
  const self = currentThreadId();
  const statPath = `/proc/self/task/${opts.apiThreadId}/schedstat`;
  if (nice <= 0 || self === undefined || self === opts.apiThreadId || demandNanos(statPath) === undefined || !canRestorePriority()) {
    return inactive;
  }
  let yielding = false;
  let reads = 0;
  let lastAt = 0;
  let lastDemand = 0;
  let timer: NodeJS.Timeout | undefined;

  const setNice = (value: number): boolean => {
    try {
      os.setPriority(self, value);
      return true;
    } catch {
      return false;
    }
  };
  const change = (next: boolean): void => {
    if (next === yielding) return;
    if (!setNice(next ? nice : 0)) return;
    yielding = next;
    if (next) {
      timer = setInterval(look, RECHECK_MS);
      timer.unref();
    } else if (timer) {
      clearInterval(timer);
      timer = undefined;
    }
    opts.onChange?.(yielding);
  };
  const look = (): void => {
    const now = performance.now();
    const demand = demandNanos(statPath);
    if (demand === undefined) return;
    const elapsed = now - lastAt;
    const wanted = elapsed > 0 ? (demand - lastDemand) / (elapsed * 1e6) : 0;
    const fresh = lastAt !== 0 && elapsed <= STALE_MS;
    lastAt = now;
    lastDemand = demand;
    if (!fresh) return;
    if (!yielding && wanted >= YIELD_ABOVE) change(true);
    else if (yielding && wanted < RESUME_BELOW) change(false);
  };

  return {
    bulk(): void {
      // One clock read per 16 full reads (2 MiB of a 128 KiB buffer): nothing next to the copies.
      if ((++reads & 15) !== 0) return;
      if (performance.now() - lastAt < CHECK_EVERY_MS) return;
      look();
    },
    get yielding() {
      return yielding;
    },
    close(): void {
      change(false);
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
