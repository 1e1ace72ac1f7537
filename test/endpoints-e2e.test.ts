// Real endpoints through the official SDK: every connection string is a live listener in front of the real
// MariaDB / PostgreSQL on this machine, guarded by the whitelist; Release shuts the door before it answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { rdsClient, req } from './helpers/clients.js';
import { freePort, kill9, startChild } from './helpers/child-server.js';
import { randomPools, startTestServer, type TestServer } from './helpers/localrds.js';
import { connectOutcome } from './helpers/ports.js';
import { socketCounts } from './helpers/socket-counts.js';

const BACKENDS = { mysql: { host: '127.0.0.1', port: 3306 }, mariadb: { host: '127.0.0.1', port: 3306 }, postgresql: { host: '127.0.0.1', port: 5432 } };
const MYSQL_CREATE = { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' };

type NetEntry = { connectionString: string; IPAddress: string; IPType: string; port: string };

function api(s: { endpoint: string; credentials: { accessKeyId: string; accessKeySecret: string } }) {
  const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
  return {
    create: async (over: Record<string, unknown> = {}) => (await c.createDBInstance(req('CreateDBInstance', { ...MYSQL_CREATE, ...over }))).body.DBInstanceId as string,
    allocate: async (id: string, prefix: string, port = '3306') => (await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: prefix, port }))).body.connectionString as string,
    release: async (id: string, cs: string) => c.releaseInstancePublicConnection(req('ReleaseInstancePublicConnection', { DBInstanceId: id, currentConnectionString: cs })),
    net: async (id: string) => (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo as NetEntry[],
    whitelist: async (id: string, ips: string) => c.modifySecurityIps(req('ModifySecurityIps', { DBInstanceId: id, securityIps: ips })),
    remove: async (id: string) => c.deleteDBInstance(req('DeleteDBInstance', { DBInstanceId: id })),
  };
}

/** 'greeting' when the backend's first bytes arrive (MySQL speaks first), 'closed' when the proxy hangs up. */
function mysqlGreeting(host: string, port: number, localAddress: string): Promise<'greeting' | 'closed'> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, localAddress });
    const timer = setTimeout(() => { s.destroy(); resolve('closed'); }, 3000);
    s.once('data', () => { clearTimeout(timer); s.destroy(); resolve('greeting'); });
    s.once('close', () => { clearTimeout(timer); resolve('closed'); });
    s.once('error', () => undefined);
  });
}

const mysqlAt = (e: NetEntry) => mysql.createConnection({ host: e.IPAddress, port: Number(e.port), user: 'root', database: 'test' });

