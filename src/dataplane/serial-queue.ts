// A one-at-a-time task queue. The reconciler runs every pass through it so that two overlapping reconcile()
// calls (two API requests finishing together, or a request racing the periodic full pass) never interleave
// their close/open steps on the same listeners.

export interface SerialQueue {
  /** Runs task after every task queued before it has settled; a failing task does not block later ones. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once everything queued so far has settled. */
  idle(): Promise<void>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      // tail never rejects (see below), so task starts only after its predecessor settled either way.
      const result = tail.then(() => task());
      tail = result.catch(() => undefined);
      return result;
    },
    async idle(): Promise<void> {
      await tail;
    },
  };
}
