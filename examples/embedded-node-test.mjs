// localrds inside a node:test suite: one server for the file, on a free port with a temporary data dir,
// stopped (and its directory removed) when the suite ends. Run: node --test examples/embedded-node-test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import RdsModule from '@alicloud/rds20140815';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { startLocalrds } from 'localrds';

let rds;
let client;

before(async () => {
  rds = await startLocalrds();
  client = new RdsModule.default(new $OpenApiUtil.Config({
    accessKeyId: rds.credentials.accessKeyId,
    accessKeySecret: rds.credentials.accessKeySecret,
    endpoint: rds.endpoint,
    protocol: 'http',
  }));
});

after(() => rds.stop());

test('creates an instance with an internal endpoint', async () => {
  const created = await client.createDBInstance(new RdsModule.CreateDBInstanceRequest({
    regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
    DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '127.0.0.1',
  }));
  const id = created.body.DBInstanceId;
  const net = await client.describeDBInstanceNetInfo(new RdsModule.DescribeDBInstanceNetInfoRequest({ DBInstanceId: id }));
  assert.equal(net.body.DBInstanceNetInfos.DBInstanceNetInfo[0].IPType, 'Private');
});
