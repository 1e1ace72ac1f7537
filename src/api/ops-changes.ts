// Changes to an existing instance (description, class and storage, billing, engine version) and DescribeTasks,
// which the Terraform provider polls after DeleteDBInstance. What localrds cannot emulate (engine version
// upgrades, subscription billing) is refused with a catalogued 4xx whose message says so.
import { CLIENT_TOKEN, defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { bool, int, o, str } from './shapes.js';

export const modifyDBInstanceDescription = defineOp({
  name: 'ModifyDBInstanceDescription', group: 'changes', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Sets the description (instance name) of an instance; an empty value clears it.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    DBInstanceDescription: str('2 to 255 characters, or empty to clear.', { required: true, emptyOk: true, min: 2, max: 255, invalidCode: 'InvalidDBInstanceDescription.Format' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...INSTANCE_ERRORS, 'InvalidDBInstanceDescription.Format'],
});

const STORAGE_TYPES = ['local_ssd', 'cloud_ssd', 'cloud_essd', 'cloud_essd2', 'cloud_essd3', 'general_essd'] as const;

export const modifyDBInstanceSpec = defineOp({
  name: 'ModifyDBInstanceSpec', group: 'changes', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Changes the instance class and/or storage: the instance shows DBInstanceClassChanging, then Running (after --spec-change-ms).',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    DBInstanceClass: str('New instance type, e.g. mysql.n2.large.1.', { min: 1, max: 64, invalidCode: 'InvalidDBInstanceClass.Malformed' }),
    DBInstanceStorage: int('New storage in GB (5 to 64000); it cannot shrink.', { min: 5, max: 64000 }),
    DBInstanceStorageType: str('Storage type (recorded).', { enum: STORAGE_TYPES }),
    PayType: str('The current billing method (Postpaid); another value is refused (TransformDBInstancePayType changes it).', { enum: ['Postpaid', 'Prepaid', 'Serverless'] }),
    EffectiveTime: str('Immediate (default), MaintainTime or ScheduleTime; localrds applies every change at once.', { enum: ['Immediate', 'MaintainTime', 'ScheduleTime'] }),
    Direction: str('Up, Down, Auto, TempUpgrade or Serverless (accepted).', { enum: ['Up', 'Down', 'Auto', 'TempUpgrade', 'Serverless'] }),
    EngineVersion: str('Must equal the current version: major version upgrades are not emulated.', { max: 32 }),
    AllowMajorVersionUpgrade: bool('true is refused: major version upgrades are not emulated.'),
    Category: str('Must equal the current category.', { max: 64 }),
    ZoneId: str('Accepted, ignored.'), VSwitchId: str('Accepted, ignored.'), ZoneIdSlave1: str('Accepted, ignored.'),
    SwitchTime: str('Accepted, ignored.'), UsedTime: int('Accepted, ignored.'), SourceBiz: str('Accepted, ignored.'),
    DedicatedHostGroupId: str('Accepted, ignored.'), ResourceGroupId: str('Accepted, ignored.'),
    ReadOnlyDBInstanceClass: str('Accepted, ignored.'), TargetMinorVersion: str('Accepted, ignored.'),
    BurstingEnabled: bool('Accepted, ignored.'), ColdDataEnabled: bool('Accepted, ignored.'), AutoUseCoupon: bool('Accepted, ignored.'),
    IoAccelerationEnabled: str('Accepted, ignored.'), OptimizedWrites: str('Accepted, ignored.', { enum: ['optimized', 'none'] }),
    CompressionMode: str('Accepted, ignored.'), PromotionCode: str('Accepted, ignored.'), ServerlessConfiguration: str('Accepted, ignored.'),
    ClientToken: CLIENT_TOKEN,
    ...OWNER_PARAMS,
  },
  output: o.obj({ DBInstanceId: o.str(), OrderId: o.int() }),
  errors: [...INSTANCE_ERRORS, 'IncorrectDBInstanceState', 'UnsupportedReduceDiskSize', 'InvalidOrderCharge.NotSupport', 'IncorrectEngineVersion', 'UnsupportedParameter'],
});

export const modifyDBInstanceDeletionProtection = defineOp({
  name: 'ModifyDBInstanceDeletionProtection', group: 'changes', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Turns deletion protection on or off: while on, DeleteDBInstance is refused.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    DeletionProtection: bool('true: refuse DeleteDBInstance.', { required: true }),
    ClientToken: CLIENT_TOKEN,
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...INSTANCE_ERRORS],
});

