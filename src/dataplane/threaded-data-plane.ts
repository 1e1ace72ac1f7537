// The DataPlane the server uses: the reconciler runs in a worker thread (worker-main.ts) and this object is
// its face on the API thread. reconcile() loads the desired state here (the store belongs to this thread),
// hands it over and resolves once the worker has made the listeners match, so the guarantees of data-plane.ts
// hold unchanged: a release answers only after the listener is closed and its sessions are gone. stats()
// reads shared memory; live() is the worker's latest snapshot of the listeners (sent after every pass, bind
// report and change of shape) with session counts read from shared memory (live-cells.ts).
import { access, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createLiveReader } from './live-cells.js';
import { createSerialQueue } from './serial-queue.js';
import { BUSY_API_NICE } from './thread-governor.js';
import type { DataPlane, DataPlaneStats, DataPlaneThreadOptions, DesiredState, EndpointLiveState, ReconcileScope } from './types.js';
import { allocateCounters, sharedCounters, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

/** The worker's script: next to this file when running tsc's output, or the bundle's own entry point. */
function workerUrl(): URL {
  const bundled = new URL('./dataplane-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return bundled;
  return new URL('./worker-main.js', import.meta.url);
}

function niceFromEnv(): number | undefined {
  const raw = process.env.LOCALRDS_DATAPLANE_NICE;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : undefined;
}

export function createThreadedDataPlane(opts: DataPlaneThreadOptions): DataPlane {
  const { logger } = opts;
  const buffer = allocateCounters();
  const counters = sharedCounters(buffer);
  const nice = opts.nice ?? niceFromEnv() ?? BUSY_API_NICE;
  const init: WorkerInit = { counters: buffer, backends: opts.backends, retryMs: opts.retryMs, nice };
  // A thread inherits its creator's nice value, and libuv starts its whole thread pool on first use: start it
  // from this thread (any pooled call does), so that the API's file and crypto work never runs at the
  // priority the worker takes while it yields (thread-governor.ts).
  if (nice > 0) access(fileURLToPath(import.meta.url), () => undefined);
  // Started by the first pass that has an endpoint to serve (ensureWorker below): a server with none (a fresh
  // data dir, most tests) does not pay for a second isolate at start-up (about 10 MB of RSS and its start time).
  // Until then a pass has nothing to do: nothing is live, so nothing needs closing.
  let worker: Worker | undefined;
  const queue = createSerialQueue();
  const pending = new Map<number, { resolve(): void; reject(e: Error): void }>();
  let nextId = 1;
  const snapshot = createLiveReader();
  let closed = false;
  let dead: Error | undefined;

  const send = (m: ToWorker): void => ensureWorker().postMessage(m);
  const request = (make: (id: number) => ToWorker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (dead) {
        reject(dead);
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      send(make(id));
    });

  const onMessage = (m: FromWorker): void => {
    switch (m.t) {
      case 'done': {
        snapshot.take(m.live);
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve();
        break;
      }
      case 'live':
        snapshot.take(m.live);
        break;
      case 'report': {
        snapshot.take(m.live);
        // The callback belongs to another layer (usually a store write); whatever it does, the worker is told.
        Promise.resolve()
          .then(() => opts.reportBindError(m.connectionString, m.error))
          .catch((err: unknown) => logger.error({ connectionString: m.connectionString, err: String(err) }, 'reportBindError failed'))
          .finally(() => send({ t: 'reported', id: m.id }));
        break;
      }
      case 'log':
        logger[m.level](m.o, m.msg);
        break;
    }
  };
  // A crashed worker takes the listeners with it; every caller from now on hears why instead of waiting.
  const fail = (e: Error): void => {
    dead ??= e;
    if (!closed) logger.error({ err: e.message }, 'data plane worker ended');
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const ensureWorker = (): Worker => {
    if (worker) return worker;
    worker = new Worker(workerUrl(), { workerData: init });
    // The API server keeps the process alive; a data plane nobody closed (a failed start-up) should not.
    worker.unref();
    worker.on('message', onMessage);
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => fail(new Error(`data plane worker exited (code ${code})`)));
    return worker;
  };

  return {
    async reconcile(scope: ReconcileScope = {}): Promise<void> {
      // Loads one at a time, so that the worker gets (and applies) states in the order they were read. The
      // wait for the worker is outside the queue: a pass waiting for a bind report (a store write) must not
      // hold up a closeUndesired() called from inside another write's transaction.
      let done: Promise<void> = Promise.resolve();
      await queue.run(async () => {
        if (closed) return;
        const state = await opts.load(scope);
        if (closed) return;
        if (!worker && state.endpoints.length === 0) return;
        done = request((id) => ({ t: 'reconcile', id, scope, state }));
      });
      await done;
    },
    async closeUndesired(scope: ReconcileScope, state: DesiredState): Promise<void> {
      // Past the queue on purpose (see data-plane.ts): called inside a write's transaction.
      if (closed) return;
      // No worker yet: nothing is live, so nothing to close. A first endpoint about to be committed boots the
      // worker now, so that its start overlaps the commit and the engines' work before the pass that needs it.
      if (!worker) {
        if (state.endpoints.length > 0) ensureWorker();
        return;
      }
      await request((id) => ({ t: 'reconcile', id, scope, state, closeOnly: true }));
    },
    live(instanceIds?: string[]): EndpointLiveState[] {
      return snapshot.read(instanceIds);
    },
    stats(): DataPlaneStats {
      const { listeners, sessions, backendSockets, bytesFromClients, bytesToClients } = counters;
      return { listeners, sessions, backendSockets, bytesFromClients, bytesToClients };
    },
    async close(): Promise<void> {
      if (closed) return;
      let done: Promise<void> = Promise.resolve();
      await queue.run(async () => {
        closed = true;
        if (!dead && worker) done = request((id) => ({ t: 'close', id }));
      });
      await done.catch(() => undefined);
      await worker?.terminate().catch(() => undefined);
    },
  };
}
