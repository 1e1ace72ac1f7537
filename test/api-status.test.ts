// Instance states: Creating and DBInstanceNetTypeChanging last the configured time, network calls are refused
// meanwhile with the real codes, and the instance settles to Running (also after a restart).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rdsClient, req } from './helpers/clients.js';
import { startTestServer } from './helpers/localrds.js';

const CREATE = { regionId: 'cn-hangzhou', engine: 'PostgreSQL', engineVersion: '16.0', DBInstanceClass: 'pg.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '127.0.0.1' };

async function errorOf(p: Promise<unknown>): Promise<[string, number]> {
  try { await p; } catch (e) { const x = e as { code: string; statusCode: number }; return [x.code, x.statusCode]; }
  throw new Error('expected an error');
}

test('transitions take the configured time and refuse network changes meanwhile', async () => {
  // Long enough that the calls in between (the first one also starts the data plane worker) fit on a loaded machine.
  const s = await startTestServer({ service: { createMs: 1500, netChangeMs: 1500 } });
  try {
    const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
    const status = async (id: string) => (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0].DBInstanceStatus as string;
    const waitFor = async (id: string, want: string) => {
      const t0 = Date.now();
      while ((await status(id)) !== want) {
        assert.ok(Date.now() - t0 < 15000, `never reached ${want}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return Date.now() - t0;
    };
    const created = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body;
    const id = created.DBInstanceId as string;
    assert.match(id, /^pgm-[a-z0-9]{17}$/);
    assert.match(created.connectionString, /^pgm-[a-z0-9]{17}\.pg\.rds\.aliyuncs\.com$/);
    assert.equal(created.port, '5432');
    assert.equal(await status(id), 'Creating');
    assert.deepEqual(await errorOf(c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: 'pgpublic1', port: '5432' }))), ['IncorrectDBInstanceState', 403]);
    assert.ok((await waitFor(id, 'Running')) >= 200);

    const cs = (await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: 'pgpublic1', port: '5432' }))).body.connectionString;
    assert.equal(cs, 'pgpublic1.pgsql.rds.aliyuncs.com');
    assert.equal(await status(id), 'DBInstanceNetTypeChanging');
    assert.deepEqual(await errorOf(c.releaseInstancePublicConnection(req('ReleaseInstancePublicConnection', { DBInstanceId: id, currentConnectionString: cs }))), ['OperationDenied.DBInstanceStatus', 403]);
    await waitFor(id, 'Running');
    await c.releaseInstancePublicConnection(req('ReleaseInstancePublicConnection', { DBInstanceId: id, currentConnectionString: cs }));
    assert.equal(await status(id), 'DBInstanceNetTypeChanging');

    // A restart in the middle of a transition still settles it.
    const dir = s.dataDir;
    await s.close();
    const again = await startTestServer({ keepDataDir: dir, service: { createMs: 1500, netChangeMs: 1500 } });
    try {
      const c2 = rdsClient(again.endpoint, again.credentials, { protocol: 'http' });
      const t0 = Date.now();
      while ((await c2.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0].DBInstanceStatus !== 'Running') {
        assert.ok(Date.now() - t0 < 15000);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await again.stop();
    }
  } catch (e) {
    await s.stop().catch(() => undefined);
    throw e;
  }
});

test('the rest of the catalogue: Modify, whitelist groups, paging, Delete', async () => {
  const s = await startTestServer();
  try {
    const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await c.createDBInstance(req('CreateDBInstance', { ...CREATE, engine: 'MySQL', engineVersion: '8.0', DBInstanceDescription: `inst-${i}` }))).body.DBInstanceId);
    const id = ids[0] as string;
    // Paging, both styles.
    const p1 = (await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou', pageSize: 2, pageNumber: 2 }))).body;
    assert.equal(p1.totalRecordCount, 5);
    assert.equal(p1.pageRecordCount, 2);
    assert.deepEqual(p1.items.DBInstance.map((x: { DBInstanceId: string }) => x.DBInstanceId), ids.slice(2, 4));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const b = (await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou', maxResults: 2, nextToken: token }))).body;
      seen.push(...b.items.DBInstance.map((x: { DBInstanceId: string }) => x.DBInstanceId));
      token = b.nextToken || undefined;
    } while (token);
    assert.deepEqual(seen, ids);
    const other = (await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-beijing' }))).body;
    assert.equal(other.totalRecordCount, 0);

    // Whitelist groups.
    const groups = async () => (await c.describeDBInstanceIPArrayList(req('DescribeDBInstanceIPArrayList', { DBInstanceId: id }))).body.items.DBInstanceIPArray
      .map((g: { DBInstanceIPArrayName: string; securityIPList: string }) => [g.DBInstanceIPArrayName, g.securityIPList]);
    assert.deepEqual(await groups(), [['default', '127.0.0.1']]);
    await c.modifySecurityIps(req('ModifySecurityIps', { DBInstanceId: id, securityIps: '10.0.0.0/8,192.168.1.5' }));
    await c.modifySecurityIps(req('ModifySecurityIps', { DBInstanceId: id, securityIps: '172.16.0.1', DBInstanceIPArrayName: 'office', modifyMode: 'Append' }));
    await c.modifySecurityIps(req('ModifySecurityIps', { DBInstanceId: id, securityIps: '192.168.1.5', modifyMode: 'Delete' }));
    assert.deepEqual((await groups()).sort(), [['default', '10.0.0.0/8'], ['office', '172.16.0.1']]);
    assert.deepEqual(await errorOf(c.modifySecurityIps(req('ModifySecurityIps', { DBInstanceId: id, securityIps: '10.0.0.300' }))), ['SecurityIPList.Format', 400]);
    assert.deepEqual(await errorOf(c.modifySecurityIps(req('ModifySecurityIps', { DBInstanceId: id, securityIps: '1.2.3.4,1.2.3.4' }))), ['InvalidSecurityIPList.Duplicate', 400]);
    const attr = (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0];
    assert.equal(attr.securityIPList, '10.0.0.0/8,172.16.0.1');

    // Modify the internal and the public endpoint; duplicates are refused.
    const net = async () => (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo as Array<{ connectionString: string; port: string; IPType: string }>;
    const internal = (await net())[0]?.connectionString as string;
    await c.modifyDBInstanceConnectionString(req('ModifyDBInstanceConnectionString', { DBInstanceId: id, currentConnectionString: internal, connectionStringPrefix: 'renamed-internal', port: '3310' }));
    const pub = (await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: 'thepublic', port: '3306' }))).body.connectionString as string;
    assert.deepEqual(await errorOf(c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: 'another', port: '3306' }))), ['NetTypeExists', 400]);
    assert.deepEqual(await errorOf(c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: ids[1], connectionStringPrefix: 'thepublic', port: '3306' }))), ['InvalidConnectionString.Duplicate', 404]);
    assert.deepEqual(await errorOf(c.modifyDBInstanceConnectionString(req('ModifyDBInstanceConnectionString', { DBInstanceId: id, currentConnectionString: pub, connectionStringPrefix: 'renamed-internal', port: '3306' }))), ['InvalidConnectionString.Duplicate', 404]);
    await c.modifyDBInstanceConnectionString(req('ModifyDBInstanceConnectionString', { DBInstanceId: id, currentConnectionString: pub, connectionStringPrefix: 'public-renamed', port: '3999' }));
    const after = await net();
    assert.deepEqual(after.map((e) => [e.IPType, e.connectionString, e.port]), [
      ['Private', 'renamed-internal.mysql.rds.aliyuncs.com', '3310'],
      ['Public', 'public-renamed.mysql.rds.aliyuncs.com', '3999'],
    ]);
    const byCs = (await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou', connectionString: 'public-renamed.mysql.rds.aliyuncs.com' }))).body;
    assert.deepEqual(byCs.items.DBInstance.map((x: { DBInstanceId: string }) => x.DBInstanceId), [id]);

    // Delete frees every address.
    const held = () => s.store.read(async (r) => (await r.addresses.countHeld('public')) + (await r.addresses.countHeld('private')));
    assert.equal(await held(), 6);
    for (const x of ids) await c.deleteDBInstance(req('DeleteDBInstance', { DBInstanceId: x }));
    assert.equal(await held(), 0);
    assert.deepEqual(await errorOf(c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))), ['InvalidDBInstanceId.NotFound', 400]);
    assert.equal(s.dataplane.stats().listeners, 0);
  } finally {
    await s.stop();
  }
});
