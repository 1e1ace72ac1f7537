// Builds large stores fast, straight through the store API (batched transactions), for the scale figures.
import type { AccountId, InstanceId, InstanceRecord, IpType } from '../../src/domain/types.js';
import { connectionString } from '../../src/domain/naming.js';
import { parseCidr, poolRange } from '../../src/domain/ipv4.js';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_ACCOUNT_ID, ensureDefaultAccount } from '../../src/runtime/accounts.js';
import { BENCH_CREDS } from './localrds-process.js';

const BATCH = 2000;

export interface SeedOptions {
  dataDir: string;
  instances: number;
  /** Which instances (by index) get an endpoint, and of which type. */
  endpointFor(i: number): IpType | undefined;
  publicPool: string;
  privatePool: string;
}

export function seedInstanceId(i: number): InstanceId {
  return `rm-bench${i.toString(36).padStart(12, '0')}` as InstanceId;
}

export async function seedStore(o: SeedOptions): Promise<{ seconds: number }> {
  const t0 = performance.now();
  const store = await openStore({ dataDir: o.dataDir });
  try {
    await ensureDefaultAccount(store, BENCH_CREDS);
    const accountId: AccountId = DEFAULT_ACCOUNT_ID;
    const pools = { public: poolRange(parseCidr(o.publicPool)!), private: poolRange(parseCidr(o.privatePool)!) };
    const createdAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (let start = 0; start < o.instances; start += BATCH) {
      await store.tx(async (r) => {
        for (let i = start; i < Math.min(o.instances, start + BATCH); i++) {
          const inst: InstanceRecord = {
            accountId, id: seedInstanceId(i), regionId: 'cn-hangzhou', zoneId: 'cn-hangzhou-a', engine: 'MySQL', engineVersion: '8.0',
            instanceClass: 'mysql.n2.medium.1', storageGb: 20, storageType: 'cloud_essd', category: 'HighAvailability', payType: 'Postpaid',
            networkType: 'VPC', vpcId: 'vpc-bench', vSwitchId: 'vsw-bench', description: `bench ${i}`, status: 'Running', statusUntil: 0,
            createdAt, deletionProtection: false,
          };
          await r.instances.insert(inst);
          const ipType = o.endpointFor(i);
          if (!ipType) continue;
          const pool = ipType === 'Public' ? 'public' : 'private';
          const range = pools[pool];
          const address = await r.addresses.allocate(pool, range.first, range.last, { accountId, instanceId: inst.id }, Date.now());
          if (!address) throw new Error(`${pool} pool exhausted while seeding`);
          await r.endpoints.insert({
            accountId, instanceId: inst.id, connectionString: connectionString(ipType === 'Public' ? `${inst.id}-pub` : inst.id, 'MySQL', ipType, 'rds.aliyuncs.com'),
            ipType, address, port: 3306, createdAt, bindError: '',
          });
          await r.securityIps.put({ accountId, instanceId: inst.id, name: 'default', attribute: '', ips: ['127.0.0.0/8'], whitelistNetworkType: 'MIX' });
        }
      });
    }
  } finally {
    await store.close();
  }
  return { seconds: (performance.now() - t0) / 1000 };
}
