// What the data plane should serve, read from the store: endpoints, whitelist groups and engines, plus where each
// instance's own server listens (the instance engine's targets).
import type { BackendTarget, DesiredState, ReconcileScope } from '../dataplane/types.js';
import type { AccountId, EndpointRecord, InstanceId } from '../domain/types.js';
import type { Repos, StateStore } from '../store/types.js';

/** `targets` (optional): where each instance's own server is, from the instance engine. */
export function desiredStateLoader(store: StateStore, targets?: (instanceId: string) => BackendTarget | undefined): (scope: ReconcileScope) => Promise<DesiredState> {
  return (scope) => store.read((r) => loadDesiredState(r, scope, targets));
}

/** The desired state as the given repos see it (a read, or a write transaction before its commit). */
export async function loadDesiredState(
  r: Repos,
  scope: ReconcileScope,
  targets?: (instanceId: string) => BackendTarget | undefined,
): Promise<DesiredState> {
  const endpoints: EndpointRecord[] = scope.instanceId
    ? await r.endpoints.listByInstanceIds([scope.instanceId])
    : await r.endpoints.listAll();
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
