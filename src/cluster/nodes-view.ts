// The nodes as `localrds nodes` and the explorer's live view show them (issue 13): state by the database's clock
// (a live row whose lease passed is shown expired before any node has failed it over), instances owned (from the
// store), endpoints and sessions as last reported, and the endpoints each node serves.
import type { StateStore } from '../store/types.js';

export interface NodeView {
  NodeId: string;
  State: 'live' | 'expired' | 'stopped';
  ZoneId: string;
  ApiUrl: string;
  LeaseRemainingMs: number;
  Instances: number;
  Endpoints: number;
  Sessions: number;
  EndpointList: Array<{ ConnectionString: string; Address: string; Port: number; DBInstanceId: string }>;
}

export async function describeNodes(store: StateStore): Promise<NodeView[]> {
  return store.read(async (r) => {
    const [nodes, dbNow, counts, endpoints] = await Promise.all([r.nodes.list(), r.nodes.dbNow(), r.nodes.countByNode(), r.endpoints.listAll()]);
    const owners = new Map((await r.nodes.ownership([...new Set(endpoints.map((e) => e.instanceId))])).map((o) => [o.instanceId as string, o.nodeId ?? '']));
    return nodes.map((n) => {
      const lapsed = n.state === 'live' && n.leaseUntilMs < dbNow;
      return {
        NodeId: n.nodeId,
        State: lapsed ? 'expired' : n.state,
        ZoneId: n.zoneId,
        ApiUrl: n.apiUrl,
        LeaseRemainingMs: n.state === 'live' && !lapsed ? n.leaseUntilMs - dbNow : 0,
        Instances: counts.get(n.nodeId) ?? 0,
        Endpoints: n.endpoints,
        Sessions: n.sessions,
        EndpointList: endpoints.filter((e) => owners.get(e.instanceId) === n.nodeId)
          .map((e) => ({ ConnectionString: e.connectionString, Address: e.address, Port: e.port, DBInstanceId: e.instanceId })),
      };
    });
  });
}

export function formatNodes(nodes: NodeView[]): string {
  const lines: string[] = [];
  for (const n of nodes) {
    lines.push(`${n.NodeId}\t${n.State}\tzone ${n.ZoneId || 'any'}\t${n.ApiUrl || '-'}\tlease ${n.LeaseRemainingMs} ms\tinstances ${n.Instances}\tendpoints ${n.Endpoints}\tsessions ${n.Sessions}`);
    for (const e of n.EndpointList) lines.push(`  ${e.ConnectionString} -> ${e.Address}:${e.Port}\t${e.DBInstanceId}`);
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
