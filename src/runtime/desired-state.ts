// What the data plane should serve, read from the store: endpoints, whitelist groups and engines, plus where each
// instance's own server listens (the instance engine's targets). With several nodes (issue 13) only the instances
// this node owns, and nothing at all while the node is fenced (its lease may lapse: another node may take over).
import type { BackendTarget, DesiredState, ReconcileScope } from '../dataplane/types.js';
import type { AccountId, EndpointRecord, InstanceId } from '../domain/types.js';
import type { Repos, StateStore } from '../store/types.js';

/** Which of these instances this node serves (issue 13); absent: all of them. */
export type OwnedFilter = (r: Repos, instanceIds: string[]) => Promise<Set<string>>;

export interface DesiredStateScope {
  /** Where each instance's own server is, from the instance engine. */
  targets?: (instanceId: string) => BackendTarget | undefined;
  owned?: OwnedFilter;
  /** True while the node must serve nothing: the store is not even read. */
  fenced?: () => boolean;
}

/** What a fenced node serves. */
export const NOTHING_DESIRED: DesiredState = { endpoints: [], groups: [], engines: {}, targets: {} };

export function desiredStateLoader(store: StateStore, targets?: (instanceId: string) => BackendTarget | undefined, node: Omit<DesiredStateScope, 'targets'> = {}): (scope: ReconcileScope) => Promise<DesiredState> {
  return async (scope) => {
    if (node.fenced?.()) return NOTHING_DESIRED;
    const state = await store.read((r) => loadDesiredState(r, scope, targets, node.owned));
    // Fenced while the read ran: what it found must not open anything.
    return node.fenced?.() ? NOTHING_DESIRED : state;
  };
}

/** The endpoints in scope (one instance, or all), of the instances this node serves. */
export async function ownedEndpoints(r: Repos, scope: { instanceId?: string }, owned?: OwnedFilter): Promise<EndpointRecord[]> {
  const endpoints = scope.instanceId ? await r.endpoints.listByInstanceIds([scope.instanceId]) : await r.endpoints.listAll();
  if (!owned || endpoints.length === 0) return endpoints;
  const mine = await owned(r, [...new Set(endpoints.map((e) => e.instanceId))]);
  return endpoints.filter((e) => mine.has(e.instanceId));
}

/** The desired state as the given repos see it (a read, or a write transaction before its commit). */
export async function loadDesiredState(
  r: Repos,
  scope: ReconcileScope,
  targets?: (instanceId: string) => BackendTarget | undefined,
  owned?: OwnedFilter,
): Promise<DesiredState> {
  const endpoints = await ownedEndpoints(r, scope, owned);
  const owners = new Map<string, AccountId>();
  for (const e of endpoints) owners.set(e.instanceId, e.accountId);
  const ids = [...owners.keys()];
  const groups = ids.length > 0 ? await r.securityIps.listByInstanceIds(ids) : [];
  const engines: Record<string, string> = {};
  for (const [id, account] of owners) {
    const inst = await r.instances.get(account, id as InstanceId);
    if (inst) engines[id] = inst.engine;
  }
  const own: Record<string, BackendTarget> = {};
  for (const id of Object.keys(engines)) {
    const t = targets?.(id);
    if (t) own[id] = t;
  }
  return { endpoints: endpoints.filter((e) => engines[e.instanceId] !== undefined), groups, engines, targets: own };
}
