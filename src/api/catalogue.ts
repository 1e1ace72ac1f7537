// The catalogue: every Action localrds serves, keyed by its wire name.
import { allocateInstancePublicConnection, describeDBInstanceNetInfo, modifyDBInstanceConnectionString, releaseInstancePublicConnection } from './ops-network.js';
import { describeDBInstanceIPArrayList, modifySecurityIps } from './ops-security.js';
import { createDBInstance, deleteDBInstance, describeDBInstanceAttribute, describeDBInstances, restartDBInstance } from './ops-instances.js';
import * as settings from './ops-settings.js';
import { describeParameters, describeParameterTemplates } from './ops-parameters.js';
import { describeTags, tagResources, unTagResources, untagResources } from './ops-tags.js';
import * as changes from './ops-changes.js';
import { modifyAccountCheckPolicy } from './ops-account-policy.js';
import {
  createAccount, deleteAccount, describeAccounts, grantAccountPrivilege, lockAccount, modifyAccountDescription, resetAccount,
  resetAccountPassword, revokeAccountPrivilege, unlockAccount,
} from './ops-accounts.js';
import { createDatabase, deleteDatabase, describeDatabases, modifyDBDescription } from './ops-databases.js';
import type { OpSpec } from './op.js';

export const OPERATIONS = {
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
  UnTagResources: unTagResources,
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
} as const;

export type ActionName = keyof typeof OPERATIONS;
export type Operation<A extends ActionName = ActionName> = (typeof OPERATIONS)[A];

export const API_VERSION = '2014-08-15';

export function findOperation(action: string): OpSpec | undefined {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, action) ? (OPERATIONS as Record<string, OpSpec>)[action] : undefined;
}

/**
 * Other RDS 2014-08-15 Actions (names only). A call to one of these gets Api.NotSupport rather than
 * InvalidAction.NotFound, so that users can tell "localrds lacks it" from "there is no such API".
 */
export const OTHER_RDS_ACTIONS: ReadonlySet<string> = new Set([
  'ReleaseInstanceConnection', 'AllocateReadWriteSplittingConnection', 'ReleaseReadWriteSplittingConnection',
  'SwitchDBInstanceNetType', 'ModifyDBInstanceNetworkType', 'ModifyDBInstanceNetworkExpireTime',
  'CreateReadOnlyDBInstance',
  'DescribeRegions', 'DescribeAvailableZones',
  'DescribeAvailableClasses', 'DescribeDBInstancesByExpireTime', 'DescribeDBInstancesAsCsv', 'DescribeDBInstancePerformance',
  'CreateBackup', 'DescribeBackups', 'DescribeBackupPolicy', 'ModifyBackupPolicy', 'ModifyParameter',
  'DescribeSQLLogRecords', 'DescribeSlowLogs', 'DescribeErrorLogs',
  'ModifySecurityGroupConfiguration', 'ModifyDBInstanceSSL', 'MigrateToOtherZone',
  'ModifyDBInstancePayType', 'RenewInstance', 'StartDBInstance', 'StopDBInstance', 'CloneDBInstance',
  'SwitchDBInstanceHA', 'ListTagResources',
  'DescribeDBProxy', 'ModifyDBProxy', 'DescribeDBProxyEndpoint', 'CreateDBProxyEndpointAddress', 'DeleteDBProxyEndpointAddress',
  'DescribeWhitelistTemplate', 'ModifyWhitelistTemplate', 'DescribeAllWhitelistTemplate', 'AttachWhitelistTemplateToInstance',
  'DescribeDBInstanceEndpoints', 'CreateDBInstanceEndpointAddress', 'DeleteDBInstanceEndpointAddress', 'ModifyDBInstanceEndpointAddress',
  'DescribeDBInstanceNetInfoForChannel', 'ModifySecurityIpsForChannel', 'DescribeDBInstanceIpHostname', 'CheckAccountNameAvailable',
  'ModifyDBInstanceMaintainTime', 'DescribeCharacterSetName',
  // Update-path actions of the Terraform provider behind optional arguments localrds does not emulate.
  'ModifyDBInstanceMonitor', 'ModifyHADiagnoseConfig', 'ModifyDasInstanceConfig', 'ModifyInstanceAutoRenewalAttribute',
  'DetachWhitelistTemplateToInstance', 'ModifyDBInstanceAutoUpgradeMinorVersion', 'MigrateSecurityIPMode', 'ModifySQLCollectorPolicy',
  'ModifySQLCollectorRetention', 'ModifyDBInstanceTDE', 'ModifyHASwitchConfig', 'ModifyPGHbaConfig', 'ModifyResourceGroup',
  'SwitchDBInstanceVpc', 'ModifyDBInstanceConfig', 'ModifyCollationTimeZone', 'UpgradeDBInstanceKernelVersion',
]);
