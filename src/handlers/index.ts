// The handler table: one entry per Action in the catalogue, checked by the compiler.
import type { HandlerTable } from './context.js';
import { allocateInstancePublicConnection, describeDBInstanceNetInfo, modifyDBInstanceConnectionString, releaseInstancePublicConnection } from './network.js';
import { describeDBInstanceIPArrayList, modifySecurityIps } from './security.js';
import { createDBInstance, deleteDBInstance, describeDBInstanceAttribute, describeDBInstances, restartDBInstance } from './instances.js';
import * as settings from './settings.js';
import { describeParameters, describeParameterTemplates } from './parameters.js';
import { describeTags, tagResources, untagResources } from './tags.js';
import * as changes from './changes.js';
import { modifyAccountCheckPolicy } from './account-policy.js';
import {
  createAccount, deleteAccount, describeAccounts, lockAccount, modifyAccountDescription, resetAccount, resetAccountPassword,
  unlockAccount,
} from './accounts.js';
import { grantAccountPrivilege, revokeAccountPrivilege } from './privileges.js';
import { createDatabase, deleteDatabase, describeDatabases, modifyDBDescription } from './databases.js';

export const HANDLERS = {
  ReleaseInstancePublicConnection: releaseInstancePublicConnection,
  AllocateInstancePublicConnection: allocateInstancePublicConnection,
  DescribeDBInstanceNetInfo: describeDBInstanceNetInfo,
  ModifyDBInstanceConnectionString: modifyDBInstanceConnectionString,
  ModifySecurityIps: modifySecurityIps,
  DescribeDBInstanceIPArrayList: describeDBInstanceIPArrayList,
  CreateDBInstance: createDBInstance,
  DescribeDBInstances: describeDBInstances,
  DescribeDBInstanceAttribute: describeDBInstanceAttribute,
  DeleteDBInstance: deleteDBInstance,
  DescribeDBInstanceMonitor: settings.describeDBInstanceMonitor,
  DescribeSQLCollectorPolicy: settings.describeSQLCollectorPolicy,
  DescribeSQLCollectorRetention: settings.describeSQLCollectorRetention,
  DescribeSecurityGroupConfiguration: settings.describeSecurityGroupConfiguration,
  DescribeHASwitchConfig: settings.describeHASwitchConfig,
  DescribeHADiagnoseConfig: settings.describeHADiagnoseConfig,
  DescribeDBInstanceHAConfig: settings.describeDBInstanceHAConfig,
  DescribeDBInstanceSSL: settings.describeDBInstanceSSL,
  DescribeDBInstanceEncryptionKey: settings.describeDBInstanceEncryptionKey,
  DescribeDBInstanceTDE: settings.describeDBInstanceTDE,
  DescribePGHbaConfig: settings.describePGHbaConfig,
  DescribeInstanceLinkedWhitelistTemplate: settings.describeInstanceLinkedWhitelistTemplate,
  DescribeInstanceAutoRenewalAttribute: settings.describeInstanceAutoRenewalAttribute,
  DescribeParameters: describeParameters,
  DescribeParameterTemplates: describeParameterTemplates,
  DescribeTags: describeTags,
  TagResources: tagResources,
  UntagResources: untagResources,
  UnTagResources: untagResources,
  ModifyDBInstanceDescription: changes.modifyDBInstanceDescription,
  ModifyDBInstanceSpec: changes.modifyDBInstanceSpec,
  ModifyDBInstanceDeletionProtection: changes.modifyDBInstanceDeletionProtection,
  TransformDBInstancePayType: changes.transformDBInstancePayType,
  UpgradeDBInstanceEngineVersion: changes.upgradeDBInstanceEngineVersion,
  UpgradeDBInstanceMajorVersionPrecheck: changes.upgradeDBInstanceMajorVersionPrecheck,
  DescribeUpgradeMajorVersionPrecheckTask: changes.describeUpgradeMajorVersionPrecheckTask,
  UpgradeDBInstanceMajorVersion: changes.upgradeDBInstanceMajorVersion,
  DescribeTasks: changes.describeTasks,
  RestartDBInstance: restartDBInstance,
  CreateAccount: createAccount,
  DescribeAccounts: describeAccounts,
  DeleteAccount: deleteAccount,
  ResetAccountPassword: resetAccountPassword,
  ResetAccount: resetAccount,
  ModifyAccountDescription: modifyAccountDescription,
  LockAccount: lockAccount,
  UnlockAccount: unlockAccount,
  GrantAccountPrivilege: grantAccountPrivilege,
  RevokeAccountPrivilege: revokeAccountPrivilege,
  CreateDatabase: createDatabase,
  DescribeDatabases: describeDatabases,
  DeleteDatabase: deleteDatabase,
  ModifyDBDescription: modifyDBDescription,
  ModifyAccountCheckPolicy: modifyAccountCheckPolicy,
} satisfies HandlerTable;
