// One localrds node among several over one PostgreSQL (issue 13): registration, lease and fencing (lease.ts),
// failover of dead nodes (failover.ts), and changes that reach the owner (bus.ts). On SQLite there is only ever
// one node: it registers (so `localrds nodes` lists it) and renews its lease, and nothing else changes (it owns
// every instance, never fences, never fails anything over).
import type { InstanceId } from '../domain/types.js';
import type { Logger } from '../pipeline.js';
import type { NodeLoad, NodeRegistration, Repos, StateStore } from '../store/types.js';
import type { ChangeBus } from './bus.js';
import { APPLIED_CHANNEL, CHANGE_CHANNEL, type AppliedMessage, type ChangeMessage } from './messages.js';
import { failoverPass, failoverPending } from './failover.js';
import { startLease, type Lease } from './lease.js';

export const DEFAULT_LEASE_MS = 10_000;
export const DEFAULT_RECONCILE_MS = 5_000;
/** How long a call made through this node waits for the owner of its instance to confirm (then answers anyway). */
export const DEFAULT_APPLY_WAIT_MS = 5_000;
const POLL_MS = 250;
/** ChangeMessage.owner of a deleted instance: every node that still serves it applies the change. */
const ANY_OWNER = '*';

/** The LISTEN connection's application_name (pg_stat_activity), for operators and tests. At most 63 bytes. */
export function busApplicationName(schema: string, nodeId: string): string {
  return `localrds-bus:${schema}:${nodeId}`.slice(0, 63);
}

export interface NodeHooks {
  /** The same local path a change made through this node takes: server, listeners, relocation, settling. */
  applyLocal(instanceId: InstanceId, restart: boolean): Promise<void>;
  /** engines + data plane + settler.resume over everything this node owns. */
  fullReconcile(): Promise<void>;
  /** Fenced: the data plane reconciles to nothing (its loader reads no store while fenced). */
  shutAll(): Promise<void>;
  load(): NodeLoad;
  /** Whether this node has listeners or a server slot for the instance (a deleted instance's owner is unknown). */
  serves(instanceId: string): boolean;
}

export interface NodeRuntimeOptions {
  store: StateStore;
  /** The PostgreSQL URL (with its ?schema=), for the LISTEN connection; undefined on SQLite. */
  db?: string;
  registration: Omit<NodeRegistration, 'apiUrl'>;
  leaseMs?: number;
  reconcileMs?: number;
  applyWaitMs?: number;
  quarantineMs: number;
  logger: Logger;
  now(): number;
}

export interface NodeRuntime {
  readonly id: string;
  readonly zoneId: string;
  readonly clustered: boolean;
  fenced(): boolean;
  /** Which of these instances this node serves (all of them when alone). */
  owned(r: Repos, ids: string[]): Promise<Set<string>>;
  ownedNow(ids: string[]): Promise<Set<string>>;
  /**
   * Inside a write tx: bump each instance's generation; tell other owners (delivered at commit). Runs before the
   * data plane shuts the doors the change removes (it asks the data plane whether a deleted instance was served here).
   */
  beforeCommit(ids: readonly InstanceId[], r: Repos): Promise<void>;
  /** After the commit: own instances locally, others' by waiting (bounded) for their owner's confirmation. */
  afterCommit(ids: readonly InstanceId[], restarts: readonly InstanceId[]): Promise<void>;
  /** The planes exist: changes are applied from now on (before the API listens, so that no call misses them). */
  attach(hooks: NodeHooks): void;
  /** Starts the heartbeat, the periodic reconcile and the change listener, and records the API URL. */
  start(hooks: NodeHooks, apiUrl: string): Promise<void>;
  /** Stops the heartbeat, the periodic reconcile and the change listener (first step of a graceful stop). */
  halt(): Promise<void>;
  /** Graceful stop (after the listeners closed): state stopped, so that other nodes fail over at once. */
  close(): Promise<void>;
}

