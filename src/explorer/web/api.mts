// Signed calls from the page to this localrds: the RPC endpoint and the live view. Same origin, so the host
// the browser sends is location.host, which is what gets signed.
import { signRequest, type SignatureScheme, type SignedRequest } from '../signer.js';
import { settings } from './settings.mjs';
import type { EndpointLiveState } from '../../dataplane/types.js';

export const API_VERSION = '2014-08-15';

export interface CallResult {
  signed: SignedRequest;
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  bodyText: string;
  json: Record<string, unknown> | undefined;
  ms: number;
}

export class NetworkError extends Error {}

async function send(signed: SignedRequest): Promise<CallResult> {
  const started = performance.now();
  let res: Response;
  try {
    // No body: a bodiless POST carries no content-type, and every header sent is signed.
    res = await fetch(signed.url, { method: signed.method, headers: signed.headers, cache: 'no-store', credentials: 'omit', redirect: 'error' });
  } catch (e) {
    throw new NetworkError(`The server could not be reached: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bodyText = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    json = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch { json = undefined; }
  return { signed, status: res.status, statusText: res.statusText, headers: [...res.headers.entries()], bodyText, json, ms: Math.round(performance.now() - started) };
}

export async function callApi(action: string, params: Array<[string, string]>, scheme: SignatureScheme = settings().scheme): Promise<CallResult> {
  const s = settings();
  const signed = await signRequest({
    scheme, method: 'POST', host: location.host, path: '/', action, version: API_VERSION, params,
    accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret,
  });
  return send(signed);
}

/** Calls an operation and returns its body, or throws the API error (code and message). */
export async function callOk(action: string, params: Array<[string, string]>): Promise<Record<string, unknown>> {
  const r = await callApi(action, params);
  if (r.status !== 200 || !r.json) throw new ApiCallError(String(r.json?.Code ?? r.status), String(r.json?.Message ?? r.bodyText.slice(0, 200)));
  return r.json;
}

export class ApiCallError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** What /_localrds/live answers: the data plane's own type (a type-only import, erased from the bundle). */
export type LiveEndpoint = EndpointLiveState;

/** Which server runs for an instance (the instance engine), as /_localrds/live reports it. */
export interface LiveServer { instanceId: string; state: string; server: string; reason: string }

/** A node sharing the store, as /_localrds/live reports it (issue 13). */
export interface LiveNode { NodeId: string; State: string; ZoneId: string; ApiUrl: string }

export interface LiveAnswer {
  endpoints: LiveEndpoint[];
  servers: LiveServer[];
  /** The node that answered: `endpoints` are its own listeners. */
  nodeId: string;
  /** Per instance, the node that serves it. */
  instanceNodes: Array<{ instanceId: string; nodeId: string }>;
  nodes: LiveNode[];
}

export async function fetchLive(instanceIds: string[]): Promise<LiveAnswer> {
  const s = settings();
  const signed = await signRequest({
    scheme: s.scheme, method: 'GET', host: location.host, path: '/_localrds/live', params: [['instanceIds', instanceIds.join(',')]],
    accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret,
  });
  const r = await send(signed);
  if (r.status !== 200 || !r.json) throw new ApiCallError(String(r.json?.Code ?? r.status), String(r.json?.Message ?? ''));
  return {
    endpoints: (r.json.Endpoints as LiveEndpoint[] | undefined) ?? [],
    servers: (r.json.Servers as LiveServer[] | undefined) ?? [],
    nodeId: typeof r.json.NodeId === 'string' ? r.json.NodeId : '',
    instanceNodes: (r.json.InstanceNodes as LiveAnswer['instanceNodes'] | undefined) ?? [],
    nodes: (r.json.Nodes as LiveNode[] | undefined) ?? [],
  };
}
