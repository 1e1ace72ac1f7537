// Handlers for the public endpoint and endpoint names: Allocate, Release, DescribeDBInstanceNetInfo, Modify.
import { connectionString, PREFIX_CHARS, withPrefix } from '../domain/naming.js';
import { allocateBindable } from './allocate.js';
import type { EndpointRecord, InstanceRecord, PoolName } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { UniqueViolation, type NodeRecord } from '../store/types.js';
import { remoteOwner, withPoolsOf } from '../cluster/placement.js';
import { isoSeconds, requireInstance, requireRunning, type Handler, type HandlerContext } from './context.js';

export const allocateInstancePublicConnection: Handler<'AllocateInstancePublicConnection'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  if (input.BabelfishPort !== undefined) throw new ApiError('UnsupportedParameter', { name: 'BabelfishPort', detail: 'localrds has no Babelfish.' });
  if (input.PGBouncerPort !== undefined) throw new ApiError('UnsupportedParameter', { name: 'PGBouncerPort', detail: 'localrds has no PgBouncer.' });
  if (!PREFIX_CHARS.test(input.ConnectionStringPrefix)) throw new ApiError('ConnectionStringContainIllegalCharacterFault');
  requireRunning(inst);
  const endpoints = await ctx.repos.endpoints.listByInstance(ctx.accountId, inst.id);
  if (endpoints.some((e) => e.ipType === 'Public')) throw new ApiError('NetTypeExists');
  const cs = connectionString(input.ConnectionStringPrefix, inst.engine, 'Public', ctx.config.domain);
  if (await ctx.repos.endpoints.getByConnectionString(cs)) throw new ApiError('InvalidConnectionString.Duplicate');
  const address = await takeAddress(ctx, 'public', inst, input.Port);
  await insertEndpoint(ctx, { accountId: ctx.accountId, instanceId: inst.id, connectionString: cs, ipType: 'Public', address, port: input.Port, createdAt: isoSeconds(ctx.now), bindError: '' });
  await startNetChange(ctx, inst);
  return { ConnectionString: cs, DbInstanceName: inst.id };
};

export const releaseInstancePublicConnection: Handler<'ReleaseInstancePublicConnection'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const endpoints = await ctx.repos.endpoints.listByInstance(ctx.accountId, inst.id);
  const wanted = input.CurrentConnectionString.trim().toLowerCase();
  const ep = endpoints.find((e) => e.connectionString === wanted);
  if (!ep) throw new ApiError('InvalidCurrentConnectionString.NotFound');
  if (ep.ipType !== 'Public') throw new ApiError('AtLeastOneNetTypeExists');
  if (inst.status !== 'Running') throw new ApiError('OperationDenied.DBInstanceStatus');
  await ctx.repos.endpoints.delete(ep.connectionString);
  await ctx.repos.addresses.release('public', ep.address, ctx.now + ctx.config.quarantineMs);
  await startNetChange(ctx, inst);
  return {};
};

export const describeDBInstanceNetInfo: Handler<'DescribeDBInstanceNetInfo'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const endpoints = await ctx.repos.endpoints.listByInstance(ctx.accountId, inst.id);
  endpoints.sort((a, b) => (a.ipType === b.ipType ? 0 : a.ipType === 'Private' ? -1 : 1));
  const rwType = input.DBInstanceNetRWSplitType;
  return {
    InstanceNetworkType: inst.networkType,
    SecurityIPMode: 'normal',
    DBInstanceNetInfos: {
      DBInstanceNetInfo: rwType === 'ReadWriteSplitting' ? [] : endpoints.map((e) => ({
        ConnectionString: e.connectionString,
        IPAddress: e.address,
        IPType: e.ipType,
        Port: String(e.port),
        // The real service leaves VPCId empty (not absent) on public entries.
        VPCId: e.ipType === 'Private' ? inst.vpcId : '',
        VSwitchId: e.ipType === 'Private' ? inst.vSwitchId : '',
        ConnectionStringType: 'Normal',
        Upgradeable: 'Disabled',
        SecurityIPGroups: { securityIPGroup: [] },
        DBInstanceWeights: { DBInstanceWeight: [] },
      })),
    },
  };
};