/** Registers the node (before the planes start, so the loaders know what it owns) and claims unowned instances. */
export async function openNodeRuntime(opts: NodeRuntimeOptions): Promise<NodeRuntime> {
  const me = opts.registration.nodeId;
  const clustered = opts.store.kind === 'postgres';
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const reconcileMs = opts.reconcileMs ?? DEFAULT_RECONCILE_MS;
  const applyWaitMs = opts.applyWaitMs ?? DEFAULT_APPLY_WAIT_MS;
  const { logger } = opts;
  let registration: NodeRegistration = { ...opts.registration, apiUrl: '' };
  await opts.store.tx(async (r) => {
    await r.nodes.register(registration, leaseMs);
    await r.nodes.claimUnowned(me);
  });
  const schema = clustered && opts.db ? (await import('../store/postgres-store.js')).splitUrl(opts.db, undefined) : undefined;
  const schemaName = schema?.schema ?? 'public';

  let hooks: NodeHooks | undefined;
  /** A failover pass was pending at the last heartbeat (a node that is not the preferred one runs it on the second look). */
  let pendingSeen = false;
  let lease: Lease | undefined;
  let bus: ChangeBus | undefined;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  /** What this node's own writes bumped each instance to, and its owner then (beforeCommit -> afterCommit). */
  const bumped = new Map<string, { generation: number; owner: string | null }>();
  /** Generations this node applied for instances it owns (its own writes and the changes it was told of). */
  const applied = new Map<string, number>();
  const waiters = new Map<string, Set<{ generation: number; done(): void }>>();
  /** Instances deleted through this node that it served itself (beforeCommit -> afterCommit). */
  const deletingHere = new Set<string>();
  const queues = new Map<string, Promise<void>>();

  const owned = async (r: Repos, ids: string[]): Promise<Set<string>> => {
    if (!clustered) return new Set(ids);
    return new Set((await r.nodes.ownership(ids)).filter((o) => o.nodeId === me).map((o) => o.instanceId));
  };

  const serial = (id: string, fn: () => Promise<void>): Promise<void> => {
    const prev = queues.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    queues.set(id, next);
    void next.then(() => { if (queues.get(id) === next) queues.delete(id); }, () => undefined);
    return next;
  };

  /** Apply a change of an instance this node owns, then confirm it to whoever waits. */
  const applyOwned = (id: string, generation: number, restart: boolean, force = false): Promise<void> => serial(id, async () => {
    if (!hooks || closed) return;
    if ((applied.get(id) ?? 0) >= generation && !restart && !force) return confirm(id, generation);
    await hooks.applyLocal(id as InstanceId, restart);
    if (generation > (applied.get(id) ?? 0)) applied.set(id, generation);
    await confirm(id, generation);
  });

  const confirm = async (id: string, generation: number): Promise<void> => {
    const msg: AppliedMessage = { schema: schemaName, instanceId: id, generation, node: me };
    await opts.store.tx(async (r) => {
      await r.nodes.setApplied(id, generation);
      await r.nodes.notify(APPLIED_CHANNEL, JSON.stringify(msg));
    });
  };

  const onChange = (m: ChangeMessage): void => {
    if (lease?.fenced()) return;
    // A deleted instance (its row, and so its owner, is gone): whichever node still serves it removes it.
    if (m.owner === ANY_OWNER) {
      if (!hooks?.serves(m.instanceId)) return;
    } else if (m.owner !== me) return;
    applyOwned(m.instanceId, m.generation, m.restart === true, m.owner === ANY_OWNER)
      .catch((e: unknown) => logger.error({ instanceId: m.instanceId, err: String(e) }, 'applying a change made on another node failed'));
  };

  const onApplied = (m: AppliedMessage): void => {
    const set = waiters.get(m.instanceId);
    if (!set) return;
    for (const w of set) if (m.generation >= w.generation) w.done();
  };

  /** Owned instances whose generation is ahead of what was applied: changes whose notification was missed. */
  let catching = false;
  let catchUpFailing = false;
  const catchUp = async (): Promise<void> => {
    if (!clustered || !hooks || closed || catching || lease?.fenced()) return;
    catching = true;
    try {
      const mine = await opts.store.read((r) => r.nodes.ownedBy(me));
      for (const o of mine) {
        const done = Math.max(o.appliedGeneration, applied.get(o.instanceId) ?? 0);
        if (o.generation > done) await applyOwned(o.instanceId, o.generation, false);
      }
      catchUpFailing = false;
    } catch (e) {
      // Once per outage: while the store is away this runs every 250 ms.
      if (!catchUpFailing) logger.warn({ err: String(e) }, 'catching up on changes failed');
      catchUpFailing = true;
    } finally {
      catching = false;
    }
  };

  const waitApplied = (id: string, generation: number): Promise<void> => new Promise((resolve) => {
    let set = waiters.get(id);
    if (!set) { set = new Set(); waiters.set(id, set); }
    const entry = {
      generation,
      done: () => {
        clearTimeout(timeout);
        clearInterval(poll);
        set?.delete(entry);
        if (set?.size === 0) waiters.delete(id);
        resolve();
      },
    };
    set.add(entry);
    // Bounded: after it, the instance stays in its transitional status until the owner catches up.
    const timeout = setTimeout(() => {
      logger.warn({ instanceId: id, generation }, 'the owner node did not confirm the change in time; answering anyway');
      entry.done();
    }, applyWaitMs);
    // The notification may be lost (channel down on either side): the owner also records what it applied.
    const poll = setInterval(() => {
      opts.store.read((r) => r.nodes.ownership([id])).then(([o]) => {
        if (o && o.appliedGeneration >= generation) entry.done();
        // Moved to this node meanwhile (failover): the failover's own notification makes this node apply it.
        else if (o && o.nodeId === me) entry.done();
      }, () => undefined);
    }, bus?.live() ? 1000 : POLL_MS);
  });

  const renew = async (): Promise<void> => {
    const load = hooks?.load() ?? { instances: 0, endpoints: 0, sessions: 0 };
    const row = await opts.store.tx((r) => r.nodes.renew(me, leaseMs, load));
    if (row) return;
    // Another node judged this one expired (and failed its instances over), or it was stopped: rejoin with a new
    // epoch and serve what the store still says it owns.
    logger.warn({ nodeId: me }, 'the store says this node is not live: rejoining');
    await opts.store.tx((r) => r.nodes.register(registration, leaseMs));
    if (hooks && !lease?.fenced()) await hooks.fullReconcile();
  };

  const runtime: NodeRuntime = {
    id: me,
    zoneId: opts.registration.zoneId,
    clustered,
    fenced: () => lease?.fenced() ?? false,
    owned,
    ownedNow: (ids) => (clustered ? opts.store.read((r) => owned(r, ids)) : Promise.resolve(new Set(ids))),
    async beforeCommit(ids, r) {
      if (!clustered || ids.length === 0) return;
      const rows = await r.nodes.bump(ids);
      for (const id of ids) {
        if (rows.some((o) => o.instanceId === id)) continue;
        // Deleted in this transaction: its owner can no longer be read. This node serves it (asked before the
        // doors shut): it is the owner. Else every node hears it, and the one that serves it confirms.
        // (A retried attempt finds the doors its first attempt shut: what that attempt saw is remembered.)
        if (deletingHere.has(id) || hooks?.serves(id)) {
          deletingHere.add(id);
          bumped.set(id, { generation: 0, owner: me });
          continue;
        }
        bumped.set(id, { generation: 0, owner: ANY_OWNER });
        const msg: ChangeMessage = { schema: schemaName, instanceId: id, generation: 0, owner: ANY_OWNER };
        await r.nodes.notify(CHANGE_CHANNEL, JSON.stringify(msg));
      }
      for (const o of rows) {
        const prev = bumped.get(o.instanceId);
        if (!prev || prev.generation <= o.generation) bumped.set(o.instanceId, { generation: o.generation, owner: o.nodeId });
        if (o.nodeId && o.nodeId !== me) {
          const msg: ChangeMessage = { schema: schemaName, instanceId: o.instanceId, generation: o.generation, owner: o.nodeId };
          await r.nodes.notify(CHANGE_CHANNEL, JSON.stringify(msg));
        }
      }
    },
    async afterCommit(ids, restarts) {
      let failure: unknown;
      const remote: Array<Promise<void>> = [];
      for (const id of ids) {
        const b = bumped.get(id);
        deletingHere.delete(id);
        if (clustered && b?.owner === ANY_OWNER) {
          // Deleted, and another node served it: wait (bounded) for that node to confirm it removed it.
          bumped.delete(id);
          remote.push(waitApplied(id, 0));
          continue;
        } else if (clustered && b?.owner && b.owner !== me) {
          if (restarts.includes(id)) {
            const msg: ChangeMessage = { schema: schemaName, instanceId: id, generation: b.generation, owner: b.owner, restart: true };
            await opts.store.tx((r) => r.nodes.notify(CHANGE_CHANNEL, JSON.stringify(msg)));
          }
          remote.push(waitApplied(id, b.generation));
          continue;
        }
        try {
          await hooks?.applyLocal(id, restarts.includes(id));
          if (b && b.generation > (applied.get(id) ?? 0)) applied.set(id, b.generation);
        } catch (e) {
          failure ??= e;
        }
      }
      await Promise.all(remote);
      if (failure !== undefined) throw failure;
    },
    attach(h) {
      hooks = h;
    },
    async start(h, apiUrl) {
      hooks = h;
      registration = { ...registration, apiUrl };
      await opts.store.tx((r) => r.nodes.register(registration, leaseMs));
      if (clustered && opts.db) {
        const { connectionString } = (await import('../store/postgres-store.js')).splitUrl(opts.db, undefined);
        // Loaded here: the LISTEN connection needs pg, which a node on SQLite never loads.
        const { startChangeBus } = await import('./bus.js');
        bus = startChangeBus({ connectionString, schema: schemaName, applicationName: busApplicationName(schemaName, me) });
        bus.onChange(onChange);
        bus.onApplied(onApplied);
        bus.onReconnect(() => { void catchUp(); });
      }
      lease = startLease({
        leaseMs,
        logger,
        renew,
        // SQLite is this process's own file: there is no partition to fence against.
        onFence: async () => { if (clustered) await h.shutAll(); },
        onUnfence: async () => { await h.fullReconcile(); await catchUp(); },
        afterRenew: async () => {
          if (!clustered) return;
          const check = await opts.store.read((r) => failoverPending(r, me));
          if (!check.pending) { pendingSeen = false; return; }
          if (!check.preferred && !pendingSeen) { pendingSeen = true; return; }
          pendingSeen = false;
          const res = await opts.store.tx((r) => failoverPass(r, { schema: schemaName, nowMs: opts.now(), quarantineMs: opts.quarantineMs }));
          if (res.expired.length > 0 || res.moved.length > 0 || res.unavailable.length > 0) logger.warn({ ...res }, 'failover');
          if (res.moved.some((m) => m.to === me)) void catchUp();
        },
      });
      if (!clustered) {
        lease.stop();
        // One node on its own file: the lease is renewed only so that `localrds nodes` shows it live.
        const t = setInterval(() => { renew().catch(() => undefined); }, Math.max(1000, Math.floor(leaseMs / 4)));
        t.unref();
        timers.push(t);
        return;
      }
      // One pass at a time: a pass that starts servers may take longer than the period.
      let passing = false;
      const full = setInterval(() => {
        if (lease?.fenced() || closed || passing) return;
        passing = true;
        h.fullReconcile().then(catchUp).catch((e: unknown) => logger.warn({ err: String(e) }, 'periodic reconcile failed'))
          .finally(() => { passing = false; });
      }, reconcileMs);
      full.unref();
      timers.push(full);
      const poll = setInterval(() => { if (bus && !bus.live()) void catchUp(); }, POLL_MS);
      poll.unref();
      timers.push(poll);
    },
    async halt() {
      if (closed) return;
      closed = true;
      lease?.stop();
      for (const t of timers) clearInterval(t);
      await bus?.close();
      await Promise.all([...queues.values()].map((q) => q.catch(() => undefined)));
    },
    async close() {
      await runtime.halt();
      await opts.store.tx((r) => r.nodes.setState(me, 'stopped')).catch((e: unknown) => logger.warn({ err: String(e) }, 'could not mark the node stopped'));
    },
  };
  return runtime;
}
