// GET /_localrds/live?instanceIds=a,b: the data plane's live view (listening or not, open sessions, bind errors)
// of the caller's own instances, for the explorer's live view.
// Signed like an API call (V3 or V1, same clock window and nonce rules, through the same `authenticate`) and
// scoped by account: instances of other accounts are left out exactly as unknown ones, so the answer reveals
// nothing about them. A key with a RAM policy sees only the instances it may DescribeDBInstanceNetInfo (the
// call the live view stands in for). Errors use the API's error body.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, type AuthDeps, type Principal } from '../auth/authenticate.js';
import { isAllowed, parsePolicy, resourceOf } from '../auth/policy.js';
import type { DataPlane, EndpointLiveState } from '../dataplane/types.js';
import type { InstanceServerState } from '../engines/types.js';
import type { InstanceId, InstanceRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { baseUrlOf, drainThenClose } from '../http/server.js';
import type { Logger } from '../pipeline.js';
import { encodeError, JSON_TYPE, type WireResponse } from '../protocol/encode.js';
import { parseRpc, type RawRequest } from '../protocol/rpc-request.js';
import type { StateStore } from '../store/types.js';

export const LIVE_PATH = '/_localrds/live';
/** Most instances one call may name (and the most listed when none is named). */
export const LIVE_MAX_INSTANCES = 100;
const MAX_BODY_BYTES = 16 * 1024;

export interface LiveDeps {
  store: StateStore;
  dataplane: Pick<DataPlane, 'live'>;
  /** The instance engine's servers (which server really runs for each instance), when one runs. */
  servers?: () => InstanceServerState[];
  now(): number;
  hostId: string;
  logger: Logger;
  /** The node answering (issue 13): the live endpoints are its own listeners. Default `local`. */
  nodeId?: string;
}

export interface LiveAnswer {
  RequestId: string;
  /** The instances looked at: those named that belong to the caller (all of the caller's when none is named). */
  InstanceIds: string[];
  /** This node's listeners of those instances, each with the node id (issue 13). */
  Endpoints: Array<EndpointLiveState & { nodeId: string }>;
  /** Per instance: the server that really runs for it (the API echoes the requested EngineVersion) and its state. */
  Servers: Array<{ instanceId: string; state: string; server: string; reason: string }>;
  /** The node that answered: Endpoints are its listeners (instances another node serves have none here). */
  NodeId: string;
  /** Per instance: the node that serves it (its server and listeners). */
  InstanceNodes: Array<{ instanceId: string; nodeId: string }>;
  /** Every node sharing the store, its state by the store's clock and its zone ('' = any). */
  Nodes: Array<{ NodeId: string; State: string; ZoneId: string; ApiUrl: string }>;
}

export async function serveLive(req: IncomingMessage, res: ServerResponse, url: URL, deps: LiveDeps): Promise<void> {
  const requestId = randomUUID().toUpperCase();
  const reqUrl = req.url ?? '';
  let wire: WireResponse;
  try {
    const raw: RawRequest = {
      requestId, method: req.method ?? 'GET', path: url.pathname,
      rawQuery: reqUrl.includes('?') ? reqUrl.slice(reqUrl.indexOf('?') + 1) : '',
      headers: req.headers, body: await readBody(req), receivedAt: Date.now(), remoteAddress: req.socket.remoteAddress ?? '',
    };
    wire = { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(await live(raw, deps)) };
  } catch (e) {
    let err: ApiError;
    if (e instanceof ApiError) err = e;
    else {
      deps.logger.error({ requestId, err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) }, 'live view failed');
      err = new ApiError('InternalError');
    }
    wire = encodeError(err, { requestId, hostId: deps.hostId, format: 'JSON', baseUrl: baseUrlOf(req) });
  }
  res.statusCode = wire.status;
  for (const [k, v] of Object.entries(wire.headers)) res.setHeader(k, v);
  res.setHeader('x-acs-request-id', requestId);
  res.setHeader('cache-control', 'no-store');
  // A body refused half-read: drop the rest before closing, or the close resets the connection under the answer.
  if (!req.complete) res.setHeader('connection', 'close');
  res.end(wire.body);
  if (!req.complete) drainThenClose(req);
}

