// Read-path settings of an instance that localrds does not vary (monitoring, SQL collector, HA, SSL, TDE,
// encryption key, security groups, whitelist templates, renewal): each answers what a fresh real instance answers,
// with every field the Terraform provider reads present and of the JSON type it asserts (docs/fidelity.md).
import { CLIENT_TOKEN, defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { int, o, str } from './shapes.js';

const byInstance = { DBInstanceId: DB_INSTANCE_ID, ...OWNER_PARAMS } as const;

export const describeDBInstanceMonitor = defineOp({
  name: 'DescribeDBInstanceMonitor', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows the monitoring frequency of an instance (seconds between samples).',
  params: { ...byInstance, ClientToken: CLIENT_TOKEN },
  output: o.obj({ Period: o.str('Seconds between monitoring samples, as a string (300 by default).') }),
  errors: [...INSTANCE_ERRORS],
});

export const describeSQLCollectorPolicy = defineOp({
  name: 'DescribeSQLCollectorPolicy', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows whether SQL Explorer (the SQL collector) is on; localrds never collects SQL, so it is Disabled.',
  params: { ...byInstance, ClientToken: CLIENT_TOKEN, ResourceGroupId: str('Accepted, ignored.') },
  output: o.obj({ SQLCollectorStatus: o.str('Enabled or Disabled.'), StoragePeriod: o.int('Days the collected SQL is kept.') }),
  errors: [...INSTANCE_ERRORS],
});

export const describeSQLCollectorRetention = defineOp({
  name: 'DescribeSQLCollectorRetention', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows how many days SQL Explorer keeps collected statements (a string holding an integer).',
  params: { ...byInstance, ResourceGroupId: str('Accepted, ignored.') },
  output: o.obj({ ConfigValue: o.str('Days, e.g. 30.') }),
  errors: [...INSTANCE_ERRORS],
});

export const describeSecurityGroupConfiguration = defineOp({
  name: 'DescribeSecurityGroupConfiguration', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Lists the ECS security groups bound to an instance (always none in localrds).',
  params: byInstance,
  output: o.obj({
    DBInstanceName: o.str(),
    Items: o.obj({ EcsSecurityGroupRelation: o.list(o.obj({ SecurityGroupId: o.str(), RegionId: o.str(), NetworkType: o.str(), SecurityGroupName: o.str() })) }),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const describeHASwitchConfig = defineOp({
  name: 'DescribeHASwitchConfig', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows whether the primary/secondary switch is automatic (Auto) or manual.',
  params: { ...byInstance, RegionId: str('Region (accepted; the instance decides).') },
  output: o.obj({ HAConfig: o.str('Auto or Manual.'), ManualHATime: o.str('End of the manual period, empty when Auto.') }),
  errors: [...INSTANCE_ERRORS],
});

export const describeHADiagnoseConfig = defineOp({
  name: 'DescribeHADiagnoseConfig', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows how the availability check connects to the instance (SHORT or LONG connections).',
  params: { ...byInstance, RegionId: str('Region (accepted; the instance decides).') },
  output: o.obj({ TcpConnectionType: o.str('SHORT or LONG.') }),
  errors: [...INSTANCE_ERRORS],
});

export const describeDBInstanceHAConfig = defineOp({
  name: 'DescribeDBInstanceHAConfig', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows the HA mode, the replication mode and the nodes (Master, plus Slave for the HighAvailability category).',
  params: byInstance,
  output: o.obj({
    DBInstanceId: o.str(), HAMode: o.str('RPO or RTO.'), SyncMode: o.str('Sync, Semi-sync or Async.'),
    HostInstanceInfos: o.obj({
      NodeInfo: o.list(o.obj({
        NodeId: o.str(), NodeType: o.str('Master or Slave.'), ZoneId: o.str(), RegionId: o.str(), SyncStatus: o.str(),
        LogSyncTime: o.str(), DataSyncTime: o.str(),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const describeDBInstanceSSL = defineOp({
  name: 'DescribeDBInstanceSSL', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows the SSL settings of an instance; localrds endpoints do not offer SSL, so it is off and the certificates are empty.',
  params: byInstance,
  output: o.obj({
    SSLEnabled: o.str('Yes/No (MySQL, MariaDB, SQL Server) or on/off (PostgreSQL).'), RequireUpdate: o.str(), RequireUpdateItem: o.str(),
    RequireUpdateReason: o.str(), ConnectionString: o.str(), CAType: o.str(), ServerCert: o.str(), ServerKey: o.str(),
    ServerCAUrl: o.str(), ClientCACert: o.str(), ClientCACertExpireTime: o.str(), ClientCertRevocationList: o.str(),
    ACL: o.str(), ReplicationACL: o.str(), SSLCreateTime: o.str(), SSLExpireTime: o.str(), LastModifyStatus: o.str(),
    ModifyStatusReason: o.str(),
  }),
  errors: [...INSTANCE_ERRORS],
  // The metadata documents this operation's not-found answer as 404.
  errorStatus: { 'InvalidDBInstanceId.NotFound': 404 },
});

export const describeDBInstanceEncryptionKey = defineOp({
  name: 'DescribeDBInstanceEncryptionKey', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows the disk encryption key (BYOK) of an instance; localrds has none, so the key fields are empty.',
  params: {
    DBInstanceId: str('The instance ID.', { required: true, max: 64, example: 'pgm-bp1xxxxxxxxxxxxxx' }),
    RegionId: str('Region (accepted; the instance decides).'), EncryptionKey: str('Accepted, ignored.'), TargetRegionId: str('Accepted, ignored.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    EncryptionKey: o.str(), EncryptionKeyStatus: o.str(), Description: o.str(), Creator: o.str(), DeleteDate: o.str(),
    KeyUsage: o.str(), MaterialExpireTime: o.str(), Origin: o.str(),
    EncryptionKeyList: o.list(o.obj({ EncryptionKey: o.str(), KeyType: o.str(), EncryptionKeyStatus: o.str() })),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const describeDBInstanceTDE = defineOp({
  name: 'DescribeDBInstanceTDE', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows transparent data encryption; never enabled in localrds.',
  params: byInstance,
  output: o.obj({ TDEStatus: o.str('Enabled or Disabled.'), TDEMode: o.str(), Databases: o.obj({ Database: o.list(o.obj({ DBName: o.str(), TDEStatus: o.str() })) }) }),
  errors: [...INSTANCE_ERRORS],
});

const hbaItem = o.obj({
  PriorityId: o.int(), Type: o.str(), Database: o.str(), User: o.str(), Address: o.str(), Mask: o.str(), Method: o.str(), Option: o.str(),
});

export const describePGHbaConfig = defineOp({
  name: 'DescribePGHbaConfig', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Shows the pg_hba.conf entries of a PostgreSQL instance (the default entry: password logins from anywhere the whitelist admits).',
  params: { ...byInstance, ClientToken: CLIENT_TOKEN, ResourceGroupId: str('Accepted, ignored.') },
  output: o.obj({
    DBInstanceId: o.str(), HbaModifyTime: o.str(), LastModifyStatus: o.str(), ModifyStatusReason: o.str(),
    RunningHbaItems: o.obj({ HbaItem: o.list(hbaItem) }), DefaultHbaItems: o.obj({ HbaItem: o.list(hbaItem) }),
  }),
  errors: [...INSTANCE_ERRORS, 'IncorrectDBInstanceType'],
  errorStatus: { IncorrectDBInstanceType: 400 },
});

export const describeInstanceLinkedWhitelistTemplate = defineOp({
  name: 'DescribeInstanceLinkedWhitelistTemplate', group: 'settings', mutates: false, instanceParam: 'InsName',
  summary: 'Lists the whitelist templates linked to an instance (none: localrds has no templates). The body carries Code "200" and Success true, as documented.',
  params: {
    InsName: str('The instance ID.', { required: true, max: 64, example: 'rm-uf6wjk5xxxxxxx' }),
    RegionId: str('Region (accepted; the instance decides).'), ResourceGroupId: str('Accepted, ignored.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    Data: o.obj({ InsName: o.str(), Templates: o.list(o.obj({ Id: o.int(), TemplateId: o.int(), TemplateName: o.str(), Ips: o.str(), UserId: o.int() })) }),
    Code: o.str(), Message: o.str(), Success: o.bool(), HttpStatusCode: o.int(),
  }),
  errors: ['InsName.NotFound'],
});

export const describeInstanceAutoRenewalAttribute = defineOp({
  name: 'DescribeInstanceAutoRenewalAttribute', group: 'settings', mutates: false,
  summary: 'Lists the auto-renewal settings of subscription (Prepaid) instances; pay-as-you-go instances are not listed.',
  params: {
    RegionId: str('Region, e.g. cn-hangzhou.', { required: true, max: 64 }),
    DBInstanceId: str('Only this instance.', { max: 64 }),
    PageSize: int('Page size, 1 to 100 (default 30).', { min: 1, max: 100 }),
    PageNumber: int('Page number from 1 (default 1).', { min: 1, max: 2147483647 }),
    ClientToken: CLIENT_TOKEN, proxyId: str('Deprecated; accepted, ignored.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    PageNumber: o.int(), PageRecordCount: o.int(), TotalRecordCount: o.int(),
    Items: o.obj({ Item: o.list(o.obj({ DBInstanceId: o.str(), RegionId: o.str(), Duration: o.int(), AutoRenew: o.str('True or False.'), Status: o.str() })) }),
  }),
  errors: [...INSTANCE_ERRORS],
});
