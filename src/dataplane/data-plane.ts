// The data plane: a reconciler that makes the live listeners equal the desired endpoints, plus the
// per-instance routes (whitelist, backend) that the listeners consult on every new connection.
// Pipeline stage 8 ("after commit") calls reconcile({ instanceId }); start-up and repair call reconcile().

import type { EndpointRecord } from '../domain/types.js';
import { createEndpointListener, type EndpointListener, type InstanceRoute } from './endpoint-listener.js';
import { planReconcile } from './reconcile-plan.js';
import { createSerialQueue } from './serial-queue.js';
import type {
  BackendTarget,
  DataPlane,
  DataPlaneOptions,
  DataPlaneStats,
  DesiredState,
  EndpointLiveState,
  ReconcileScope,
} from './types.js';
import { compileWhitelist } from './whitelist.js';

const DEFAULT_RETRY_MS = 2000;
// reconcile() waits this long at most for bind reports to land, so a hung store write cannot hang the API.
const REPORT_WAIT_MS = 5000;

export function createDataPlane(opts: DataPlaneOptions): DataPlane {
  const { logger } = opts;
  const retryMs = opts.retryMs ?? DEFAULT_RETRY_MS;
  const listeners = new Map<string, EndpointListener>();
  const routes = new Map<string, InstanceRoute>();
  // Counted where sockets open and close, not derived from the map, so that a leak cannot hide from stats().
  const counters: DataPlaneStats = opts.counters ?? { listeners: 0, sessions: 0, backendSockets: 0, bytesFromClients: 0, bytesToClients: 0 };
  const changed = opts.onLiveChange ?? ((): void => undefined);
  const queue = createSerialQueue();
  const pendingReports = new Set<Promise<void>>();
  let closed = false;

  // The callback belongs to another layer (usually a store write); whatever it does, it must not reach here.
  const reportBindError = (connectionString: string, error: string): void => {
    let pending: Promise<void>;
    try {
      pending = Promise.resolve(opts.reportBindError(connectionString, error)).catch((err: unknown) => {
        logger.error({ connectionString, err: String(err) }, 'reportBindError failed');
      });
    } catch (err) {
      logger.error({ connectionString, err: String(err) }, 'reportBindError threw');
      return;
    }
    pendingReports.add(pending);
    void pending.finally(() => pendingReports.delete(pending));
  };

  const settleReports = async (): Promise<void> => {
    if (pendingReports.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        logger.warn({ pending: pendingReports.size }, 'bind reports still pending; not waiting for them');
        resolve();
      }, REPORT_WAIT_MS);
    });
    await Promise.race([Promise.all([...pendingReports]), timeout]);
    clearTimeout(timer);
  };

  // The instance's own server first, then the per-engine backend option, else a refusal saying why.
  const targetFor = (instanceId: string, engine: string, state: DesiredState): BackendTarget => {
    const own = state.targets?.[instanceId];
    if (own) return own;
    const shared = opts.backends[engine];
    if (shared) return { kind: 'tcp', host: shared.host, port: shared.port };
    return {
      kind: 'unavailable',
      engine,
      reason: `no database server is configured for engine ${engine || 'unknown'} of instance ${instanceId}`,
    };
  };

  const routeFor = (instanceId: string): InstanceRoute | undefined => routes.get(instanceId);

  const updateRoutes = (state: DesiredState, scope: ReconcileScope): void => {
    const next = new Map<string, string[]>();
    for (const instanceId of Object.keys(state.engines)) next.set(instanceId, []);
    for (const endpoint of state.endpoints) if (!next.has(endpoint.instanceId)) next.set(endpoint.instanceId, []);
    for (const group of state.groups) {
      if (scope.instanceId !== undefined && group.instanceId !== scope.instanceId) continue;
      const entries = next.get(group.instanceId) ?? [];
      entries.push(...group.ips);
      next.set(group.instanceId, entries);
    }
    if (scope.instanceId === undefined) routes.clear();
    else routes.delete(scope.instanceId);
    for (const [instanceId, entries] of next) {
      if (scope.instanceId !== undefined && instanceId !== scope.instanceId) continue;
      const engine = (state.engines[instanceId] ?? '').toLowerCase();
      routes.set(instanceId, {
        admits: compileWhitelist(entries),
        target: targetFor(instanceId, engine, state),
        engine,
      });
    }
  };

  const openListener = (endpoint: EndpointRecord): EndpointListener =>
    createEndpointListener({ endpoint, route: routeFor, retryMs, counters, logger, reportBindError, changed, onBulkRead: opts.onBulkRead });

  const pass = async (scope: ReconcileScope): Promise<void> => {
    if (closed) return;
    const state = await opts.load(scope);
    if (closed) return;
    const desired =
      scope.instanceId === undefined
        ? state.endpoints
        : state.endpoints.filter((endpoint) => endpoint.instanceId === scope.instanceId);
    // Routes first: a listener opened below must already see its whitelist for its first connection.
    updateRoutes(state, scope);
    // A listener closed early (closeUndesired) while this pass was loading is gone, not kept.
    for (const [name, listener] of listeners) if (listener.closed) listeners.delete(name);

    const desiredNames = new Set(desired.map((endpoint) => endpoint.connectionString));
    // An address is unique per ip type in the store, so another instance's listener on a desired ip type, address
    // and port is stale: that instance released the address and its own reconcile has not run yet (concurrent
    // requests on PostgreSQL can reach here in another order than they committed). It gives way now.
    const socketOf = (e: { ipType: string; address: string; port: number }) => `${e.ipType}|${e.address}:${e.port}`;
    const desiredSockets = new Set(desired.map(socketOf));
    // A scoped pass compares only that instance's listeners, plus any stale listener holding one of its names or sockets.
    const candidates = [...listeners.values()].filter(
      (listener) =>
        scope.instanceId === undefined ||
        listener.instanceId === scope.instanceId ||
        desiredNames.has(listener.connectionString) ||
        desiredSockets.has(socketOf(listener)),
    );
    const plan = planReconcile(candidates, desired);
    if (plan.duplicates.length > 0) logger.warn({ duplicates: plan.duplicates }, 'duplicate connection strings');

    // Close before opening: a port move within one instance may hand an address:port from one name to another.
    for (const listener of plan.close) listeners.delete(listener.connectionString);
    await Promise.all(
      plan.close.map(async (listener) => {
        await listener.close();
        logger.info({ connectionString: listener.connectionString, address: listener.address, port: listener.port }, 'endpoint closed');
      }),
    );
    for (const { listener } of plan.rekey) listeners.delete(listener.connectionString);
    const reopen: EndpointRecord[] = [];
    for (const { listener, endpoint } of [...plan.keep, ...plan.rekey]) {
      // Closed early while this pass ran: a fresh listener takes its place.
      if (listener.closed) {
        reopen.push(endpoint);
        continue;
      }
      listener.sync(endpoint);
      listeners.set(endpoint.connectionString, listener);
    }
    const opened = [...plan.open, ...reopen].map((endpoint) => {
      const listener = openListener(endpoint);
      listeners.set(endpoint.connectionString, listener);
      return listener;
    });
    await Promise.all(opened.map((listener) => listener.start()));
  };

  return {
    async reconcile(scope: ReconcileScope = {}): Promise<void> {
      await queue.run(() => pass(scope));
      // So that the API answers after the store has heard about a failed bind.
      await settleReports();
    },

    // Not through the queue: it runs inside a write's transaction, which must not wait for passes (they read the
    // store, and on PostgreSQL the connections a read needs may all be held by such transactions). A pass under
    // way that loaded its state earlier may reopen what this closes; the reconcile after the commit settles it,
    // before the answer.
    async closeUndesired(scope: ReconcileScope, state: DesiredState): Promise<void> {
      if (closed || scope.instanceId === undefined) return;
      const key = (e: { connectionString: string; address: string; port: number }) => `${e.connectionString}|${e.address}:${e.port}`;
      const wanted = new Set(state.endpoints.filter((e) => e.instanceId === scope.instanceId).map(key));
      const doomed = [...listeners.values()].filter((l) => l.instanceId === scope.instanceId && !wanted.has(key(l)));
      for (const listener of doomed) listeners.delete(listener.connectionString);
      await Promise.all(doomed.map((listener) => listener.close()));
    },

    live(instanceIds?: string[]): EndpointLiveState[] {
      const wanted = instanceIds ? new Set(instanceIds) : undefined;
      const states: EndpointLiveState[] = [];
      for (const listener of listeners.values()) {
        if (wanted && !wanted.has(listener.instanceId)) continue;
        states.push({
          connectionString: listener.connectionString,
          instanceId: listener.instanceId,
          ipType: listener.ipType,
          address: listener.address,
          port: listener.port,
          listening: listener.listening,
          openSessions: listener.sessionCount,
          bindError: listener.bindError,
        });
      }
      return states;
    },

    stats(): DataPlaneStats {
      const { listeners, sessions, backendSockets, bytesFromClients, bytesToClients } = counters;
      return { listeners, sessions, backendSockets, bytesFromClients, bytesToClients };
    },

    async close(): Promise<void> {
      // Later reconcile() calls become no-ops; the one running now finishes before the teardown.
      closed = true;
      await queue.run(async () => {
        const all = [...listeners.values()];
        listeners.clear();
        routes.clear();
        await Promise.all(all.map((listener) => listener.close()));
      });
      await settleReports();
    },
  };
}
