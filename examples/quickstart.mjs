// Creates a MySQL instance on a local localrds, opens its whitelist and allocates a public connection,
// using only the official @alicloud/rds20140815 SDK. Run it with the server started as in the README.
import RdsModule from '@alicloud/rds20140815';
import { $OpenApiUtil } from '@alicloud/openapi-core';

const Rds = RdsModule.default;
const client = new Rds(new $OpenApiUtil.Config({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? 'LTAI5tLocalRdsDevKey0001',
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? 'localrdsDevSecretNotForProduction01',
  endpoint: process.env.LOCALRDS_ENDPOINT ?? '127.0.0.1:8484',
  protocol: 'http',
}));

const created = await client.createDBInstance(new RdsModule.CreateDBInstanceRequest({
  regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
  DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '127.0.0.1',
}));
const id = created.body.DBInstanceId;
await client.modifySecurityIps(new RdsModule.ModifySecurityIpsRequest({ DBInstanceId: id, securityIps: '0.0.0.0/0' }));
const prefix = process.argv[2] ?? 'mypublic';
const allocated = await client.allocateInstancePublicConnection(new RdsModule.AllocateInstancePublicConnectionRequest({
  DBInstanceId: id, connectionStringPrefix: prefix, port: '3306',
}));
const net = await client.describeDBInstanceNetInfo(new RdsModule.DescribeDBInstanceNetInfoRequest({ DBInstanceId: id }));
console.log(`instance ${id}`);
for (const e of net.body.DBInstanceNetInfos.DBInstanceNetInfo) {
  console.log(`  ${e.IPType.padEnd(8)} ${e.connectionString}  ${e.IPAddress}:${e.port}`);
}
console.log(`\nmysql -h ${net.body.DBInstanceNetInfos.DBInstanceNetInfo.find((e) => e.IPType === 'Public').IPAddress} -P 3306 -u root`);
console.log(`release with: ReleaseInstancePublicConnection DBInstanceId=${id} CurrentConnectionString=${allocated.body.connectionString}`);
