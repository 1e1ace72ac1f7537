// The live view's data: polled every second while the page is open and visible, through the signed API
// (DescribeDBInstances, DescribeDBInstanceNetInfo, DescribeDBInstanceIPArrayList) plus /_localrds/live for
// the listeners. An endpoint that disappears (released) stays listed as closed for a while, so that the
// release can be seen whichever page it was made from.
import { callOk, fetchLive, type LiveAnswer, type LiveNode } from './api.mjs';
import { settings } from './settings.mjs';

export interface EndpointView {
  connectionString: string;
  ipType: string;
  address: string;
  port: string;
  /** 'elsewhere': another node serves it; this page's node has no listener for it by design. */
  state: 'listening' | 'closed' | 'elsewhere';
  /** Why it is closed: a bind error, no listener yet, or released at a time. */
  reason: string;
  openSessions: number;
  releasedAt?: number;
}

export interface WhitelistGroup { name: string; ips: string; attribute: string }

export interface InstanceView {
  id: string;
  engine: string;
  engineVersion: string;
  status: string;
  /** The server that really runs (e.g. "PostgreSQL 17.10 (...)"), its state, or '' when none is reported. */
  server: string;
  description: string;
  groups: WhitelistGroup[];
  endpoints: EndpointView[];
  /** The node that serves it (its server and listeners); '' when not reported. */
  node: string;
}

export interface LiveSnapshot {
  /** Time of the last successful refresh (0: none yet). */
  at: number;
  instances: InstanceView[];
  /** The node that answered the page's calls, and every node sharing its store (several nodes: issue 13). */
  answeredBy: string;
  nodes: LiveNode[];
  error?: string;
}

export const POLL_MS = 1000;
const ERROR_POLL_MS = 3000;
/** How long a released endpoint stays in the list. */
const KEEP_RELEASED_MS = 5 * 60 * 1000;

type Row = Record<string, unknown>;
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

let snapshot: LiveSnapshot = { at: 0, instances: [], answeredBy: '', nodes: [] };
const listeners = new Set<(s: LiveSnapshot) => void>();
/** connectionString -> last seen endpoint (and its instance), to notice releases. */
const seen = new Map<string, { instanceId: string; view: EndpointView; releasedAt?: number }>();
let timer: number | undefined;
let running = false;
/** A refresh was asked for while one was running: run again as soon as it ends. */
let again = false;

export function liveSnapshot(): LiveSnapshot {
  return snapshot;
}

export function onLive(l: (s: LiveSnapshot) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function startLivePolling(): void {
  document.addEventListener('visibilitychange', () => { if (!document.hidden) void refreshLive(); });
  void refreshLive();
}

/** Refreshes now (after a call that changed something) and then every second. */
export async function refreshLive(): Promise<void> {
  if (running) {
    again = true;
    return;
  }
  running = true;
  again = false;
  window.clearTimeout(timer);
  let next = POLL_MS;
  try {
    if (!document.hidden) snapshot = { at: Date.now(), ...(await poll()) };
  } catch (e) {
    snapshot = { ...snapshot, error: e instanceof Error ? `${(e as { code?: string }).code ?? ''} ${e.message}`.trim() : String(e) };
    next = ERROR_POLL_MS;
  } finally {
    running = false;
  }
  for (const l of listeners) l(snapshot);
  timer = window.setTimeout(() => void refreshLive(), again ? 0 : next);
}

async function poll(): Promise<Pick<LiveSnapshot, 'instances' | 'answeredBy' | 'nodes'>> {
  const list = await callOk('DescribeDBInstances', [['RegionId', settings().regionId], ['PageSize', '100']]);
  const items = rows((list.Items as Row | undefined)?.DBInstance);
  const ids = items.map((i) => text(i.DBInstanceId));
  const [nets, whitelists, live] = await Promise.all([
    Promise.all(ids.map((id) => callOk('DescribeDBInstanceNetInfo', [['DBInstanceId', id]]).catch(() => undefined))),
    Promise.all(ids.map((id) => callOk('DescribeDBInstanceIPArrayList', [['DBInstanceId', id]]).catch(() => undefined))),
    ids.length > 0 ? fetchLive(ids) : Promise.resolve<LiveAnswer>({ endpoints: [], servers: [], nodeId: '', instanceNodes: [], nodes: [] }),
  ]);
  const nodeOf = new Map(live.instanceNodes.map((x) => [x.instanceId, x.nodeId]));
  const liveByName = new Map(live.endpoints.map((e) => [e.connectionString, e]));
  const serverOf = new Map(live.servers.map((x) => [x.instanceId, x.state === 'failed' ? `no server: ${x.reason}` : x.state === 'running' ? x.server : `${x.server || 'server'} ${x.state}`]));
  const now = Date.now();
  const instances = items.map((item, n): InstanceView => {
    const id = text(item.DBInstanceId);
    const net = nets[n];
    const node = nodeOf.get(id) ?? '';
    const elsewhere = node !== '' && live.nodeId !== '' && node !== live.nodeId;
    const endpoints = rows((net?.DBInstanceNetInfos as Row | undefined)?.DBInstanceNetInfo).map((e): EndpointView => {
      const cs = text(e.ConnectionString);
      const l = liveByName.get(cs);
      const view: EndpointView = {
        connectionString: cs, ipType: text(e.IPType), address: text(e.IPAddress), port: text(e.Port),
        state: l?.listening ? 'listening' : elsewhere ? 'elsewhere' : 'closed',
        reason: l?.listening ? '' : elsewhere ? `served by node ${node}; this page asks node ${live.nodeId}` : l?.bindError ? `cannot bind: ${l.bindError}` : 'no listener',
        openSessions: l?.openSessions ?? 0,
      };
      seen.set(cs, { instanceId: id, view });
      return view;
    });
    // Endpoints seen before and gone now were released (or renamed): closed.
    if (net) {
      for (const [cs, s] of seen) {
        if (s.instanceId !== id || endpoints.some((e) => e.connectionString === cs)) continue;
        s.releasedAt ??= now;
        if (now - s.releasedAt > KEEP_RELEASED_MS) { seen.delete(cs); continue; }
        endpoints.push({ ...s.view, state: 'closed', reason: `released at ${new Date(s.releasedAt).toLocaleTimeString()}`, openSessions: 0, releasedAt: s.releasedAt });
      }
    }
    const groups = rows((whitelists[n]?.Items as Row | undefined)?.DBInstanceIPArray)
      .map((g) => ({ name: text(g.DBInstanceIPArrayName), ips: text(g.SecurityIPList), attribute: text(g.DBInstanceIPArrayAttribute) }));
    return {
      id, engine: text(item.Engine), engineVersion: text(item.EngineVersion), status: text(item.DBInstanceStatus),
      server: serverOf.get(id) ?? '', description: text(item.DBInstanceDescription), groups, endpoints, node,
    };
  });
  for (const [cs, s] of seen) if (!ids.includes(s.instanceId)) seen.delete(cs);
  return { instances, answeredBy: live.nodeId, nodes: live.nodes };
}