describe('real endpoints (MariaDB and PostgreSQL backends)', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer({ backends: BACKENDS, dnsPort: 0 }); });
  after(async () => { await s.stop(); });

  test('a query through the public and the internal endpoint reaches MariaDB', async () => {
    const a = api(s);
    const id = await a.create();
    await a.allocate(id, `mypub${Date.now().toString(36)}`);
    const entries = await a.net(id);
    for (const e of entries) {
      const conn = await mysqlAt(e);
      const [rows] = await conn.query('SELECT 1+1 AS two, @@version AS v');
      assert.equal((rows as Array<{ two: number }>)[0]?.two, 2, e.IPType);
      await conn.end();
    }
  });

  test('PostgreSQL through its public endpoint', async () => {
    const a = api(s);
    const id = await a.create({ engine: 'PostgreSQL', engineVersion: '16.0' });
    await a.allocate(id, `pgpub${Date.now().toString(36)}`, '5432');
    const pub = (await a.net(id)).find((e) => e.IPType === 'Public') as NetEntry;
    assert.match(pub.connectionString, /\.pgsql\.rds\.aliyuncs\.com$/);
    const client = new pg.Client({ host: pub.IPAddress, port: Number(pub.port), user: 'postgres', database: 'test' });
    await client.connect();
    assert.equal((await client.query('SELECT 40 + 2 AS n')).rows[0].n, 42);
    await client.end();
  });

  test('Release closes the door before it answers; the internal endpoint is untouched', async () => {
    const a = api(s);
    const id = await a.create();
    const cs = await a.allocate(id, `rel${Date.now().toString(36)}`);
    const entries = await a.net(id);
    const pub = entries.find((e) => e.IPType === 'Public') as NetEntry;
    const priv = entries.find((e) => e.IPType === 'Private') as NetEntry;
    const publicSession = await mysqlAt(pub);
    const privateSession = await mysqlAt(priv);
    let publicClosed = false;
    publicSession.on('error', () => { publicClosed = true; });
    (publicSession as unknown as { connection: { stream: net.Socket } }).connection.stream.once('close', () => { publicClosed = true; });
    await publicSession.query('SELECT 1');

    const sessionsBefore = s.dataplane.live([id]).find((e) => e.ipType === 'Public')?.openSessions;
    assert.equal(sessionsBefore, 1);
    await a.release(id, cs);
    // By the time the call returned the server had closed the session through the public address (the
    // data plane holds none), and the client sees the close as soon as it reads its socket.
    assert.deepEqual(s.dataplane.live([id]).map((e) => [e.ipType, e.openSessions]), [['Private', 1]]);
    const t0 = Date.now();
    while (!publicClosed && Date.now() - t0 < 200) await new Promise((r) => setTimeout(r, 1));
    assert.equal(publicClosed, true, 'public session closed');
    await assert.rejects(publicSession.query('SELECT 1'));
    // ...new connections are refused at once...
    assert.equal(await connectOutcome(pub.IPAddress, Number(pub.port)), 'ECONNREFUSED');
    // ...and the internal endpoint keeps serving its session.
    const [rows] = await privateSession.query('SELECT 3 AS three');
    assert.equal((rows as Array<{ three: number }>)[0]?.three, 3);
    await privateSession.end();
    publicSession.destroy();
    assert.deepEqual((await a.net(id)).map((e) => e.IPType), ['Private']);
  });

  test('the whitelist admits only its sources, before and after ModifySecurityIps', async () => {
    const a = api(s);
    const id = await a.create({ securityIPList: '127.201.0.0/24' });
    const priv = (await a.net(id))[0] as NetEntry;
    assert.equal(await mysqlGreeting(priv.IPAddress, Number(priv.port), '127.201.0.9'), 'greeting');
    assert.equal(await mysqlGreeting(priv.IPAddress, Number(priv.port), '127.202.0.9'), 'closed');
    await a.whitelist(id, '127.202.0.9');
    assert.equal(await mysqlGreeting(priv.IPAddress, Number(priv.port), '127.202.0.9'), 'greeting');
    assert.equal(await mysqlGreeting(priv.IPAddress, Number(priv.port), '127.201.0.9'), 'closed');
    await a.whitelist(id, '127.0.0.1');
    assert.equal(await mysqlGreeting(priv.IPAddress, Number(priv.port), '127.0.0.1'), 'closed', 'the default 127.0.0.1 admits no one');
    await a.whitelist(id, '0.0.0.0/0');
    assert.equal(await mysqlGreeting(priv.IPAddress, Number(priv.port), '127.203.1.1'), 'greeting');
  });

  test('ModifyDBInstanceConnectionString moves the listener to its new port', async () => {
    const a = api(s);
    const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
    const id = await a.create();
    const cs = await a.allocate(id, `mov${Date.now().toString(36)}`);
    const before = (await a.net(id)).find((e) => e.IPType === 'Public') as NetEntry;
    await c.modifyDBInstanceConnectionString(req('ModifyDBInstanceConnectionString', { DBInstanceId: id, currentConnectionString: cs, connectionStringPrefix: `moved${Date.now().toString(36)}`, port: '3999' }));
    const after = (await a.net(id)).find((e) => e.IPType === 'Public') as NetEntry;
    assert.equal(after.port, '3999');
    assert.equal(after.IPAddress, before.IPAddress, 'the address is kept');
    assert.equal(await connectOutcome(before.IPAddress, Number(before.port)), 'ECONNREFUSED');
    const conn = await mysqlAt(after);
    await conn.query('SELECT 1');
    await conn.end();
  });

  test('DNS resolves a connection string to its address, and NXDOMAIN after Release', async () => {
    const a = api(s);
    const id = await a.create();
    const cs = await a.allocate(id, `dns${Date.now().toString(36)}`);
    const pub = (await a.net(id)).find((e) => e.IPType === 'Public') as NetEntry;
    const r = new Resolver();
    r.setServers([`127.0.0.1:${s.dnsPort}`]);
    assert.deepEqual(await r.resolve4(cs), [pub.IPAddress]);
    await a.release(id, cs);
    await assert.rejects(r.resolve4(cs), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
  });

  test('an address something else holds is skipped: the instance gets the next one and is Running at once', async () => {
    const a = api(s);
    // The next internal address is the lowest free one of the private pool; occupy it on the MySQL port first.
    const probe = await a.create();
    const probeAddr = (await a.net(probe))[0]?.IPAddress as string;
    await a.remove(probe);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(3306, probeAddr, () => r()));
    try {
      const id = await a.create();
      const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
      const attr = (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0];
      assert.equal(attr.DBInstanceStatus, 'Running', 'no wait on a bind that cannot succeed');
      const ep = await s.store.read((r) => r.endpoints.listByInstanceIds([id]));
      assert.notEqual(ep[0]?.address, probeAddr);
      assert.equal(ep[0]?.bindError, '');
      assert.ok((await s.store.read((r) => r.addresses.listSkipped('private', Date.now()))).some((k) => k.address === probeAddr), 'the skip is recorded');
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  test('200 Allocate/Release cycles leave no listener, socket or address behind', async () => {
    const a = api(s);
    const id = await a.create();
    const before = socketCounts(s.dataplane.stats());
    const heldBefore = await s.store.read((r) => r.addresses.countHeld('public'));
    let last: NetEntry | undefined;
    for (let i = 0; i < 200; i++) {
      const cs = await a.allocate(id, `cycle${i}x${Date.now().toString(36)}`);
      last = (await a.net(id)).find((e) => e.IPType === 'Public');
      const conn = await mysqlAt(last as NetEntry);
      conn.on('error', () => undefined);
      await a.release(id, cs);
      conn.destroy();
    }
    const after = socketCounts(s.dataplane.stats());
    assert.deepEqual(after, before, 'listeners, sessions and backend sockets back where they were');
    assert.equal(await s.store.read((r) => r.addresses.countHeld('public')), heldBefore);
    assert.equal(await connectOutcome(last?.IPAddress ?? '', Number(last?.port)), 'ECONNREFUSED');
  });
});

test('kill -9 and restart bring back exactly the endpoints NetInfo lists, on the same addresses and ports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-kill-'));
  const pools = randomPools();
  const port = await freePort();
  const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'killTestKey0001', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'killTestSecret0001' };
  const args = ['--data-dir', dir, '--backend', 'mysql=127.0.0.1:3306', '--public-pool', pools.publicPool.text, '--private-pool', pools.privatePool.text, '--quarantine-ms', '0'];
  const creds = { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
  let child = await startChild(args, env, port);
  try {
    const a = api({ endpoint: child.endpoint, credentials: creds });
    const ids = [await a.create(), await a.create(), await a.create()];
    const kept = await a.allocate(ids[0] as string, `keep${Date.now().toString(36)}`);
    const gone = await a.allocate(ids[1] as string, `gone${Date.now().toString(36)}`);
    const goneEntry = (await a.net(ids[1] as string)).find((e) => e.IPType === 'Public') as NetEntry;
    await a.release(ids[1] as string, gone);
    await a.remove(ids[2] as string);
    const listed = (await Promise.all(ids.slice(0, 2).map((i) => a.net(i)))).flat();
    assert.equal(listed.length, 3);
    assert.ok(listed.some((e) => e.connectionString === kept));

    await kill9(child);
    for (const e of listed) assert.equal(await connectOutcome(e.IPAddress, Number(e.port)), 'ECONNREFUSED', 'dead server listens nowhere');
    child = await startChild(args, env, port);
    const b = api({ endpoint: child.endpoint, credentials: creds });
    const relisted = (await Promise.all(ids.slice(0, 2).map((i) => b.net(i)))).flat();
    assert.deepEqual(relisted, listed, 'same endpoints, addresses and ports');
    for (const e of relisted) {
      const conn = await mysqlAt(e);
      await conn.query('SELECT 1');
      await conn.end();
    }
    assert.equal(await connectOutcome(goneEntry.IPAddress, Number(goneEntry.port)), 'ECONNREFUSED', 'released endpoint stays closed');
  } finally {
    await kill9(child);
    rmSync(dir, { recursive: true, force: true });
  }
});
