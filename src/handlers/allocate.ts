// Taking an address from a pool so that its endpoint can really listen. The store only knows what this localrds
// (or the nodes sharing its PostgreSQL) handed out; another process on the machine, such as a second localrds
// with the same default pools, may hold the same address:port. So each candidate is probed by binding it before
// the allocation commits: one held elsewhere is recorded as skipped (reason, retry time) and the next is taken;
// one that cannot be bound at all (an address this machine does not have) refuses the call, with nothing written.
import { poolRange } from '../domain/ipv4.js';
import type { AccountId, InstanceId, PoolName } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import type { ServiceConfig } from '../config.js';
import type { Repos } from '../store/types.js';

/** '' when address:port can be bound right now, else the bind error's code (EADDRINUSE, EADDRNOTAVAIL, ...). */
export type BindProbe = (address: string, port: number) => Promise<string>;

/** How long a skipped address stays passed over before it is probed again (a probe costs one bind). */
export const SKIP_RETRY_MS = 60_000;
/** Candidates held elsewhere that one allocation passes over before it gives up (see the error's message). */
export const MAX_SKIPS = 64;

export interface AllocateRequest {
  repos: Repos;
  config: ServiceConfig;
  pool: PoolName;
  owner: { accountId: AccountId; instanceId: InstanceId };
  port: number;
  now: number;
  probe?: BindProbe;
}

export async function allocateBindable(r: AllocateRequest): Promise<string> {
  const range = poolRange(r.pool === 'public' ? r.config.publicPool : r.config.privatePool);
  for (let skipped = 0; ; skipped++) {
    const address = await r.repos.addresses.allocate(r.pool, range.first, range.last, r.owner, r.now);
    if (!address) throw new ApiError('OperationDenied.ZoneResource', { detail: skipped > 0 ? `The ${r.pool} address pool is exhausted (${skipped} of its addresses are held by other processes on port ${r.port}).` : `The ${r.pool} address pool is exhausted.` });
    const failure = r.probe ? await r.probe(address, r.port) : '';
    if (failure === '') return address;
    if (failure !== 'EADDRINUSE') {
      throw new ApiError('OperationDenied.EndpointUnavailable', { address: `${address}:${r.port}`, reason: failure });
    }
    await r.repos.addresses.skip(r.pool, address, `${address}:${r.port} held by another process`, r.now + SKIP_RETRY_MS);
    if (skipped + 1 >= MAX_SKIPS) {
      throw new ApiError('OperationDenied.EndpointUnavailable', {
        address: `${address}:${r.port}`,
        reason: `EADDRINUSE, and so were the ${MAX_SKIPS - 1} addresses before it (is port ${r.port} bound on every address, 0.0.0.0?)`,
      });
    }
  }
}
