// The node's lease, as this node sees it (issue 13). A heartbeat every leaseMs/4 renews the lease in the store
// (the store's clock sets lease_until = dbnow + leaseMs). The node's own deadline is conservative: the LOCAL
// monotonic time at which the last successful renewal was SENT, plus leaseMs; the database wrote a lease that ends
// no earlier than that. Past deadline - margin (margin = leaseMs/3, more than one heartbeat) the node is fenced:
// it serves nothing, so that it has shut every door before any other node can judge its lease lapsed and take
// its endpoints over. The next renewal that succeeds unfences it (after a rejoin if the store says it expired).
import { performance } from 'node:perf_hooks';

export interface LeaseOptions {
  leaseMs: number;
  /** One renewal in the store; throws when the store cannot be reached. */
  renew(): Promise<void>;
  /** The node must serve nothing now (close every listener, cut every session). */
  onFence(): Promise<void>;
  /** A renewal succeeded after a fence: serve what the store says again. */
  onUnfence(): Promise<void>;
  /** After each successful renewal that leaves the node unfenced (failover of other nodes runs here). */
  afterRenew?(): Promise<void>;
  logger: { warn(o: object, msg?: string): void; error(o: object, msg?: string): void };
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

export interface Lease {
  fenced(): boolean;
  /** Local monotonic ms left before the node fences itself (negative once fenced). */
  remainingMs(): number;
  /** Runs one heartbeat now (start-up and tests); resolves when it is done. */
  beat(): Promise<void>;
  stop(): void;
}

export function heartbeatMs(leaseMs: number): number {
  return Math.max(10, Math.floor(leaseMs / 4));
}

export function fenceMarginMs(leaseMs: number): number {
  return Math.max(Math.ceil(leaseMs / 3), heartbeatMs(leaseMs));
}

export function startLease(opts: LeaseOptions): Lease {
  const now = opts.now ?? (() => performance.now());
  const margin = fenceMarginMs(opts.leaseMs);
  let lastSentOk = now();
  let fenced = false;
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  // Fence and unfence run one at a time, in order.
  let transitions: Promise<void> = Promise.resolve();
  const transition = (fn: () => Promise<void>, what: string) => {
    transitions = transitions.then(fn).catch((e: unknown) => opts.logger.error({ err: String(e) }, what));
    return transitions;
  };

  const check = (): void => {
    if (stopped || fenced) return;
    if (now() > lastSentOk + opts.leaseMs - margin) {
      fenced = true;
      opts.logger.warn({ leaseMs: opts.leaseMs }, 'lease not renewed in time: fenced, closing every listener');
      void transition(opts.onFence, 'fencing failed');
    }
  };

  const beat = (): Promise<void> => {
    if (inFlight) return inFlight;
    const run = async () => {
      const sent = now();
      try {
        await opts.renew();
      } catch (e) {
        opts.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'lease renewal failed');
        check();
        return;
      }
      if (stopped) return;
      lastSentOk = Math.max(lastSentOk, sent);
      check(); // a renewal that took most of the lease leaves little: still fenced if past the margin
      if (fenced && now() <= lastSentOk + opts.leaseMs - margin) {
        await transition(async () => {
          fenced = false;
          await opts.onUnfence();
        }, 'unfencing failed');
      }
      if (!fenced && opts.afterRenew) await opts.afterRenew().catch((e: unknown) => opts.logger.error({ err: String(e) }, 'after lease renewal'));
    };
    inFlight = run().finally(() => { inFlight = undefined; });
    return inFlight;
  };

  const hb = setInterval(() => { void beat(); }, heartbeatMs(opts.leaseMs));
  hb.unref();
  const watch = setInterval(check, Math.max(5, Math.min(100, Math.floor(opts.leaseMs / 20))));
  watch.unref();
  return {
    fenced: () => fenced,
    remainingMs: () => lastSentOk + opts.leaseMs - margin - now(),
    beat,
    stop() {
      stopped = true;
      clearInterval(hb);
      clearInterval(watch);
    },
  };
}
