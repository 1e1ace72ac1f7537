// Network operations: the public endpoint (allocate / release), the endpoint list, and renames.
import { defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { int, o, str } from './shapes.js';

export const allocateInstancePublicConnection = defineOp({
  name: 'AllocateInstancePublicConnection',
  group: 'network',
  summary: 'Opens a public endpoint for an instance: a new connection string, an address from the public pool and the given port.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    ConnectionStringPrefix: str('Prefix of the public connection string: 5 to 40 characters, lowercase letters, digits and hyphens, starting with a letter.', {
      required: true, example: 'mypublicdb', min: 5, max: 40, invalidCode: 'InvalidConnectionString.Format',
    }),
    Port: int('Public port, 1000 to 5999.', { required: true, min: 1000, max: 5999, wireType: 'String', example: '3306', invalidCode: 'InvalidPort.Malformed' }),
    BabelfishPort: str('TDS port for PostgreSQL with Babelfish (not supported by localrds).'),
    PGBouncerPort: str('PgBouncer port for PostgreSQL (not supported by localrds).'),
    GeneralGroupName: str('Dedicated cluster name (accepted, ignored).'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    ConnectionString: o.str('The new public connection string.'),
    DbInstanceName: o.str('The instance ID (the real API spells this field with a lowercase "b").'),
  }),
  errors: [...INSTANCE_ERRORS, 'IncorrectDBInstanceState', 'InvalidConnectionString.Format', 'ConnectionStringContainIllegalCharacterFault',
    'InvalidPort.Malformed', 'InvalidConnectionString.Duplicate', 'NetTypeExists', 'OperationDenied.ZoneResource', 'OperationDenied.EndpointUnavailable', 'UnsupportedParameter'],
});

export const releaseInstancePublicConnection = defineOp({
  name: 'ReleaseInstancePublicConnection',
  group: 'network',
  summary: 'Releases the public endpoint of an instance: the address stops accepting connections, open sessions through it are closed, and the address returns to the pool.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    CurrentConnectionString: str('The public connection string to release, as DescribeDBInstanceNetInfo lists it.', {
      required: true, example: 'rm-uf6wjk5xxxxxxxo.mysql.rds.aliyuncs.com', max: 255,
    }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...INSTANCE_ERRORS, 'OperationDenied.DBInstanceStatus', 'InvalidCurrentConnectionString.NotFound', 'AtLeastOneNetTypeExists'],
});

const securityIpGroup = o.obj({ SecurityIPGroupName: o.str(), SecurityIPs: o.str() });

export const describeDBInstanceNetInfo = defineOp({
  name: 'DescribeDBInstanceNetInfo',
  group: 'network',
  summary: 'Lists the endpoints of an instance: the internal one (IPType Private) and, when allocated, the public one (IPType Public).',
  mutates: false,
  answerMemo: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    ClientToken: str('Idempotence token (accepted, ignored for a read).', { max: 64 }),
    DBInstanceNetRWSplitType: str('Normal or ReadWriteSplitting; localrds has only Normal endpoints.', { enum: ['Normal', 'ReadWriteSplitting'] }),
    Flag: int('Reserved.'),
    GeneralGroupName: str('Dedicated cluster name (accepted, ignored).'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    InstanceNetworkType: o.str('VPC or Classic.'),
    SecurityIPMode: o.str('normal (standard whitelist mode).'),
    DBInstanceNetInfos: o.obj({
      DBInstanceNetInfo: o.list(o.obj({
        ConnectionString: o.str(),
        IPAddress: o.str(),
        IPType: o.str('Private (internal endpoint) or Public.'),
        Port: o.str('The port, as a string.'),
        VPCId: o.str(),
        VSwitchId: o.str(),
        ConnectionStringType: o.str('Normal.'),
        Upgradeable: o.str('Disabled.'),
        SecurityIPGroups: o.obj({ securityIPGroup: o.list(securityIpGroup) }, 'Note the lowercase "s" in securityIPGroup, as on the real service.'),
        DBInstanceWeights: o.obj({ DBInstanceWeight: o.list(o.obj({ DBInstanceId: o.str(), DBInstanceType: o.str(), Availability: o.str(), Weight: o.str(), Role: o.str() })) }),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const modifyDBInstanceConnectionString = defineOp({
  name: 'ModifyDBInstanceConnectionString',
  group: 'network',
  summary: 'Changes the prefix and/or port of one endpoint (internal or public). The listener moves to the new port.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    CurrentConnectionString: str('The endpoint to change, as DescribeDBInstanceNetInfo lists it.', { required: true, max: 255 }),
    ConnectionStringPrefix: str('New prefix: 8 to 64 characters, lowercase letters, digits and hyphens.', {
      required: true, min: 8, max: 64, invalidCode: 'InvalidConnectionString.Malformed',
    }),
    Port: int('New port: 1000 to 5999 (MySQL internal endpoints 1000 to 65534).', { required: true, min: 1000, max: 65534, wireType: 'String', invalidCode: 'InvalidPort.Format' }),
    BabelfishPort: str('Not supported by localrds.'),
    PGBouncerPort: str('Not supported by localrds.'),
    GeneralGroupName: str('Accepted, ignored.'),
    RetainVip: str('Accepted, ignored (addresses are always kept).'),
    TargetDBInstanceId: str('Not supported by localrds.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...INSTANCE_ERRORS, 'OperationDenied.DBInstanceStatus', 'InvalidConnectionString.Malformed', 'InvalidPort.Format', 'OperationDenied.EndpointUnavailable',
    'InvalidConnectionString.NotFound', 'InvalidConnectionString.Duplicate', 'UnsupportedParameter'],
});