export const modifyDBInstanceConnectionString: Handler<'ModifyDBInstanceConnectionString'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  for (const name of ['BabelfishPort', 'PGBouncerPort', 'TargetDBInstanceId'] as const) {
    if (input[name] !== undefined) throw new ApiError('UnsupportedParameter', { name, detail: 'localrds does not emulate it.' });
  }
  const endpoints = await ctx.repos.endpoints.listByInstance(ctx.accountId, inst.id);
  const ep = endpoints.find((e) => e.connectionString === input.CurrentConnectionString.trim().toLowerCase());
  if (!ep) throw new ApiError('InvalidConnectionString.NotFound');
  if (!PREFIX_CHARS.test(input.ConnectionStringPrefix)) throw new ApiError('InvalidConnectionString.Malformed');
  const maxPort = ep.ipType === 'Private' && inst.engine === 'MySQL' ? 65534 : 5999;
  if (input.Port > maxPort) throw new ApiError('InvalidPort.Format');
  if (inst.status !== 'Running') throw new ApiError('OperationDenied.DBInstanceStatus');
  const next = withPrefix(ep.connectionString, input.ConnectionStringPrefix);
  if (next !== ep.connectionString && (await ctx.repos.endpoints.getByConnectionString(next))) {
    throw new ApiError('InvalidConnectionString.Duplicate');
  }
  if (next === ep.connectionString && input.Port === ep.port) return {};
  if (input.Port !== ep.port && ctx.probe && !(await remoteOwner(ctx.repos, ctx.config, inst.id))) {
    // A port move keeps the address; a port something else holds there would leave the endpoint unbound.
    const failure = await ctx.probe(ep.address, input.Port);
    if (failure !== '') throw new ApiError('OperationDenied.EndpointUnavailable', { address: `${ep.address}:${input.Port}`, reason: failure });
  }
  try {
    await ctx.repos.endpoints.update(ep.connectionString, { connectionString: next, port: input.Port });
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ApiError('InvalidConnectionString.Duplicate');
    throw e;
  }
  await startNetChange(ctx, inst);
  return {};
};

// ---- shared steps ----

/**
 * An address of the OWNER node's pool (issue 13: each node has its own pools). The bind probe only means
 * something on the owner; for another node's instance it is skipped, and the owner's relocation after a failed
 * bind covers the rest. `owner`: the placement of a new instance; else looked up.
 */
export async function takeAddress(ctx: HandlerContext, pool: PoolName, inst: Pick<InstanceRecord, 'accountId' | 'id'>, port: number, owner?: NodeRecord): Promise<string> {
  const node = owner ?? await remoteOwner(ctx.repos, ctx.config, inst.id);
  const remote = node !== undefined && node.nodeId !== ctx.config.nodeId;
  return allocateBindable({ repos: ctx.repos, config: withPoolsOf(ctx.config, node), pool, owner: { accountId: inst.accountId, instanceId: inst.id }, port, now: ctx.now, probe: remote ? undefined : ctx.probe });
}

export async function insertEndpoint(ctx: HandlerContext, e: EndpointRecord): Promise<void> {
  try {
    await ctx.repos.endpoints.insert(e);
  } catch (err) {
    if (err instanceof UniqueViolation) throw new ApiError('InvalidConnectionString.Duplicate');
    throw err;
  }
}

/** The instance shows DBInstanceNetTypeChanging until the listeners match (and the configured time passed). */
async function startNetChange(ctx: HandlerContext, inst: InstanceRecord): Promise<void> {
  await ctx.repos.instances.setStatus(ctx.accountId, inst.id, 'DBInstanceNetTypeChanging', ctx.now + ctx.config.netChangeMs);
  ctx.touch(inst.id);
}
