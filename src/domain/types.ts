// Domain records: plain data the handlers, the store and the data plane share.
// No wire names here (those live in src/api); camelCase only.

export type Brand<T, B extends string> = T & { readonly __brand: B };
export type AccountId = Brand<string, 'AccountId'>;
export type InstanceId = Brand<string, 'InstanceId'>;

export const ENGINES = ['MySQL', 'PostgreSQL', 'MariaDB', 'SQLServer'] as const;
export type Engine = (typeof ENGINES)[number];

/** The states of the official instance state table that localrds uses. */
export type InstanceStatus = 'Creating' | 'Running' | 'DBInstanceNetTypeChanging' | 'DBInstanceClassChanging' | 'Deleting' | 'Unavailable';

export interface InstanceRecord {
  accountId: AccountId;
  id: InstanceId;
  /** Monotonic creation order; drives paging and NextToken. Assigned by the store. */
  seq?: number;
  regionId: string;
  zoneId: string;
  engine: Engine;
  engineVersion: string;
  instanceClass: string;
  storageGb: number;
  storageType: string;
  category: string;
  payType: string;
  networkType: 'VPC' | 'Classic';
  vpcId: string;
  vSwitchId: string;
  description: string;
  status: InstanceStatus;
  /** Epoch ms before which a transitional status may not settle to Running. */
  statusUntil: number;
  /** ISO 8601 UTC, e.g. 2026-11-28T06:30:46Z */
  createdAt: string;
  deletionProtection: boolean;
}

/** One tag of an instance (TagResources); keys are unique per instance. */
export interface InstanceTag {
  instanceId: InstanceId;
  key: string;
  value: string;
}

export type IpType = 'Private' | 'Public';

export interface EndpointRecord {
  accountId: AccountId;
  instanceId: InstanceId;
  /** Full DNS name, e.g. rm-xxx.mysql.rds.localrds.test; unique across all accounts. */
  connectionString: string;
  ipType: IpType;
  /** Dotted IPv4 address taken from the pool of this ipType. Unique per pool. */
  address: string;
  port: number;
  createdAt: string;
  /** Last bind error reported by the data plane, or '' when the listener is (or should be) fine. */
  bindError: string;
}

export interface SecurityIpGroup {
  accountId: AccountId;
  instanceId: InstanceId;
  name: string;
  attribute: string;
  /** Normalised entries (IPv4 or IPv4/CIDR), in the order given. */
  ips: string[];
  whitelistNetworkType: 'Classic' | 'VPC' | 'MIX';
}

export type KeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string;
  secret: string;
  accountId: AccountId;
  status: KeyStatus;
  /** RAM-style policy document (JSON text) or null for full access. */
  policy: string | null;
  createdAt: string;
}

export interface AccountRecord {
  id: AccountId;
  name: string;
  createdAt: string;
}

export type PoolName = 'public' | 'private';

export interface AuditRecord {
  time: string;
  requestId: string;
  accountId: string;
  accessKeyId: string;
  action: string;
  instanceId: string;
  result: string;
}

/** A database account of an instance (CreateAccount). Named DbAccount to keep it apart from the tenant AccountRecord. */
export type DbAccountType = 'Normal' | 'Super';

export interface DbAccountRecord {
  accountId: AccountId;
  instanceId: InstanceId;
  name: string;
  type: DbAccountType;
  description: string;
  /** PostgreSQL LockAccount: the role exists but may not log in (NOLOGIN). */
  locked: boolean;
  /**
   * The engine's own verifiers, never the password: MySQL/MariaDB mysql_native_password hash
   * ('*' + upper hex SHA1(SHA1(pw))) and PostgreSQL's SCRAM-SHA-256 verifier
   * ('SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>'). Both engines accept them in CREATE/ALTER.
   */
  mysqlHash: string;
  scramVerifier: string;
  createdAt: string;
}

export type DatabasePrivilege = 'ReadWrite' | 'ReadOnly' | 'DDLOnly' | 'DMLOnly' | 'DBOwner';

export interface DatabaseRecord {
  accountId: AccountId;
  instanceId: InstanceId;
  name: string;
  /** MySQL/MariaDB: utf8, gbk, latin1, utf8mb4. PostgreSQL: the encoding (UTF8, ...). */
  charset: string;
  /** PostgreSQL only ('' elsewhere). */
  collate: string;
  ctype: string;
  description: string;
  createdAt: string;
}

export interface PrivilegeRecord {
  accountId: AccountId;
  instanceId: InstanceId;
  accountName: string;
  dbName: string;
  privilege: DatabasePrivilege;
}
