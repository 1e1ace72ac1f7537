// The real flow, with only the official @alicloud/rds20140815 SDK: create an instance (a real server starts for
// it), a privileged account and a database, open the whitelist, allocate a public connection, and print how to
// connect as that account. Run it with `npm start` running in another shell.
//   node examples/quickstart.mjs [mysql|postgresql]          create everything
//   node examples/quickstart.mjs release <DBInstanceId>      release the public connection again
import RdsModule from '@alicloud/rds20140815';
import { $OpenApiUtil } from '@alicloud/openapi-core';

const Rds = RdsModule.default;
const client = new Rds(new $OpenApiUtil.Config({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? 'LTAI5tLocalRdsDevKey0001',
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? 'localrdsDevSecretNotForProduction01',
  endpoint: process.env.LOCALRDS_ENDPOINT ?? '127.0.0.1:8484',
  protocol: 'http',
}));
const call = async (action, fields) => (await client[action[0].toLowerCase() + action.slice(1)](new RdsModule[`${action}Request`](fields))).body;

if (process.argv[2] === 'release') {
  const id = process.argv[3];
  const net = await call('DescribeDBInstanceNetInfo', { DBInstanceId: id });
  const pub = net.DBInstanceNetInfos.DBInstanceNetInfo.find((e) => e.IPType === 'Public');
  await call('ReleaseInstancePublicConnection', { DBInstanceId: id, currentConnectionString: pub.connectionString });
  console.log(`released ${pub.connectionString}: new connections to ${pub.IPAddress}:${pub.port} are refused, open sessions are cut`);
  process.exit(0);
}

const postgres = (process.argv[2] ?? 'mysql').toLowerCase().startsWith('p');
const engine = postgres ? 'PostgreSQL' : 'MySQL';
const port = postgres ? '5432' : '3306';
const { DBInstanceId: id } = await call('CreateDBInstance', {
  regionId: 'cn-hangzhou', engine, engineVersion: postgres ? '17.0' : '8.0', DBInstanceClass: postgres ? 'pg.n2.small.1' : 'mysql.n2.medium.1',
  DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '127.0.0.1',
});
// The answer comes at once; the instance is Running once its own server accepts connections.
while ((await call('DescribeDBInstanceAttribute', { DBInstanceId: id })).items.DBInstanceAttribute[0].DBInstanceStatus !== 'Running') {
  await new Promise((r) => setTimeout(r, 200));
}
const password = 'Quickstart#2026';
await call('CreateAccount', { DBInstanceId: id, accountName: 'admin_user', accountPassword: password, accountType: 'Super' });
await call('CreateDatabase', { DBInstanceId: id, DBName: 'appdb', characterSetName: postgres ? 'UTF8' : 'utf8mb4' });
await call('ModifySecurityIps', { DBInstanceId: id, securityIps: '0.0.0.0/0' });
const prefix = `quick${id.slice(-6)}`;
await call('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: prefix, port });
const net = await call('DescribeDBInstanceNetInfo', { DBInstanceId: id });
const pub = net.DBInstanceNetInfos.DBInstanceNetInfo.find((e) => e.IPType === 'Public');
console.log(`instance ${id} (${engine})`);
for (const e of net.DBInstanceNetInfos.DBInstanceNetInfo) console.log(`  ${e.IPType.padEnd(8)} ${e.connectionString}  ${e.IPAddress}:${e.port}`);
console.log(postgres
  ? `\nPGPASSWORD='${password}' psql -h ${pub.IPAddress} -p ${pub.port} -U admin_user appdb`
  : `\nmysql -h ${pub.IPAddress} -P ${pub.port} -u admin_user -p'${password}' appdb`);
console.log(`\nrelease with: node examples/quickstart.mjs release ${id}`);
