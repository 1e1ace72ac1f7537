// Builders of valid domain records for the store tests; each takes overrides so a test states only what it checks.
import type {
  AccessKeyRecord, AccountId, AccountRecord, DatabasePrivilege, DatabaseRecord, DbAccountRecord, EndpointRecord,
  InstanceId, InstanceRecord, PrivilegeRecord, SecurityIpGroup,
} from '../../src/domain/types.js';

export const acct = (s: string) => s as AccountId;
export const iid = (s: string) => s as InstanceId;

export function account(id: string, over: Partial<AccountRecord> = {}): AccountRecord {
  return { id: acct(id), name: `name of ${id}`, createdAt: '2026-01-02T03:04:05Z', ...over };
}

export function accessKey(accessKeyId: string, accountId: string, over: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    accessKeyId, secret: `secret-${accessKeyId}`, accountId: acct(accountId), status: 'Active', policy: null,
    createdAt: '2026-01-02T03:04:05Z', ...over,
  };
}

export function instance(accountId: string, id: string, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    accountId: acct(accountId), id: iid(id), regionId: 'cn-hangzhou', zoneId: 'cn-hangzhou-h', engine: 'MySQL',
    engineVersion: '8.0', instanceClass: 'mysql.n2.medium.1', storageGb: 20, storageType: 'cloud_essd',
    category: 'HighAvailability', payType: 'Postpaid', networkType: 'VPC', vpcId: 'vpc-1', vSwitchId: 'vsw-1',
    description: `desc ${id}`, status: 'Running', statusUntil: 0, createdAt: '2026-11-28T06:30:46Z',
    deletionProtection: false, ...over,
  };
}

export function endpoint(accountId: string, instanceId: string, cs: string, address: string, over: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    accountId: acct(accountId), instanceId: iid(instanceId), connectionString: cs, ipType: 'Private', address,
    port: 3306, createdAt: '2026-11-28T06:30:46Z', bindError: '', ...over,
  };
}

export function ipGroup(accountId: string, instanceId: string, name: string, ips: string[], over: Partial<SecurityIpGroup> = {}): SecurityIpGroup {
  return {
    accountId: acct(accountId), instanceId: iid(instanceId), name, attribute: '', ips, whitelistNetworkType: 'MIX', ...over,
  };
}

/** Strips the store-assigned seq so a read-back record can be compared with what was inserted. */
export function withoutSeq(i: InstanceRecord | undefined): InstanceRecord | undefined {
  if (i === undefined) return undefined;
  const { seq: _seq, ...rest } = i;
  return rest;
}

export function dbAccount(accountId: string, instanceId: string, name: string, over: Partial<DbAccountRecord> = {}): DbAccountRecord {
  return {
    accountId: acct(accountId), instanceId: iid(instanceId), name, type: 'Normal', description: '', locked: false,
    mysqlHash: '*0123456789ABCDEF0123456789ABCDEF01234567', scramVerifier: 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy',
    createdAt: '2026-11-28T06:30:46Z', ...over,
  };
}

export function database(accountId: string, instanceId: string, name: string, over: Partial<DatabaseRecord> = {}): DatabaseRecord {
  return {
    accountId: acct(accountId), instanceId: iid(instanceId), name, charset: 'utf8mb4', collate: '', ctype: '',
    description: '', createdAt: '2026-11-28T06:30:46Z', ...over,
  };
}

export function grant(accountId: string, instanceId: string, accountName: string, dbName: string, privilege: DatabasePrivilege): PrivilegeRecord {
  return { accountId: acct(accountId), instanceId: iid(instanceId), accountName, dbName, privilege };
}
