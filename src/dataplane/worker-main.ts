// The data plane's worker thread: the reconciler, listeners and proxy sessions of data-plane.ts, run off the
// API's event loop so that bytes in flight never wait behind signatures and store work (and the reverse).
// The API thread loads the desired state from the store and sends it here; bind reports and log lines go back.
import { parentPort, workerData } from 'node:worker_threads';
import { createDataPlane } from './data-plane.js';
import { createLiveWriter } from './live-cells.js';
import { createThreadGovernor } from './thread-governor.js';
import type { DesiredState, ReconcileScope } from './types.js';
import { sharedCounters, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker-main.js runs as a worker thread');
const init = workerData as WorkerInit;
const send = (m: FromWorker): void => port.postMessage(m);

// States of the reconcile messages whose passes have not loaded yet: the plane runs passes in call order, so
// each load takes the oldest.
const states: DesiredState[] = [];
const waiting = new Map<number, () => void>();
let nextReport = 1;
let liveQueued = false;
const liveWriter = createLiveWriter();
const snapshot = () => liveWriter.snapshot(plane.live());

const log = (level: 'info' | 'warn' | 'error') => (o: object, msg?: string): void => send({ t: 'log', level, o, msg });

// A stream yields the shared core to a busy API thread (the main thread: its kernel id is the pid).
let lastGovernorLog = 0;
const governor = createThreadGovernor({
  apiThreadId: process.pid,
  nice: init.nice,
  // Rare (a stream meeting a busy API), but it can flip every few tens of ms: one line per 10 s at most.
  onChange: (yielding) => {
    if (Date.now() - lastGovernorLog < 10_000) return;
    lastGovernorLog = Date.now();
    log('info')({ yielding, nice: yielding ? init.nice : 0 }, 'data plane worker priority');
  },
});

const plane = createDataPlane({
  // Each reconcile message carries its state; the pass that it starts reads it at once.
  load: async () => states.shift() ?? { endpoints: [], groups: [], engines: {} },
  backends: init.backends,
  retryMs: init.retryMs,
  counters: sharedCounters(init.counters),
  onBulkRead: governor.bulk,
  logger: { info: log('info'), warn: log('warn'), error: log('error') },
  reportBindError: (connectionString, error) =>
    new Promise<void>((resolve) => {
      const id = nextReport++;
      waiting.set(id, resolve);
      send({ t: 'report', id, connectionString, error, live: snapshot() });
    }),
  // Sessions come and go often: counts are written once per event-loop turn at most, and a message goes only
  // when the shape changed (live-cells.ts).
  onLiveChange: () => {
    if (liveQueued) return;
    liveQueued = true;
    setImmediate(() => {
      liveQueued = false;
      const changed = liveWriter.publish(plane.live());
      if (changed) send({ t: 'live', live: changed });
    });
  },
});

// Each message becomes the call it stands for, at once and in arrival order; the plane's own queue runs their
// passes in that order. A pass may wait for a bind report while later messages arrive.
port.on('message', (m: ToWorker) => {
  if (m.t === 'reported') {
    waiting.get(m.id)?.();
    waiting.delete(m.id);
    return;
  }
  let work: Promise<void>;
  if (m.t === 'reconcile' && m.closeOnly) {
    work = plane.closeUndesired(m.scope as ReconcileScope, m.state);
  } else if (m.t === 'reconcile') {
    states.push(m.state);
    work = plane.reconcile(m.scope as ReconcileScope);
  } else {
    work = plane.close();
  }
  work.then(
    () => send({ t: 'done', id: m.id, live: snapshot() }),
    (e: unknown) => send({ t: 'done', id: m.id, live: snapshot(), error: e instanceof Error ? e.message : String(e) }),
  ).finally(() => {
    if (m.t === 'close') {
      governor.close();
      port.close();
    }
  });
});
