// After a change committed, an endpoint whose fresh address was probed free may still fail to bind because
// another process took that address:port in between (two localrds allocating at once). Rather than leave the
// instance Creating until that process lets go, the endpoint moves to another address of its pool (the lost one
// is recorded as skipped), and the data plane is reconciled again, a few times at most, before the answer.
import type { ServiceConfig } from '../config.js';
import type { DataPlane } from '../dataplane/types.js';
import type { InstanceId } from '../domain/types.js';
import { allocateBindable, SKIP_RETRY_MS, type BindProbe } from '../handlers/allocate.js';
import type { StateStore } from '../store/types.js';

const ROUNDS = 3;

export async function relocateHeldEndpoints(o: { store: StateStore; dataplane: DataPlane; config: ServiceConfig; probe: BindProbe; now(): number; instanceId: InstanceId }): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const held = o.dataplane.live([o.instanceId]).filter((l) => !l.listening && /EADDRINUSE/.test(l.bindError));
    if (held.length === 0) return;
    await o.store.tx(async (r) => {
      for (const l of held) {
        const ep = await r.endpoints.getByConnectionString(l.connectionString);
        if (!ep || ep.address !== l.address || ep.port !== l.port) continue;
        const pool = ep.ipType === 'Public' ? 'public' : 'private';
        const now = o.now();
        const address = await allocateBindable({ repos: r, config: o.config, pool, owner: { accountId: ep.accountId, instanceId: ep.instanceId }, port: ep.port, now, probe: o.probe });
        await r.addresses.skip(pool, ep.address, `${ep.address}:${ep.port} taken by another process before it bound`, now + SKIP_RETRY_MS);
        await r.endpoints.setAddress(ep.connectionString, address);
      }
    });
    await o.dataplane.reconcile({ instanceId: o.instanceId });
  }
}
