// The handler table: one entry per Action in the catalogue, checked by the compiler.
import type { HandlerTable } from './context.js';
import { allocateInstancePublicConnection, describeDBInstanceNetInfo, modifyDBInstanceConnectionString, releaseInstancePublicConnection } from './network.js';
import { describeDBInstanceIPArrayList, modifySecurityIps } from './security.js';
import { createDBInstance, deleteDBInstance, describeDBInstanceAttribute, describeDBInstances, restartDBInstance } from './instances.js';

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
  RestartDBInstance: restartDBInstance,
} satisfies HandlerTable;
