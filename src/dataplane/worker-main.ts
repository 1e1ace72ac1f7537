// The data plane's worker thread: the reconciler, listeners and proxy sessions of data-plane.ts, run off the
// API's event loop so that bytes in flight never wait behind signatures and store work (and the reverse).
// The API thread loads the desired state from the store and sends it here; bind reports and log lines go back.
import { parentPort, workerData } from 'node:worker_threads';
import { createDataPlane } from './data-plane.js';
import type { DesiredState, ReconcileScope } from './types.js';
import { sharedCounters, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker-main.js runs as a worker thread');
const init = workerData as WorkerInit;
const send = (m: FromWorker): void => port.postMessage(m);

let desired: DesiredState = { endpoints: [], groups: [], engines: {} };
const waiting = new Map<number, () => void>();
let nextReport = 1;
let liveQueued = false;

const log = (level: 'info' | 'warn' | 'error') => (o: object, msg?: string): void => send({ t: 'log', level, o, msg });

const plane = createDataPlane({
  // Each reconcile message carries its state; the pass that it starts reads it at once.
  load: async () => desired,
  backends: init.backends,
  retryMs: init.retryMs,
  counters: sharedCounters(init.counters),
  logger: { info: log('info'), warn: log('warn'), error: log('error') },
  reportBindError: (connectionString, error) =>
    new Promise<void>((resolve) => {
      const id = nextReport++;
      waiting.set(id, resolve);
      send({ t: 'report', id, connectionString, error, live: plane.live() });
    }),
  // Sessions come and go often: one snapshot per event-loop turn at most.
  onLiveChange: () => {
    if (liveQueued) return;
    liveQueued = true;
    setImmediate(() => {
      liveQueued = false;
      send({ t: 'live', live: plane.live() });
    });
  },
});

// Messages are handled one at a time, in order, like the reconcile() calls they stand for.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: ToWorker) => {
  if (m.t === 'reported') {
    waiting.get(m.id)?.();
    waiting.delete(m.id);
    return;
  }
  chain = chain.then(async () => {
    let error: string | undefined;
    try {
      if (m.t === 'reconcile') {
        desired = m.state;
        await plane.reconcile(m.scope as ReconcileScope);
      } else {
        await plane.close();
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    send({ t: 'done', id: m.id, live: plane.live(), ...(error !== undefined ? { error } : {}) });
    if (m.t === 'close') port.close();
  });
});
