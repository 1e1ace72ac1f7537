// Handlers for instances: CreateDBInstance, DescribeDBInstances, DescribeDBInstanceAttribute, DeleteDBInstance.
import { connectionString, DEFAULT_PORTS, ENGINE_VERSIONS, newInstanceId, newOrderId, PREFIX_CHARS } from '../domain/naming.js';
import { parseIpList } from '../domain/whitelist.js';
import type { EndpointRecord, Engine, InstanceRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import type { InstanceFilter } from '../store/types.js';
import { isoSeconds, requireInstance, requireRunning, type Handler, type HandlerContext } from './context.js';
import { insertEndpoint, takeAddress } from './network.js';
import { addTags } from './tags.js';
import { hasSecondary } from './settings.js';
import { parseTagsFilter } from '../domain/tags.js';
import { placeInstance } from '../cluster/placement.js';

export const createDBInstance: Handler<'CreateDBInstance'> = async (ctx, input) => {
  const engine = input.Engine as Engine;
  const version = ENGINE_VERSIONS[engine].find((v) => v === input.EngineVersion || v === `${input.EngineVersion}.0`);
  if (!version) throw new ApiError('InvalidEngineVersion.Malformed');
  const port = input.Port ?? DEFAULT_PORTS[engine];
  if (engine !== 'MySQL' && port > 5999) throw new ApiError('InvalidPort.Malformed');
  const ips = parseIpList(input.SecurityIPList);
  if ('problem' in ips) throw new ApiError(ips.problem === 'duplicate' ? 'InvalidSecurityIPList.Duplicate' : 'InvalidSecurityIPList.Format');
  const amount = input.Amount ?? 1;
  // --max-instances bounds the instances that get a server process of their own; API-only and shared-server
  // engines cost nothing and are not counted.
  if (ctx.config.maxInstances > 0 && ctx.config.serverEngines.includes(engine)
    && (await ctx.repos.instances.countAll(ctx.config.serverEngines)) + amount > ctx.config.maxInstances) {
    throw new ApiError('InsufficientResourceCapacity');
  }
  if (input.ConnectionString !== undefined && (amount > 1 || !PREFIX_CHARS.test(input.ConnectionString))) {
    throw new ApiError('InvalidParameter', { name: 'ConnectionString', detail: 'A prefix of letters, digits and hyphens, for one instance only.' });
  }
  if (input.DryRun) {
    return { DBInstanceId: '', OrderId: '', ConnectionString: '', Port: String(port), DryRun: true, DryRunResult: true };
  }
  const created: InstanceRecord[] = [];
  const strings: string[] = [];
  for (let i = 0; i < amount; i++) {
    // Which node runs its server and listeners (issue 13; alone: this one).
    const node = await placeInstance(ctx.repos, ctx.config, input.ZoneId);
    const inst: InstanceRecord = {
      accountId: ctx.accountId,
      id: newInstanceId(engine),
      regionId: input.RegionId,
      zoneId: input.ZoneId ?? (node?.zoneId || `${input.RegionId}-a`),
      engine,
      engineVersion: version,
      instanceClass: input.DBInstanceClass,
      storageGb: input.DBInstanceStorage,
      storageType: input.DBInstanceStorageType ?? 'cloud_essd',
      category: input.Category ?? 'HighAvailability',
      payType: input.PayType,
      networkType: (input.InstanceNetworkType ?? 'VPC') as 'VPC' | 'Classic',
      vpcId: input.VPCId ?? '',
      vSwitchId: input.VSwitchId ?? '',
      description: input.DBInstanceDescription ?? '',
      status: 'Creating',
      statusUntil: ctx.now + ctx.config.createMs,
      createdAt: isoSeconds(ctx.now),
      deletionProtection: input.DeletionProtection ?? false,
    };
    const cs = connectionString(input.ConnectionString ?? inst.id, engine, 'Private', ctx.config.domain);
    if (await ctx.repos.endpoints.getByConnectionString(cs)) throw new ApiError('InvalidConnectionString.Duplicate');
    await ctx.repos.instances.insert(inst);
    await ctx.repos.nodes.setOwner(inst.id, node?.nodeId ?? ctx.config.nodeId);
    const address = await takeAddress(ctx, 'private', inst, port, node);
    await insertEndpoint(ctx, { accountId: ctx.accountId, instanceId: inst.id, connectionString: cs, ipType: 'Private', address, port, createdAt: inst.createdAt, bindError: '' });
    await ctx.repos.securityIps.put({ accountId: ctx.accountId, instanceId: inst.id, name: 'default', attribute: '', ips: ips.entries, whitelistNetworkType: 'MIX' });
    if (input.Tag) await addTags(ctx, inst, input.Tag);
    ctx.touch(inst.id);
    created.push(inst);
    strings.push(cs);
  }
  return { DBInstanceId: created.map((c) => c.id).join(','), OrderId: newOrderId(), ConnectionString: strings.join(','), Port: String(port) };
};

const NEXT_TOKEN = /^[0-9a-f]{8}[0-9a-f]{16}$/;

/** NextToken: the last seq seen, as hex, behind a short tag so that garbage is recognised. */
function encodeToken(seq: number): string {
  return 'a1c0ffee' + seq.toString(16).padStart(16, '0');
}
function decodeToken(t: string): number {
  if (!NEXT_TOKEN.test(t) || !t.startsWith('a1c0ffee')) throw new ApiError('Invalid.NextToken');
  return parseInt(t.slice(8), 16);
}

export const describeDBInstances: Handler<'DescribeDBInstances'> = async (ctx, input) => {
  const tags = input.Tags === undefined ? undefined : parseTagsFilter(input.Tags, 5);
  if (input.Tags !== undefined && !tags) throw new ApiError('Tag.InvalidTagsParameter');
  const filter: InstanceFilter = {
    tags,
    regionId: input.RegionId,
    ids: input.DBInstanceId?.split(',').map((s) => s.trim()).filter(Boolean),
    status: input.DBInstanceStatus,
    engine: input.Engine,
    searchKey: input.SearchKey,
    connectionString: input.ConnectionString?.toLowerCase(),
  };
  const keep = (i: InstanceRecord) =>
    (input.DBInstanceType === undefined || input.DBInstanceType === 'Primary') &&
    (input.InstanceNetworkType === undefined || i.networkType === input.InstanceNetworkType) &&
    (input.VpcId === undefined || i.vpcId === input.VpcId) &&
    (input.VSwitchId === undefined || i.vSwitchId === input.VSwitchId) &&
    (input.ConnectionMode === undefined || input.ConnectionMode === 'Standard');
  const strings = (items: InstanceRecord[]) => internalStrings(ctx, items);

  if (input.MaxResults !== undefined || input.NextToken !== undefined) {
    const limit = input.MaxResults ?? 30;
    const after = input.NextToken ? decodeToken(input.NextToken) : 0;
    const rows = (await ctx.repos.instances.listAfter(ctx.accountId, filter, after, limit + 1)).filter(keep);
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    const cs = await strings(page);
    return {
      PageNumber: 1, PageRecordCount: page.length, TotalRecordCount: page.length,
      NextToken: more ? encodeToken(page[page.length - 1]?.seq ?? 0) : '',
      Items: { DBInstance: page.map((i, n) => summary(i, cs[n] ?? '')) },
    };
  }
  const size = input.PageSize ?? 30;
  const number = input.PageNumber ?? 1;
  const page = await ctx.repos.instances.list(ctx.accountId, filter, (number - 1) * size, size);
  const items = page.items.filter(keep);
  const cs = await strings(items);
  return {
    PageNumber: number, PageRecordCount: items.length, TotalRecordCount: page.total,
    Items: { DBInstance: items.map((i, n) => summary(i, cs[n] ?? '')) },
  };
};

export const describeDBInstanceAttribute: Handler<'DescribeDBInstanceAttribute'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const endpoints = await ctx.repos.endpoints.listByInstance(ctx.accountId, inst.id);
  const internal = endpoints.find((e) => e.ipType === 'Private');
  const groups = await ctx.repos.securityIps.list(ctx.accountId, inst.id);
  return {
    Items: {
      DBInstanceAttribute: [{
        ...summary(inst, internal?.connectionString ?? ''),
        LockReason: inst.status === 'Unavailable' ? await unavailableReason(ctx, inst.id) : unservedReason(endpoints),
        Port: String(internal?.port ?? ''),
        DBInstanceStorage: inst.storageGb,
        DBInstanceMemory: 4096,
        DBInstanceCPU: '2',
        MaxConnections: 2000,
        SecurityIPList: groups.filter((g) => g.attribute !== 'hidden').flatMap((g) => g.ips).join(','),
        SecurityIPMode: 'normal',
        IPType: 'IPv4',
        CreationTime: inst.createdAt,
        MasterInstanceId: '',
        ConnectionMode: 'Standard',
        AccountMaxQuantity: 500,
        DBMaxQuantity: 500,
        CurrentKernelVersion: '',
        MasterZone: inst.zoneId,
        MaintainTime: '02:00Z-06:00Z',
        AutoUpgradeMinorVersion: 'Auto',
        // A secondary node in the same zone for the categories that have one (DescribeDBInstanceHAConfig lists it).
        SlaveZones: { SlaveZone: hasSecondary(inst.category) ? [{ ZoneId: inst.zoneId }] : [] },
        Extra: { DBInstanceIds: { DBInstanceId: [inst.id] } },
        ServerlessConfig: {},
      }],
    },
  };
};

