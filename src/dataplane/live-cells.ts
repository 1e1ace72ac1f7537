// live() across the thread boundary without a message per session. What live() reports changes in two ways:
// its shape (listeners bound, closed, renamed, failing) which is rare and travels as a snapshot message, and
// each listener's openSessions, which changes with every connection. The counts live in shared memory (cell 0
// a generation, cell i+1 the count of the snapshot's entry i), so that a connection costs the API thread
// nothing: before, every session opened or closed woke it with a snapshot to deserialize, on the core it
// shares with the worker, in the middle of the connection's own handshake.
import type { EndpointLiveState } from './types.js';

/** What a message carries of live(): the shape, its generation and, when they moved, the shared cells. */
export interface LiveSnapshot {
  live: EndpointLiveState[];
  gen: number;
  cells?: SharedArrayBuffer;
}

const INITIAL_CAPACITY = 256;

function sameShape(a: EndpointLiveState, b: EndpointLiveState): boolean {
  return a.connectionString === b.connectionString && a.instanceId === b.instanceId && a.ipType === b.ipType
    && a.address === b.address && a.port === b.port && a.listening === b.listening && a.bindError === b.bindError;
}

/** The worker's side: publish() after any change; it says whether the API thread needs a message. */
export function createLiveWriter(): { publish(live: EndpointLiveState[]): LiveSnapshot | undefined; snapshot(live: EndpointLiveState[]): LiveSnapshot } {
  let buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (1 + INITIAL_CAPACITY));
  let cells = new Int32Array(buffer);
  let gen = 0;
  let last: EndpointLiveState[] = [];
  let bufferSent = false;

  const update = (live: EndpointLiveState[]): boolean => {
    let reshaped = live.length !== last.length || live.some((entry, i) => !sameShape(entry, last[i] as EndpointLiveState));
    if (live.length > cells.length - 1) {
      // A reader still on the old buffer must stop trusting it: its generation can never match again.
      Atomics.store(cells, 0, -1);
      let capacity = cells.length - 1;
      while (capacity < live.length) capacity *= 2;
      buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (1 + capacity));
      cells = new Int32Array(buffer);
      bufferSent = false;
      reshaped = true;
    }
    if (reshaped) {
      // The generation first: a reader holding the previous shape stops reading counts before they move.
      gen += 1;
      Atomics.store(cells, 0, gen);
      last = live;
    }
    live.forEach((entry, i) => Atomics.store(cells, i + 1, entry.openSessions));
    return reshaped || !bufferSent;
  };
  const snapshot = (live: EndpointLiveState[]): LiveSnapshot => {
    update(live);
    const out: LiveSnapshot = { live, gen };
    if (!bufferSent) {
      out.cells = buffer;
      bufferSent = true;
    }
    return out;
  };
  return {
    publish: (live) => (update(live) ? snapshot(live) : undefined),
    snapshot,
  };
}

/** The API thread's side: take() every snapshot that arrives; read() is live() with current counts. */
export function createLiveReader(): { take(s: LiveSnapshot): void; read(instanceIds?: string[]): EndpointLiveState[] } {
  let live: EndpointLiveState[] = [];
  let gen = 0;
  let cells: Int32Array | undefined;
  return {
    take(s: LiveSnapshot): void {
      if (s.cells) cells = new Int32Array(s.cells);
      live = s.live;
      gen = s.gen;
    },
    read(instanceIds?: string[]): EndpointLiveState[] {
      const wanted = instanceIds ? new Set(instanceIds) : undefined;
      // Counts are current only while the cells still hold this snapshot's shape; else its own copies are.
      const current = cells !== undefined && Atomics.load(cells, 0) === gen ? cells : undefined;
      const out: EndpointLiveState[] = [];
      live.forEach((entry, i) => {
        if (wanted && !wanted.has(entry.instanceId)) return;
        out.push(current ? { ...entry, openSessions: Atomics.load(current, i + 1) } : { ...entry });
      });
      return out;
    },
  };
}
