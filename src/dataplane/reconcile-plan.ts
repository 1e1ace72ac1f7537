// Pure diff between the listeners that exist and the endpoints that should: what to keep, re-key, close, open.
// The reconciler applies the plan; keeping the decision pure makes "running it twice changes nothing" easy to see.

import type { EndpointRecord } from '../domain/types.js';

/** What the plan needs to know about a live listener. */
export interface LiveEndpointKey {
  connectionString: string;
  instanceId: string;
  address: string;
  port: number;
}

export interface ReconcilePlan<L extends LiveEndpointKey> {
  /** Same connection string on the same address:port: leave the socket alone. */
  keep: Array<{ listener: L; endpoint: EndpointRecord }>;
  /** Renamed endpoint on the same address:port of the same instance: new key, same socket and sessions. */
  rekey: Array<{ listener: L; endpoint: EndpointRecord }>;
  /** Not desired any more (released, deleted, or moved to another address:port). */
  close: L[];
  /** Desired but without a listener. */
  open: EndpointRecord[];
  /** Connection strings listed more than once in the desired state; the first one wins. */
  duplicates: string[];
}

function socketKey(e: LiveEndpointKey): string {
  return `${e.instanceId}|${e.address}:${e.port}`;
}

export function planReconcile<L extends LiveEndpointKey>(
  live: readonly L[],
  desired: readonly EndpointRecord[],
): ReconcilePlan<L> {
  const plan: ReconcilePlan<L> = { keep: [], rekey: [], close: [], open: [], duplicates: [] };
  const desiredByName = new Map<string, EndpointRecord>();
  for (const endpoint of desired) {
    if (desiredByName.has(endpoint.connectionString)) plan.duplicates.push(endpoint.connectionString);
    else desiredByName.set(endpoint.connectionString, endpoint);
  }

  const unmatchedDesired = new Map(desiredByName);
  const unmatchedLive: L[] = [];
  for (const listener of live) {
    const endpoint = unmatchedDesired.get(listener.connectionString);
    if (endpoint && socketKey(endpoint) === socketKey(listener)) {
      plan.keep.push({ listener, endpoint });
      unmatchedDesired.delete(listener.connectionString);
    } else {
      unmatchedLive.push(listener);
    }
  }

  // The address:port is the identity of a socket; a new name on the same one is a rename, not a move.
  const liveBySocket = new Map<string, L>();
  for (const listener of unmatchedLive) liveBySocket.set(socketKey(listener), listener);
  for (const endpoint of unmatchedDesired.values()) {
    const key = socketKey(endpoint);
    const listener = liveBySocket.get(key);
    if (listener) {
      plan.rekey.push({ listener, endpoint });
      liveBySocket.delete(key);
    } else {
      plan.open.push(endpoint);
    }
  }
  const rekeyed = new Set(plan.rekey.map((r) => r.listener));
  plan.close = unmatchedLive.filter((listener) => !rekeyed.has(listener));
  return plan;
}