export const deleteDBInstance: Handler<'DeleteDBInstance'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  if (inst.deletionProtection) throw new ApiError('OperationDenied.DeletionProtection');
  if (inst.status !== 'Running' && inst.status !== 'Creating') throw new ApiError('IncorrectDBInstanceState');
  const endpoints = await ctx.repos.endpoints.listByInstance(ctx.accountId, inst.id);
  for (const e of endpoints) {
    await ctx.repos.addresses.release(e.ipType === 'Public' ? 'public' : 'private', e.address, ctx.now + ctx.config.quarantineMs);
  }
  await ctx.repos.endpoints.deleteByInstance(ctx.accountId, inst.id);
  await ctx.repos.securityIps.deleteByInstance(ctx.accountId, inst.id);
  await ctx.repos.tags.delete(ctx.accountId, inst.id);
  await ctx.repos.instances.delete(ctx.accountId, inst.id);
  ctx.touch(inst.id);
  return { RegionId: inst.regionId };
};

/** Each instance's internal connection string, for a whole page in one query rather than one per instance. */
async function internalStrings(ctx: HandlerContext, items: InstanceRecord[]): Promise<string[]> {
  if (items.length === 0) return [];
  const first = new Map<string, EndpointRecord>();
  for (const e of await ctx.repos.endpoints.listByInstanceIds(items.map((i) => i.id))) {
    if (e.ipType !== 'Private' || e.accountId !== ctx.accountId) continue;
    const seen = first.get(e.instanceId);
    // The first in listByInstance's order (created_at, then connection string).
    if (!seen || e.createdAt < seen.createdAt || (e.createdAt === seen.createdAt && e.connectionString < seen.connectionString)) first.set(e.instanceId, e);
  }
  return items.map((i) => first.get(i.id)?.connectionString ?? '');
}

