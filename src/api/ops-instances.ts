// Instance operations: create, list, describe, delete.
import { CLIENT_TOKEN, defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { bool, int, o, str, tagList } from './shapes.js';

export const createDBInstance = defineOp({
  name: 'CreateDBInstance',
  group: 'instances',
  summary: 'Creates an instance with an internal endpoint (IPType Private) served by the backend database of its engine.',
  mutates: true,
  params: {
    RegionId: str('Region, e.g. cn-hangzhou.', { required: true, max: 64 }),
    Engine: str('MySQL, PostgreSQL, MariaDB or SQLServer.', { required: true, enum: ['MySQL', 'PostgreSQL', 'MariaDB', 'SQLServer'], enumIgnoreCase: true, invalidCode: 'InvalidEngine.Malformed' }),
    EngineVersion: str('Engine version, e.g. 8.0 (MySQL), 16.0 (PostgreSQL), 10.6 (MariaDB).', { required: true, max: 32, invalidCode: 'InvalidEngineVersion.Malformed' }),
    DBInstanceClass: str('Instance type, e.g. mysql.n2.medium.1.', { required: true, min: 1, max: 64, invalidCode: 'InvalidDBInstanceClass.Malformed' }),
    DBInstanceStorage: int('Storage in GB (5 to 64000, step 5).', { required: true, min: 5, max: 64000 }),
    DBInstanceNetType: str('Intranet (fixed) or Internet.', { required: true, enum: ['Intranet', 'Internet'] }),
    PayType: str('Postpaid, Prepaid or Serverless.', { required: true, enum: ['Postpaid', 'Prepaid', 'Serverless'] }),
    SecurityIPList: str('Initial whitelist (group "default"): comma-separated IPv4 addresses or CIDR blocks.', { required: true, max: 32768 }),
    Port: int('Internal port: MySQL 1000 to 65534, other engines 1000 to 5999. Defaults to the engine default.', { min: 1000, max: 65534, wireType: 'String', invalidCode: 'InvalidPort.Malformed' }),
    ConnectionString: str('Prefix of the internal connection string (default: the instance id).', { max: 64 }),
    InstanceNetworkType: str('VPC (default) or Classic.', { enum: ['VPC', 'Classic'] }),
    VPCId: str('VPC id (recorded and shown).', { max: 64 }),
    VSwitchId: str('vSwitch id (recorded and shown).', { max: 64 }),
    ZoneId: str('Zone id (recorded and shown).', { max: 64 }),
    ZoneIdSlave1: str('Accepted, ignored.'),
    ZoneIdSlave2: str('Accepted, ignored.'),
    DBInstanceStorageType: str('local_ssd, cloud_ssd, cloud_essd, cloud_essd2, cloud_essd3 or general_essd.', {
      enum: ['local_ssd', 'cloud_ssd', 'cloud_essd', 'cloud_essd2', 'cloud_essd3', 'general_essd'] }),
    Category: str('Basic, HighAvailability, cluster, AlwaysOn, Finance, serverless_basic, serverless_standard or serverless_ha.', {
      enum: ['Basic', 'HighAvailability', 'cluster', 'AlwaysOn', 'Finance', 'serverless_basic', 'serverless_standard', 'serverless_ha'] }),
    // Terraform sends DBInstanceDescription= when instance_name is unset: empty means no description.
    DBInstanceDescription: str('Description, 2 to 255 characters (empty: none).', { min: 2, max: 255 }),
    Period: str('Year or Month (Prepaid only; recorded).', { enum: ['Year', 'Month', 'Day', '1', '2', '3'] }),
    UsedTime: str('Subscription length (recorded).', { pattern: /^\d+$/ }),
    Amount: int('Number of instances to create, 1 to 20.', { min: 1, max: 20 }),
    DryRun: bool('Validate only; create nothing.'),
    ClientToken: CLIENT_TOKEN,
    Tag: tagList('Tags for the new instance: Tag.N.Key and Tag.N.Value, N from 1 to 20.', { maxItems: 20, max: 128, tooManyCode: 'NumberExceed.Tags' }),
    DeletionProtection: bool('Refuse DeleteDBInstance while set.'),
    ResourceGroupId: str('Accepted, ignored.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    DBInstanceId: o.str('Instance ID; comma-separated when Amount > 1.'),
    OrderId: o.str(),
    ConnectionString: o.str('The internal connection string.'),
    Port: o.str(),
    DryRun: o.opt(o.bool()),
    DryRunResult: o.opt(o.bool()),
  }),
  errors: ['InvalidEngine.Malformed', 'InvalidEngineVersion.Malformed', 'InvalidDBInstanceClass.Malformed', 'InvalidPort.Malformed',
    'InvalidSecurityIPList.Format', 'InvalidSecurityIPList.Duplicate', 'InvalidConnectionString.Duplicate', 'OperationDenied.ZoneResource', 'OperationDenied.EndpointUnavailable',
    'InsufficientResourceCapacity', 'IdempotentParameterMismatch', 'NumberExceed.Tags', 'InvalidTagKey.Malformed', 'Duplicate.TagKey',
    'InvalidZone.NotSupported'],
});

const instanceSummary = {
  DBInstanceId: o.str(), DBInstanceDescription: o.str(), DBInstanceStatus: o.str(), DBInstanceType: o.str(),
  Engine: o.str(), EngineVersion: o.str(), DBInstanceClass: o.str(), ConnectionString: o.str(),
  InstanceNetworkType: o.str(), DBInstanceNetType: o.str(), VpcId: o.str(), VSwitchId: o.str(), ZoneId: o.str(), RegionId: o.str(),
  PayType: o.str(), CreateTime: o.str(), ExpireTime: o.str(), LockMode: o.str(), LockReason: o.str(), MutriORsignle: o.bool(),
  Category: o.str(), DBInstanceStorageType: o.str(), ResourceGroupId: o.str(), DeletionProtection: o.bool(),
  ReadOnlyDBInstanceIds: o.obj({ ReadOnlyDBInstanceId: o.list(o.obj({ DBInstanceId: o.str() })) }),
} as const;

export const describeDBInstances = defineOp({
  name: 'DescribeDBInstances',
  group: 'instances',
  summary: 'Lists the instances of the account in a region, by page (PageSize/PageNumber) or by cursor (MaxResults/NextToken).',
  mutates: false,
  answerMemo: true,
  params: {
    RegionId: str('Region, e.g. cn-hangzhou.', { required: true, max: 64 }),
    PageSize: int('Page size, 1 to 100 (default 30).', { min: 1, max: 100 }),
    PageNumber: int('Page number from 1 (default 1).', { min: 1, max: 2147483647 }),
    MaxResults: int('Cursor page size, 1 to 100. When set, PageSize and PageNumber are ignored.', { min: 1, max: 100 }),
    NextToken: str('Cursor from the previous answer.', { max: 256, invalidCode: 'Invalid.NextToken' }),
    DBInstanceId: str('One or more instance IDs, comma-separated.', { max: 4096 }),
    DBInstanceStatus: str('Only instances in this status.', { max: 64 }),
    Engine: str('Only instances of this engine.', { enum: ['MySQL', 'PostgreSQL', 'MariaDB', 'SQLServer'], enumIgnoreCase: true }),
    SearchKey: str('Substring of the instance ID or description.', { max: 255 }),
    ConnectionString: str('Only the instance that has this connection string.', { max: 255 }),
    DBInstanceType: str('Primary, Readonly, Guard or Temp.', { enum: ['Primary', 'Readonly', 'Guard', 'Temp'] }),
    InstanceNetworkType: str('VPC or Classic.', { enum: ['VPC', 'Classic'] }),
    VpcId: str('Only instances in this VPC.', { max: 64 }),
    VSwitchId: str('Only instances in this vSwitch.', { max: 64 }),
    ConnectionMode: str('Standard or Safe; localrds instances are all Standard.', { enum: ['Standard', 'Safe'] }),
    Tags: str('JSON object of tags every listed instance carries, e.g. {"env":"test"} (at most 5 pairs).', { max: 4096, invalidCode: 'Tag.InvalidTagsParameter' }),
    ClientToken: CLIENT_TOKEN,
    ...OWNER_PARAMS,
  },
  output: o.obj({
    PageNumber: o.int(), PageRecordCount: o.int(), TotalRecordCount: o.int(), NextToken: o.opt(o.str()),
    Items: o.obj({ DBInstance: o.list(o.obj(instanceSummary)) }),
  }),
  errors: ['Invalid.NextToken', 'Tag.InvalidTagsParameter'],
});

export const describeDBInstanceAttribute = defineOp({
  name: 'DescribeDBInstanceAttribute',
  group: 'instances',
  summary: 'Shows one instance: status, engine, internal endpoint, whitelist and settings.',
  mutates: false,
  answerMemo: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    Expired: str('Accepted, ignored.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    Items: o.obj({
      DBInstanceAttribute: o.list(o.obj({
        ...instanceSummary,
        Port: o.str(), DBInstanceStorage: o.int(), DBInstanceMemory: o.int(), DBInstanceCPU: o.str(), MaxConnections: o.int(),
        SecurityIPList: o.str(), SecurityIPMode: o.str(), IPType: o.str(), CreationTime: o.str(), MasterInstanceId: o.str(),
        ConnectionMode: o.str(), AccountMaxQuantity: o.int(), DBMaxQuantity: o.int(), CurrentKernelVersion: o.str(),
        MasterZone: o.str(), MaintainTime: o.str(), AutoUpgradeMinorVersion: o.str(),
        // The Terraform provider asserts these three are objects (it crashes otherwise), serverless or not.
        SlaveZones: o.obj({ SlaveZone: o.list(o.obj({ ZoneId: o.str() })) }),
        Extra: o.obj({ DBInstanceIds: o.obj({ DBInstanceId: o.list(o.str()) }) }),
        ServerlessConfig: o.obj({ ScaleMin: o.opt(o.int()), ScaleMax: o.opt(o.int()), AutoPause: o.opt(o.bool()), SwitchForce: o.opt(o.bool()) }),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const deleteDBInstance = defineOp({
  name: 'DeleteDBInstance',
  group: 'instances',
  summary: 'Deletes an instance: every endpoint closes and its addresses return to the pools.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    ReleasedKeepPolicy: str('None (default), Lastest or All; accepted (no backups exist in localrds).', { enum: ['None', 'Lastest', 'All'] }),
    ...OWNER_PARAMS,
  },
  output: o.obj({ RegionId: o.str() }),
  errors: [...INSTANCE_ERRORS, 'IncorrectDBInstanceState', 'OperationDenied.DeletionProtection'],
});

export const restartDBInstance = defineOp({
  name: 'RestartDBInstance',
  group: 'instances',
  summary: "Restarts the instance's database server: open sessions are cut, data is kept. Answers once the server accepts connections again.",
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    NodeId: str('Node to restart (accepted; a localrds instance has one node).', { max: 64 }),
    ClientToken: str('Idempotence token (accepted; localrds does not deduplicate).', { max: 64 }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...INSTANCE_ERRORS, 'IncorrectDBInstanceState'],
});