export const transformDBInstancePayType = defineOp({
  name: 'TransformDBInstancePayType', group: 'changes', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Changes the billing method. Only to Postpaid (pay-as-you-go): subscription billing is not emulated.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    PayType: str('Postpaid; Prepaid is refused.', { required: true, enum: ['Postpaid', 'Prepaid'], invalidCode: 'InvalidPayType.Malformed' }),
    Period: str('Accepted, ignored.'), UsedTime: int('Accepted, ignored.'), AutoRenew: str('Accepted, ignored.'),
    BusinessInfo: str('Accepted, ignored.'), AutoUseCoupon: bool('Accepted, ignored.'), PromotionCode: str('Accepted, ignored.'),
    ClientToken: CLIENT_TOKEN,
    ...OWNER_PARAMS,
  },
  output: o.obj({ DBInstanceId: o.str(), OrderId: o.int(), ChargeType: o.str('POSTPAY.'), ExpiredTime: o.str() }),
  errors: [...INSTANCE_ERRORS, 'IncorrectDBInstanceState', 'InvalidOrderCharge.NotSupport', 'InvalidPayType.Malformed'],
});

export const upgradeDBInstanceEngineVersion = defineOp({
  name: 'UpgradeDBInstanceEngineVersion', group: 'changes', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Engine version upgrades are not emulated: another version is refused; the current version is a no-op.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    EngineVersion: str('Target version.', { required: true, max: 32 }),
    // Terraform sends RegionId set to its SourceIp here (often empty): RegionId is not declared, so it is ignored.
    EffectiveTime: str('Accepted, ignored.'), ClientToken: CLIENT_TOKEN,
    ...OWNER_PARAMS,
  },
  output: o.obj({ TaskId: o.str() }),
  errors: [...INSTANCE_ERRORS, 'IncorrectEngineVersion'],
});

export const upgradeDBInstanceMajorVersionPrecheck = defineOp({
  name: 'UpgradeDBInstanceMajorVersionPrecheck', group: 'changes', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Major version upgrades are not emulated: the precheck is refused, so no upgrade can follow.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    TargetMajorVersion: str('Target major version, e.g. 16.0.', { required: true, max: 32 }),
    UpgradeMode: str('Accepted.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({ DBInstanceName: o.str(), TargetMajorVersion: o.str(), TaskId: o.str() }),
  errors: [...INSTANCE_ERRORS, 'IncorrectEngineVersion'],
});

export const describeUpgradeMajorVersionPrecheckTask = defineOp({
  name: 'DescribeUpgradeMajorVersionPrecheckTask', group: 'changes', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Lists major version upgrade prechecks: always none, as prechecks are refused.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    TargetMajorVersion: str('Accepted.'), TaskId: int('Accepted.'),
    PageSize: int('Page size, 1 to 100 (default 30).', { min: 1, max: 100 }),
    PageNumber: int('Page number from 1 (default 1).', { min: 1, max: 2147483647 }),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    PageNumber: o.int(), PageRecordCount: o.int(), TotalRecordCount: o.int(),
    Items: o.list(o.obj({ TaskId: o.int(), Result: o.str(), SourceMajorVersion: o.str(), TargetMajorVersion: o.str(), CheckTime: o.str(), EffectiveTime: o.str(), Detail: o.str() })),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const upgradeDBInstanceMajorVersion = defineOp({
  name: 'UpgradeDBInstanceMajorVersion', group: 'changes', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Major version upgrades are not emulated: refused.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    TargetMajorVersion: str('Target major version.', { max: 32 }),
    PayType: str('Postpaid or Prepaid.', { required: true, enum: ['Postpaid', 'Prepaid'] }),
    SwitchOver: str('Accepted.'), UpgradeMode: str('Accepted.'), SwitchTimeMode: str('Accepted.'), SwitchTime: str('Accepted.'),
    CollectStatMode: str('Accepted.'), UsedTime: str('Accepted.'), Period: str('Accepted.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({ DBInstanceId: o.str(), OrderId: o.str(), TaskId: o.int() }),
  errors: [...INSTANCE_ERRORS, 'IncorrectEngineVersion'],
});

export const describeTasks = defineOp({
  name: 'DescribeTasks', group: 'changes', mutates: false, instanceParam: 'DBInstanceId',
  summary: "Lists the instance's task in progress (creation, class change, network change), if any. Once the instance is deleted: InvalidDBInstanceId.NotFound, which is how Terraform's destroy knows it is done.",
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    StartTime: str('Accepted.'), EndTime: str('Accepted.'),
    Status: str('Only tasks in this status.'), TaskAction: str('Only tasks of this action.'),
    PageSize: int('Page size, 30 to 100 (default 30).', { min: 1, max: 100 }),
    PageNumber: int('Page number from 1 (default 1).', { min: 1, max: 2147483647 }),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    PageNumber: o.int(), PageRecordCount: o.int(), TotalRecordCount: o.int(),
    Items: o.obj({
      TaskProgressInfo: o.list(o.obj({
        TaskId: o.str(), TaskAction: o.str(), Status: o.str('Processing while the change is applied.'), Progress: o.str(), Remain: o.int('Seconds left.'),
        BeginTime: o.str(), ExpectedFinishTime: o.str(), FinishTime: o.str(), CurrentStepName: o.str(), StepsInfo: o.str(),
        StepProgressInfo: o.str(), ProgressInfo: o.str(), TaskErrorCode: o.str(), TaskErrorMessage: o.str(), DBName: o.str(),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
});
