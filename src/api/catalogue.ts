// The catalogue: every Action localrds serves, keyed by its wire name.
import { allocateInstancePublicConnection, describeDBInstanceNetInfo, modifyDBInstanceConnectionString, releaseInstancePublicConnection } from './ops-network.js';
import { describeDBInstanceIPArrayList, modifySecurityIps } from './ops-security.js';
import { createDBInstance, deleteDBInstance, describeDBInstanceAttribute, describeDBInstances, restartDBInstance } from './ops-instances.js';
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
  RestartDBInstance: restartDBInstance,
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
  'CreateReadOnlyDBInstance', 'ModifyDBInstanceSpec',
  'ModifyDBInstanceDescription', 'ModifyDBInstanceDeletionProtection', 'DescribeRegions', 'DescribeAvailableZones',
  'DescribeAvailableClasses', 'DescribeDBInstancesByExpireTime', 'DescribeDBInstancesAsCsv', 'DescribeDBInstancePerformance',
  'CreateBackup', 'DescribeBackups', 'DescribeBackupPolicy', 'ModifyBackupPolicy', 'DescribeParameters', 'ModifyParameter',
  'DescribeSQLLogRecords', 'DescribeSlowLogs', 'DescribeErrorLogs', 'DescribeSecurityGroupConfiguration',
  'ModifySecurityGroupConfiguration', 'DescribeDBInstanceSSL', 'ModifyDBInstanceSSL', 'MigrateToOtherZone',
  'ModifyDBInstancePayType', 'RenewInstance', 'StartDBInstance', 'StopDBInstance', 'CloneDBInstance',
  'DescribeDBInstanceHAConfig', 'SwitchDBInstanceHA', 'DescribeTasks', 'TagResources', 'UntagResources', 'ListTagResources',
  'DescribeDBProxy', 'ModifyDBProxy', 'DescribeDBProxyEndpoint', 'CreateDBProxyEndpointAddress', 'DeleteDBProxyEndpointAddress',
  'DescribeWhitelistTemplate', 'ModifyWhitelistTemplate', 'DescribeAllWhitelistTemplate', 'AttachWhitelistTemplateToInstance',
  'DescribeDBInstanceEndpoints', 'CreateDBInstanceEndpointAddress', 'DeleteDBInstanceEndpointAddress', 'ModifyDBInstanceEndpointAddress',
  'DescribeDBInstanceNetInfoForChannel', 'ModifySecurityIpsForChannel', 'DescribeDBInstanceIpHostname', 'CheckAccountNameAvailable',
  'ModifyDBInstanceMaintainTime', 'UpgradeDBInstanceEngineVersion', 'UpgradeDBInstanceMajorVersion', 'DescribeCharacterSetName',
]);
