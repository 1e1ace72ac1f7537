// Handlers for the read-path settings localrds does not vary: each answers what a fresh real instance answers
// (docs/fidelity.md, "Settings localrds does not vary"), for an instance that must exist in the caller's account.
import { createHash } from 'node:crypto';
import type { InstanceRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { isoSeconds, requireInstance, type Handler } from './context.js';

export const describeDBInstanceMonitor: Handler<'DescribeDBInstanceMonitor'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  return { Period: '300' };
};

export const describeSQLCollectorPolicy: Handler<'DescribeSQLCollectorPolicy'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  return { SQLCollectorStatus: 'Disabled', StoragePeriod: 30 };
};

export const describeSQLCollectorRetention: Handler<'DescribeSQLCollectorRetention'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  return { ConfigValue: '30' };
};

export const describeSecurityGroupConfiguration: Handler<'DescribeSecurityGroupConfiguration'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  return { DBInstanceName: inst.id, Items: { EcsSecurityGroupRelation: [] } };
};

export const describeHASwitchConfig: Handler<'DescribeHASwitchConfig'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  return { HAConfig: 'Auto', ManualHATime: '' };
};

export const describeHADiagnoseConfig: Handler<'DescribeHADiagnoseConfig'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  return { TcpConnectionType: 'SHORT' };
};

/** Categories with a secondary node (Basic has one node only). */
export function hasSecondary(category: string): boolean {
  return category !== 'Basic' && category !== 'serverless_basic';
}

/** A node ID stable for the life of the instance (Terraform keeps the Master's NodeId in state). */
function nodeId(inst: InstanceRecord, role: string): string {
  const h = createHash('sha256').update(`${inst.id}/${role}`).digest();
  return String(1_000_000 + (h.readUInt32BE(0) % 9_000_000));
}

export const describeDBInstanceHAConfig: Handler<'DescribeDBInstanceHAConfig'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const node = (type: 'Master' | 'Slave') => ({
    NodeId: nodeId(inst, type), NodeType: type, ZoneId: inst.zoneId, RegionId: inst.regionId, SyncStatus: 'Normal',
    LogSyncTime: isoSeconds(ctx.now), DataSyncTime: isoSeconds(ctx.now),
  });
  const ha = hasSecondary(inst.category);
  return {
    DBInstanceId: inst.id,
    HAMode: 'RPO',
    // MySQL and MariaDB replicate semi-synchronously by default, PostgreSQL asynchronously.
    SyncMode: inst.engine === 'PostgreSQL' ? 'Async' : ha ? 'Semi-sync' : 'Async',
    HostInstanceInfos: { NodeInfo: ha ? [node('Master'), node('Slave')] : [node('Master')] },
  };
};

export const describeDBInstanceSSL: Handler<'DescribeDBInstanceSSL'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  return {
    // PostgreSQL instances report on/off, the others Yes/No (the provider maps both to Open/Close).
    SSLEnabled: inst.engine === 'PostgreSQL' ? 'off' : 'No',
    RequireUpdate: 'No', RequireUpdateItem: '', RequireUpdateReason: '', ConnectionString: '', CAType: '', ServerCert: '',
    ServerKey: '', ServerCAUrl: '', ClientCACert: '', ClientCACertExpireTime: '', ClientCertRevocationList: '', ACL: '',
    ReplicationACL: '', SSLCreateTime: '', SSLExpireTime: '', LastModifyStatus: '', ModifyStatusReason: '',
  };
};

export const describeDBInstanceEncryptionKey: Handler<'DescribeDBInstanceEncryptionKey'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  // The real service answers 403 NoActiveBYOK for an instance without a key; the provider's read fails on any
  // error, so the answer is 200 with empty fields (what an instance without disk encryption has).
  return {
    EncryptionKey: '', EncryptionKeyStatus: '', Description: '', Creator: '', DeleteDate: '', KeyUsage: '',
    MaterialExpireTime: '', Origin: '', EncryptionKeyList: [],
  };
};

export const describeDBInstanceTDE: Handler<'DescribeDBInstanceTDE'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  return { TDEStatus: 'Disabled', TDEMode: '', Databases: { Database: [] } };
};

export const describePGHbaConfig: Handler<'DescribePGHbaConfig'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  if (inst.engine !== 'PostgreSQL') throw new ApiError('IncorrectDBInstanceType');
  // The default entry of a new RDS PostgreSQL instance: password logins to every database, from any address
  // (who may connect at all is the whitelist's business).
  const items = [{ PriorityId: 1, Type: 'host', Database: 'all', User: 'all', Address: '0.0.0.0/0', Mask: '', Method: 'md5', Option: '' }];
  return {
    DBInstanceId: inst.id, HbaModifyTime: '', LastModifyStatus: '', ModifyStatusReason: '',
    RunningHbaItems: { HbaItem: items }, DefaultHbaItems: { HbaItem: items },
  };
};

export const describeInstanceLinkedWhitelistTemplate: Handler<'DescribeInstanceLinkedWhitelistTemplate'> = async (ctx, input) => {
  const inst = await ctx.repos.instances.get(ctx.accountId, input.InsName as InstanceRecord['id']);
  if (!inst) throw new ApiError('InsName.NotFound');
  // The documented body carries Code "200" and Success true; the provider and pop-core read both as success.
  return { Data: { InsName: inst.id, Templates: [] }, Code: '200', Message: 'Successful', Success: true, HttpStatusCode: 200 };
};

export const describeInstanceAutoRenewalAttribute: Handler<'DescribeInstanceAutoRenewalAttribute'> = async (ctx, input) => {
  if (input.DBInstanceId !== undefined) await requireInstance(ctx, input.DBInstanceId);
  const size = input.PageSize ?? 30;
  const number = input.PageNumber ?? 1;
  const page = await ctx.repos.instances.list(ctx.accountId, {
    regionId: input.RegionId, ...(input.DBInstanceId !== undefined ? { ids: [input.DBInstanceId] } : {}),
  }, 0, 100_000);
  // Only subscription instances have a renewal setting; localrds never renews anything automatically.
  const prepaid = page.items.filter((i) => i.payType === 'Prepaid');
  const items = prepaid.slice((number - 1) * size, number * size)
    .map((i) => ({ DBInstanceId: i.id, RegionId: i.regionId, Duration: 0, AutoRenew: 'False', Status: 'Normal' }));
  return { PageNumber: number, PageRecordCount: items.length, TotalRecordCount: prepaid.length, Items: { Item: items } };
};
