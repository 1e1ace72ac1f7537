// The lifecycle of a public connection through every official client, unchanged but for endpoint and protocol:
// create, allocate, wait for Running, see Private + Public, release, see only Private, release again
// (InvalidCurrentConnectionString.NotFound), and a second account that can neither see nor release the instance.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApiForm, popClient, rdsClient, req, type Creds } from './helpers/clients.js';
import { PG_URL, startTestServer, type TestServer } from './helpers/localrds.js';

const CREATE = {
  regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
  DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0',
};

/** The operations of the lifecycle, as each client family calls them. */
interface Api {
  name: string;
  create(): Promise<string>;
  allocate(id: string, prefix: string): Promise<string>;
  status(id: string): Promise<string>;
  netInfo(id: string): Promise<Array<{ ConnectionString: string; IPType: string; Port: string; IPAddress: string }>>;
  release(id: string, cs: string): Promise<string>;
  /** Runs fn, expects an error; returns [code, status-or-undefined]. */
  error(fn: () => Promise<unknown>): Promise<[string, number | undefined]>;
}

function rdsApi(s: TestServer, c: Creds, v1: boolean): Api {
  const client = rdsClient(s.endpoint, c, { protocol: 'http', v1 });
  return {
    name: v1 ? 'rds20140815 V1' : 'rds20140815 V3',
    create: async () => (await client.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId,
    allocate: async (id, prefix) => (await client.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: prefix, port: '3306' }))).body.connectionString,
    status: async (id) => (await client.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0].DBInstanceStatus,
    netInfo: async (id) => (await client.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo
      .map((e: Record<string, string>) => ({ ConnectionString: e.connectionString, IPType: e.IPType, Port: e.port, IPAddress: e.IPAddress })),
    release: async (id, cs) => (await client.releaseInstancePublicConnection(req('ReleaseInstancePublicConnection', { DBInstanceId: id, currentConnectionString: cs }))).body.requestId,
    error: async (fn) => {
      try { await fn(); } catch (e) {
        const err = e as { name: string; code: string; statusCode: number };
        assert.ok(['ClientError', 'ServerError', 'ThrottlingError'].includes(err.name), `SDK error class, got ${err.name}`);
        return [err.code, err.statusCode];
      }
      throw new Error('expected an error');
    },
  };
}

