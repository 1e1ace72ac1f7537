// Placement of a new instance on a node, and the owner node's address pools (issue 13). Runs inside the
// handler's transaction, so the counts it reads and the owner it writes commit together.
import type { ServiceConfig } from '../config.js';
import { mustCidr } from '../config.js';
import { ApiError } from '../errors/api-error.js';
import type { NodeRecord, Repos } from '../store/types.js';

/** Live by the database's clock: state live and the lease not yet passed. */
export function isLiveNode(n: NodeRecord, dbNow: number): boolean {
  return n.state === 'live' && n.leaseUntilMs >= dbNow;
}

/**
 * The node that will serve a new instance. Alone (SQLite, or no other live node): this one. Else a live node,
 * the one serving the requested zone when the nodes declare zones (one that declares none serves any zone), the
 * least loaded (fewest instances owned; a tie goes by node id).
 */
export async function placeInstance(r: Repos, config: ServiceConfig, zoneId: string | undefined): Promise<NodeRecord | undefined> {
  if (!config.clustered) return undefined;
  const [nodes, dbNow] = await Promise.all([r.nodes.list(), r.nodes.dbNow()]);
  let live = nodes.filter((n) => isLiveNode(n, dbNow));
  if (zoneId !== undefined && nodes.some((n) => n.zoneId !== '')) {
    const exact = live.filter((n) => n.zoneId === zoneId);
    live = exact.length > 0 ? exact : live.filter((n) => n.zoneId === '');
    if (live.length === 0) throw new ApiError('InvalidZone.NotSupported');
  }
  if (live.length === 0) return nodes.find((n) => n.nodeId === config.nodeId);
  const counts = await r.nodes.countByNode();
  live.sort((a, b) => (counts.get(a.nodeId) ?? 0) - (counts.get(b.nodeId) ?? 0) || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  return live[0];
}

/** The node that owns the instance, when it is another node than this one (its pools and its bind probe). */
export async function remoteOwner(r: Repos, config: ServiceConfig, instanceId: string): Promise<NodeRecord | undefined> {
  if (!config.clustered) return undefined;
  const [own] = await r.nodes.ownership([instanceId]);
  if (!own?.nodeId || own.nodeId === config.nodeId) return undefined;
  return r.nodes.get(own.nodeId);
}

/** The config with the pools of the given node (another node's endpoints take addresses from its own pools). */
export function withPoolsOf(config: ServiceConfig, node: NodeRecord | undefined): ServiceConfig {
  if (!node || node.nodeId === config.nodeId) return config;
  return { ...config, publicPool: mustCidr(node.publicPool), privatePool: mustCidr(node.privatePool) };
}