async function live(raw: RawRequest, deps: LiveDeps): Promise<LiveAnswer> {
  if (raw.method !== 'GET') throw new ApiError('UnsupportedHTTPMethod');
  const rpc = parseRpc(raw);
  const authDeps: AuthDeps = {
    getKey: (id) => deps.store.read((r) => r.accounts.getKey(id)),
    useNonce: (ak, nonce, now, exp) => deps.store.useNonces([{ accessKeyId: ak, nonce, expiresAtMs: exp }], now).then((a) => a[0] === true),
    now: deps.now,
  };
  const principal = await authenticate(rpc, authDeps);
  const named = [...new Set((rpc.params.get('instanceIds') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (named.length > LIVE_MAX_INSTANCES) {
    throw new ApiError('InvalidParameter', { name: 'instanceIds', detail: `At most ${LIVE_MAX_INSTANCES} instances.` });
  }
  const ids = (await ownedInstances(deps.store, principal, named)).filter(mayDescribe(principal)).map((i) => i.id);
  const wanted = new Set<string>(ids);
  const servers = (deps.servers?.() ?? []).filter((x) => wanted.has(x.instanceId))
    .map((x) => ({ instanceId: x.instanceId, state: x.state, server: x.server, reason: x.reason }));
  const me = deps.nodeId ?? 'local';
  const { owners, nodes } = await deps.store.read(async (r) => {
    const [list, dbNow, own] = await Promise.all([r.nodes.list(), r.nodes.dbNow(), ids.length > 0 ? r.nodes.ownership(ids) : Promise.resolve([])]);
    return {
      owners: own.map((o) => ({ instanceId: o.instanceId as string, nodeId: o.nodeId ?? '' })),
      nodes: list.map((n) => ({ NodeId: n.nodeId, State: n.state === 'live' && n.leaseUntilMs < dbNow ? 'expired' : n.state, ZoneId: n.zoneId, ApiUrl: n.apiUrl })),
    };
  });
  const endpoints = ids.length === 0 ? [] : deps.dataplane.live(ids).map((e) => ({ ...e, nodeId: me }));
  return { RequestId: raw.requestId, InstanceIds: ids, Endpoints: endpoints, Servers: servers, NodeId: me, InstanceNodes: owners, Nodes: nodes };
}

async function ownedInstances(store: StateStore, principal: Principal, named: string[]): Promise<InstanceRecord[]> {
  return store.read(async (r) => {
    if (named.length === 0) return (await r.instances.list(principal.accountId, {}, 0, LIVE_MAX_INSTANCES)).items;
    const owned: InstanceRecord[] = [];
    for (const id of named) {
      const inst = id.length <= 64 ? await r.instances.get(principal.accountId, id as InstanceId) : undefined;
      if (inst) owned.push(inst);
    }
    return owned;
  });
}

/** The RAM check of DescribeDBInstanceNetInfo on each instance, as the policy gate would make it (src/auth/policy.ts). */
function mayDescribe(principal: Principal): (i: InstanceRecord) => boolean {
  if (principal.policy === null) return () => true;
  let policy: ReturnType<typeof parsePolicy>;
  try {
    policy = parsePolicy(principal.policy);
  } catch {
    throw new ApiError('Forbidden.RAM'); // a stored policy that no longer parses denies everything
  }
  return (i) => isAllowed(policy, 'rds:DescribeDBInstanceNetInfo', resourceOf({ accountId: principal.accountId, regionId: i.regionId, instanceId: i.id }));
}

// Events rather than `for await`: leaving that loop early destroys the socket, and the answer with it.
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        reject(new ApiError('InvalidRequest.TooLarge', { limit: `${MAX_BODY_BYTES} bytes of body` }));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
