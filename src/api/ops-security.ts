// Whitelist operations: security IP groups decide who may connect to every endpoint of an instance.
import { defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { o, str } from './shapes.js';

export const modifySecurityIps = defineOp({
  name: 'ModifySecurityIps',
  group: 'security',
  summary: 'Replaces, extends or trims one whitelist group of an instance. The change applies to new connections at once.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    SecurityIps: str('Comma-separated IPv4 addresses or CIDR blocks; 0.0.0.0/0 admits everyone, 127.0.0.1 admits no one.', {
      required: true, example: '192.168.1.0/24,10.0.0.5', max: 32768,
    }),
    DBInstanceIPArrayName: str('Group name, default "Default". 2 to 120 characters: lowercase letters, digits and underscores, starting with a letter.', { default: 'Default', max: 120 }),
    DBInstanceIPArrayAttribute: str('Group attribute: empty or "hidden".', { invalidCode: 'InvalidIPArrayAttribute.Format', max: 64 }),
    ModifyMode: str('Cover (default) replaces the group, Append adds entries, Delete removes entries.', { enum: ['Cover', 'Append', 'Delete'], default: 'Cover' }),
    SecurityIPType: str('IPv4 only.', { enum: ['IPv4'], enumIgnoreCase: true }),
    WhitelistNetworkType: str('Classic, VPC or MIX (default).', { enum: ['Classic', 'VPC', 'MIX'], default: 'MIX', invalidCode: 'InvalidWhitelistNetType.Malformed' }),
    FreshWhiteListReadins: str('Read-only instances to refresh (none exist in localrds; accepted, ignored).'),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...INSTANCE_ERRORS, 'IncorrectDBInstanceState', 'SecurityIPList.Format', 'InvalidSecurityIPList.Duplicate',
    'InvalidIPArrayAttribute.Format', 'InvalidWhitelistNetType.Malformed'],
});

export const describeDBInstanceIPArrayList = defineOp({
  name: 'DescribeDBInstanceIPArrayList',
  group: 'security',
  summary: 'Lists the whitelist groups of an instance.',
  mutates: false,
  answerMemo: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    WhitelistNetworkType: str('Only groups of this network type (Classic, VPC, MIX); all by default.', { enum: ['Classic', 'VPC', 'MIX'], invalidCode: 'InvalidWhitelistNetType.Malformed' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    Items: o.obj({
      DBInstanceIPArray: o.list(o.obj({
        DBInstanceIPArrayName: o.str(),
        DBInstanceIPArrayAttribute: o.str(),
        SecurityIPType: o.str(),
        SecurityIPList: o.str(),
        WhitelistNetworkType: o.str(),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
});
