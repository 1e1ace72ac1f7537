// Failover (issue 13), run by every live node after each lease renewal, in ONE serializable transaction (retried
// by the store; when two nodes race, one commits and the other's retry finds nothing left to do).
// A live node whose lease passed (by the database's clock) is marked expired. Each instance a dead (expired or
// stopped) node owns is then either moved or marked:
// - served from a shared --backend (or API-only) there, and a live node serves its engine the same way: it moves
//   to the least loaded such node. Its endpoints keep their connection strings and ports and take new addresses
//   from the new node's pools (the old ones go back to the pool under quarantine); the new owner is told through
//   the change channel and opens the listeners; DNS and NetInfo read the new address from the store at once.
// - served by a server of its own on the dead node: its data cannot follow, so it shows Unavailable until that
//   node returns, reconciles and settles it back to Running (docs/fidelity.md).
import { poolRange } from '../domain/ipv4.js';
import type { Engine, PoolName } from '../domain/types.js';
import { mustCidr } from '../config.js';
import type { NodeRecord, Repos } from '../store/types.js';
import { CHANGE_CHANNEL, type ChangeMessage } from './messages.js';
import { isLiveNode } from './placement.js';

type Mode = 'shared' | 'per-instance' | 'none';

export function modeOf(n: NodeRecord, engine: Engine): Mode {
  if (n.sharedEngines.includes(engine)) return 'shared';
  if (n.serverEngines.includes(engine)) return 'per-instance';
  return 'none';
}

export interface FailoverResult {
  expired: string[];
  moved: Array<{ instanceId: string; from: string; to: string }>;
  unavailable: string[];
}

/**
 * Whether a failover pass has anything to do, read outside any write transaction (every live node asks this after
 * every heartbeat; only when it says yes does a node run the serializable pass). `preferred`: this node is the
 * live node with the lowest id, which runs the pass at once; the others wait for a second look one heartbeat
 * later, so that the nodes do not all collide on the same rows (any of them still takes over if it is gone).
 */
export async function failoverPending(r: Repos, nodeId: string): Promise<{ pending: boolean; preferred: boolean }> {
  const [nodes, dbNow] = await Promise.all([r.nodes.list(), r.nodes.dbNow()]);
  const live = nodes.filter((n) => isLiveNode(n, dbNow)).map((n) => n.nodeId).sort();
  const preferred = live[0] === nodeId;
  if (nodes.some((n) => n.state === 'live' && !isLiveNode(n, dbNow))) return { pending: true, preferred };
  const counts = await r.nodes.countByNode();
  for (const n of nodes) {
    if (n.state === 'live' || (counts.get(n.nodeId) ?? 0) === 0) continue;
    // A dead node still owns instances: pending unless all of them are already marked Unavailable with nowhere to go.
    for (const own of await r.nodes.ownedBy(n.nodeId)) {
      const mode = modeOf(n, own.engine);
      const movable = mode !== 'per-instance' && nodes.some((m) => isLiveNode(m, dbNow) && modeOf(m, own.engine) === mode);
      if (movable || own.status !== 'Unavailable') return { pending: true, preferred };
    }
  }
  return { pending: false, preferred };
}

export async function failoverPass(r: Repos, opts: { schema: string; nowMs: number; quarantineMs: number }): Promise<FailoverResult> {
  const out: FailoverResult = { expired: [], moved: [], unavailable: [] };
  for (const n of await r.nodes.listLapsed()) {
    await r.nodes.setState(n.nodeId, 'expired');
    out.expired.push(n.nodeId);
  }
  const [nodes, dbNow] = await Promise.all([r.nodes.list(), r.nodes.dbNow()]);
  const live = nodes.filter((n) => isLiveNode(n, dbNow));
  const dead = nodes.filter((n) => n.state !== 'live');
  if (dead.length === 0 || live.length === 0) return out;
  let counts: Map<string, number> | undefined;
  for (const d of dead) {
    for (const own of await r.nodes.ownedBy(d.nodeId)) {
      const mode = modeOf(d, own.engine);
      const targets = mode === 'per-instance' ? [] : live.filter((n) => modeOf(n, own.engine) === mode);
      if (targets.length === 0) {
        if (own.status !== 'Unavailable') {
          await r.instances.setStatus(own.accountId, own.instanceId, 'Unavailable', 0);
          out.unavailable.push(own.instanceId);
        }
        continue;
      }
      counts ??= await r.nodes.countByNode();
      const c = counts;
      targets.sort((a, b) => (c.get(a.nodeId) ?? 0) - (c.get(b.nodeId) ?? 0) || (a.nodeId < b.nodeId ? -1 : 1));
      const to = targets[0] as NodeRecord;
      c.set(to.nodeId, (c.get(to.nodeId) ?? 0) + 1);
      for (const ep of await r.endpoints.listByInstance(own.accountId, own.instanceId)) {
        const pool: PoolName = ep.ipType === 'Public' ? 'public' : 'private';
        const range = poolRange(mustCidr(pool === 'public' ? to.publicPool : to.privatePool));
        const address = await r.addresses.allocate(pool, range.first, range.last, { accountId: own.accountId, instanceId: own.instanceId }, opts.nowMs);
        // The new node's pool is full: the endpoint keeps its old address until an operator makes room.
        if (!address) continue;
        await r.endpoints.setAddress(ep.connectionString, address);
        await r.addresses.release(pool, ep.address, opts.nowMs + opts.quarantineMs);
      }
      await r.nodes.setOwner(own.instanceId, to.nodeId);
      // Transitional until the new owner's listeners are up (its settler brings it back to Running).
      if (own.status === 'Running' || own.status === 'Unavailable') await r.instances.setStatus(own.accountId, own.instanceId, 'DBInstanceNetTypeChanging', 0);
      const [bumped] = await r.nodes.bump([own.instanceId]);
      const msg: ChangeMessage = { schema: opts.schema, instanceId: own.instanceId, generation: bumped?.generation ?? 0, owner: to.nodeId };
      await r.nodes.notify(CHANGE_CHANNEL, JSON.stringify(msg));
      out.moved.push({ instanceId: own.instanceId, from: d.nodeId, to: to.nodeId });
    }
  }
  return out;
}
