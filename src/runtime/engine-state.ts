// What the instance engine should make each server hold, read from the store: the instance with its database
// accounts, databases and grants. Every instance has an internal endpoint, so the endpoints name them all.
import type { AccountId, InstanceId } from '../domain/types.js';
import type { EngineDesiredState } from '../engines/types.js';
import type { StateStore } from '../store/types.js';
import { ownedEndpoints, type OwnedFilter } from './desired-state.js';

/** `owned` (several nodes, issue 13): only the instances this node serves. */
export function engineStateLoader(store: StateStore, owned?: OwnedFilter): (scope: { instanceId?: string }) => Promise<EngineDesiredState[]> {
  return (scope) => store.read(async (r) => {
    const endpoints = await ownedEndpoints(r, scope, owned);
    const owners = new Map<string, AccountId>();
    for (const e of endpoints) owners.set(e.instanceId, e.accountId);
    const ids = [...owners.keys()];
    if (ids.length === 0) return [];
    const [accounts, databases, privileges] = await Promise.all([
      r.dbAccounts.listByInstanceIds(ids), r.databases.listByInstanceIds(ids), r.privileges.listByInstanceIds(ids),
    ]);
    const out: EngineDesiredState[] = [];
    for (const [id, account] of owners) {
      const instance = await r.instances.get(account, id as InstanceId);
      if (!instance) continue;
      out.push({
        instance,
        accounts: accounts.filter((a) => a.instanceId === id),
        databases: databases.filter((d) => d.instanceId === id),
        privileges: privileges.filter((p) => p.instanceId === id),
      });
    }
    return out;
  });
}
