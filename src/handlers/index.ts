// The handler table: one entry per Action in the catalogue, checked by the compiler.
import type { HandlerTable } from './context.js';
import { allocateInstancePublicConnection, describeDBInstanceNetInfo, modifyDBInstanceConnectionString, releaseInstancePublicConnection } from './network.js';
import { describeDBInstanceIPArrayList, modifySecurityIps } from './security.js';
import { createDBInstance, deleteDBInstance, describeDBInstanceAttribute, describeDBInstances, restartDBInstance } from './instances.js';
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
} satisfies HandlerTable;
