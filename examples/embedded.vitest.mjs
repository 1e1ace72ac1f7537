// localrds inside a vitest suite (documentation: vitest is not a dependency of localrds, so this file is not run
// by its own tests; examples/embedded-node-test.mjs is the same suite for node:test, and that one is).
// In your project: npm i -D localrds vitest @alicloud/rds20140815 @alicloud/openapi-core, then npx vitest.
import { afterAll, beforeAll, expect, test } from 'vitest';
import RdsModule from '@alicloud/rds20140815';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { startLocalrds } from 'localrds';

let rds;
let client;

beforeAll(async () => {
  rds = await startLocalrds();
  client = new RdsModule.default(new $OpenApiUtil.Config({
    accessKeyId: rds.credentials.accessKeyId,
    accessKeySecret: rds.credentials.accessKeySecret,
    endpoint: rds.endpoint,
    protocol: 'http',
  }));
});

afterAll(() => rds.stop());

test('creates an instance with an internal endpoint', async () => {
  const created = await client.createDBInstance(new RdsModule.CreateDBInstanceRequest({
    regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
    DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '127.0.0.1',
  }));
  const id = created.body.DBInstanceId;
  const net = await client.describeDBInstanceNetInfo(new RdsModule.DescribeDBInstanceNetInfoRequest({ DBInstanceId: id }));
  expect(net.body.DBInstanceNetInfos.DBInstanceNetInfo[0].IPType).toBe('Private');
});
