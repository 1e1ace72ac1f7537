// Messages between the API thread and the data plane's worker thread (threaded-data-plane.ts, worker-main.ts).
// Everything is plain data (structured clone); the counters of stats() live in shared memory instead, so that
// the API thread reads them current and without a round trip.
import type { LiveSnapshot } from './live-cells.js';
import type { DataPlaneStats, DesiredState, ReconcileScope } from './types.js';

export type ToWorker =
  | { t: 'reconcile'; id: number; scope: ReconcileScope; state: DesiredState; closeOnly?: boolean }
  | { t: 'close'; id: number }
  | { t: 'reported'; id: number };

export type FromWorker =
  | { t: 'done'; id: number; live: LiveSnapshot; error?: string }
  /** Sent when the shape of live() changed; session counts move in shared memory (live-cells.ts). */
  | { t: 'live'; live: LiveSnapshot }
  /** A bind state for the store; the worker waits for 'reported' with the same id. `live` already shows it. */
  | { t: 'report'; id: number; connectionString: string; error: string; live: LiveSnapshot }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; o: object; msg?: string };

/** What the worker is started with (workerData). */
export interface WorkerInit {
  counters: SharedArrayBuffer;
  backends: Record<string, { host: string; port: number }>;
  retryMs?: number;
  /** The worker's nice value while it yields to a busy API thread (thread-governor.ts); 0: never. */
  nice: number;
}

const FIELDS = ['listeners', 'sessions', 'backendSockets', 'bytesFromClients', 'bytesToClients'] as const;

export function allocateCounters(): SharedArrayBuffer {
  return new SharedArrayBuffer(FIELDS.length * Float64Array.BYTES_PER_ELEMENT);
}

/**
 * DataPlaneStats over shared memory: the worker writes (it alone), the API thread reads. Aligned 8-byte
 * values are read whole on the platforms Node runs on; a reader sees a value a moment old at worst.
 */
export function sharedCounters(buffer: SharedArrayBuffer): DataPlaneStats {
  const cells = new Float64Array(buffer);
  const counters = {} as DataPlaneStats;
  FIELDS.forEach((field, i) => {
    Object.defineProperty(counters, field, {
      enumerable: true,
      get: () => cells[i] ?? 0,
      set: (v: number) => {
        cells[i] = v;
      },
    });
  });
  return counters;
}