function popApi(s: TestServer, c: Creds, method: 'GET' | 'POST'): Api {
  const client = popClient(s.endpoint, c);
  const call = (action: string, params: Record<string, unknown>) => client.request(action, params, { method });
  return {
    name: `pop-core ${method}`,
    create: async () => (await call('CreateDBInstance', { RegionId: 'cn-hangzhou', Engine: 'MySQL', EngineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', PayType: 'Postpaid', SecurityIPList: '0.0.0.0/0' })).DBInstanceId,
    allocate: async (id, prefix) => (await call('AllocateInstancePublicConnection', { DBInstanceId: id, ConnectionStringPrefix: prefix, Port: '3306' })).ConnectionString,
    status: async (id) => (await call('DescribeDBInstanceAttribute', { DBInstanceId: id })).Items.DBInstanceAttribute[0].DBInstanceStatus,
    netInfo: async (id) => (await call('DescribeDBInstanceNetInfo', { DBInstanceId: id })).DBInstanceNetInfos.DBInstanceNetInfo,
    release: async (id, cs) => (await call('ReleaseInstancePublicConnection', { RegionId: 'cn-hangzhou', DBInstanceId: id, CurrentConnectionString: cs })).RequestId,
    error: async (fn) => {
      try { await fn(); } catch (e) {
        const err = e as { name: string; code: string; entry?: { response: { statusCode: number } } };
        assert.equal(err.name, `${err.code}Error`);
        return [err.code, err.entry?.response.statusCode];
      }
      throw new Error('expected an error');
    },
  };
}

function formApi(s: TestServer, c: Creds, v1: boolean): Api {
  const call = async (action: string, body: Record<string, string>) => (await callApiForm(s.endpoint, c, action, body, { v1 })).body;
  return {
    name: v1 ? 'openapi-client form V1' : 'openapi-client form V3',
    create: async () => (await call('CreateDBInstance', { RegionId: 'cn-hangzhou', Engine: 'MySQL', EngineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: '20', DBInstanceNetType: 'Intranet', PayType: 'Postpaid', SecurityIPList: '0.0.0.0/0' })).DBInstanceId,
    allocate: async (id, prefix) => (await call('AllocateInstancePublicConnection', { DBInstanceId: id, ConnectionStringPrefix: prefix, Port: '3306', RegionId: 'cn-hangzhou', SourceIp: '10.0.0.1' })).ConnectionString,
    status: async (id) => (await call('DescribeDBInstanceAttribute', { DBInstanceId: id })).Items.DBInstanceAttribute[0].DBInstanceStatus,
    netInfo: async (id) => (await call('DescribeDBInstanceNetInfo', { DBInstanceId: id })).DBInstanceNetInfos.DBInstanceNetInfo,
    release: async (id, cs) => (await call('ReleaseInstancePublicConnection', { DBInstanceId: id, CurrentConnectionString: cs })).RequestId,
    error: async (fn) => {
      try { await fn(); } catch (e) {
        const err = e as { code: string; statusCode: number };
        return [err.code, err.statusCode];
      }
      throw new Error('expected an error');
    },
  };
}

async function waitRunning(api: Api, id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await api.status(id)) !== 'Running') {
    if (Date.now() > deadline) throw new Error('instance never reached Running');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let n = 0;
async function lifecycle(s: TestServer, mine: Api, theirs: Api): Promise<void> {
  const id = await mine.create();
  assert.match(id, /^rm-[a-z0-9]{17}$/);
  await waitRunning(mine, id);
  const prefix = `pub${Date.now().toString(36)}${n++}`;
  const cs = await mine.allocate(id, prefix);
  assert.equal(cs, `${prefix}.mysql.rds.aliyuncs.com`);
  await waitRunning(mine, id);

  const both = await mine.netInfo(id);
  assert.deepEqual(both.map((e) => e.IPType).sort(), ['Private', 'Public']);
  const pub = both.find((e) => e.IPType === 'Public');
  assert.equal(pub?.ConnectionString, cs);
  assert.equal(pub?.Port, '3306');
  assert.ok(s.config.publicPool.first <= ipNum(pub?.IPAddress ?? '') && ipNum(pub?.IPAddress ?? '') <= s.config.publicPool.last);

  // Another account sees nothing and can release nothing.
  assert.deepEqual(await theirs.error(() => theirs.netInfo(id)), ['InvalidDBInstanceId.NotFound', expectStatus(theirs, 400)]);
  assert.deepEqual(await theirs.error(() => theirs.release(id, cs)), ['InvalidDBInstanceId.NotFound', expectStatus(theirs, 400)]);

  const requestId = await mine.release(id, cs);
  assert.match(requestId, /^[0-9A-F-]{36}$/);
  await waitRunning(mine, id);
  const after = await mine.netInfo(id);
  assert.deepEqual(after.map((e) => e.IPType), ['Private']);
  assert.deepEqual(await mine.error(() => mine.release(id, cs)), ['InvalidCurrentConnectionString.NotFound', expectStatus(mine, 400)]);
  // The internal endpoint cannot be released through this call.
  assert.deepEqual(await mine.error(() => mine.release(id, after[0]?.ConnectionString ?? '')), ['AtLeastOneNetTypeExists', expectStatus(mine, 400)]);
}

/** Every client family reads the HTTP status (pop-core through err.entry). */
function expectStatus(_api: Api, status: number): number {
  return status;
}

function ipNum(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`public connection lifecycle (${store} store)`, () => {
    let s: TestServer;
    const schema = `lrds_life_${process.pid}_${Date.now()}`;
    before(async () => {
      s = await startTestServer(store === 'postgres' ? { db: `${PG_URL}?schema=${schema}` } : {});
    });
    after(async () => {
      await s.stop();
      if (store === 'postgres') await dropSchema(schema);
    });

    const families: Array<[string, (s: TestServer, c: Creds) => Api]> = [
      ['rds20140815 V3', (x, c) => rdsApi(x, c, false)],
      ['rds20140815 V1', (x, c) => rdsApi(x, c, true)],
      ['pop-core GET', (x, c) => popApi(x, c, 'GET')],
      ['pop-core POST', (x, c) => popApi(x, c, 'POST')],
      ['openapi-client form V3', (x, c) => formApi(x, c, false)],
      ['openapi-client form V1', (x, c) => formApi(x, c, true)],
    ];
    for (const [name, make] of families) {
      if (store === 'postgres' && name !== 'rds20140815 V3') continue;
      test(name, async () => {
        await lifecycle(s, make(s, s.credentials), make(s, s.other));
      });
    }
  });
}

async function dropSchema(schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