/**
 * Why the instance stays in its transitional status: an endpoint whose listener still cannot bind (after the
 * allocator's probe and the relocation retries). The real service has no such failure, so localrds says it in
 * LockReason (LockMode stays Unlock) rather than leaving a caller to wait on an endless Creating with no word.
 */
function unservedReason(endpoints: EndpointRecord[]): string {
  const stuck = endpoints.filter((e) => e.bindError !== '');
  return stuck.map((e) => `endpoint ${e.connectionString} (${e.address}:${e.port}) cannot listen: ${e.bindError}; localrds retries every 2 s`).join('; ');
}

/** Unavailable (issue 13): the node that runs the instance's server is down; it settles back when the node returns. */
async function unavailableReason(ctx: HandlerContext, id: InstanceRecord['id']): Promise<string> {
  const [own] = await ctx.repos.nodes.ownership([id]);
  return `the node ${own?.nodeId ?? '(none)'} that runs its server is down; the instance comes back when that node returns`;
}

function summary(i: InstanceRecord, cs: string) {
  return {
    DBInstanceId: i.id, DBInstanceDescription: i.description, DBInstanceStatus: i.status, DBInstanceType: 'Primary',
    Engine: i.engine, EngineVersion: i.engineVersion, DBInstanceClass: i.instanceClass, ConnectionString: cs,
    InstanceNetworkType: i.networkType, DBInstanceNetType: 'Intranet', VpcId: i.vpcId, VSwitchId: i.vSwitchId,
    ZoneId: i.zoneId, RegionId: i.regionId, PayType: i.payType, CreateTime: i.createdAt, ExpireTime: '',
    LockMode: 'Unlock', LockReason: '', MutriORsignle: false, Category: i.category, DBInstanceStorageType: i.storageType,
    ResourceGroupId: 'rg-acfmy*****', DeletionProtection: i.deletionProtection,
    ReadOnlyDBInstanceIds: { ReadOnlyDBInstanceId: [] },
  };
}

export const restartDBInstance: Handler<'RestartDBInstance'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  requireRunning(inst);
  ctx.restart(inst.id);
  return {};
};
