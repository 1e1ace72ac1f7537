// Instance servers across the life of localrds: kill -9 of localrds and a restart keep every row and login
// (servers adopted, never a second one on a data directory), a clean stop leaves no server running,
// --max-instances answers InsufficientResourceCapacity, and API-only instances refuse connections with a reason.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { freePort, kill9, startChild, type Child } from './helpers/child-server.js';
import { create, login, publicEndpoint, PW, sdk, serverPids, type Family } from './helpers/engines.js';
import { startTestServer } from './helpers/localrds.js';

const CREDS = { accessKeyId: 'LTAI5tEnginesLifecycle01', accessKeySecret: 'enginesLifecycleSecret0123456789' };

describe('kill -9 of localrds, then a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'localrds-engines-crash-'));
  const a = randomInt(100, 200);
  const b = randomInt(0, 250);
  const args = ['--data-dir', dataDir, '--engines', 'auto', '--public-pool', `127.${a}.${b}.0/24`, '--private-pool', `127.${a - 60}.${b}.0/24`];
  const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: CREDS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: CREDS.accessKeySecret };
  let child: Child | undefined;
  after(async () => {
    if (child) await kill9(child);
    // Whatever a failed test left: stop it by pid, never by name.
    for (const pid of serverPids(dataDir)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('rows and logins survive; servers are adopted, not doubled; a clean stop stops them', async () => {
    child = await startChild(args, env, await freePort());
    let api = sdk({ endpoint: child.endpoint, credentials: CREDS });
    const setup: Array<{ family: Family; id: string; port: string }> = [];
    for (const family of ['MySQL', 'PostgreSQL'] as const) {
      const id = await create(api, family);
      const port = family === 'MySQL' ? '3306' : '5432';
      await api.call('CreateAccount', { DBInstanceId: id, accountName: 'app', accountPassword: PW });
      await api.call('CreateDatabase', { DBInstanceId: id, DBName: 'keep', characterSetName: family === 'MySQL' ? 'utf8mb4' : 'UTF8' });
      await api.call('GrantAccountPrivilege', { DBInstanceId: id, accountName: 'app', DBName: 'keep', accountPrivilege: family === 'MySQL' ? 'ReadWrite' : 'DBOwner' });
      const ep = await publicEndpoint(api, id, port);
      const s = await login(family, ep, 'app', PW, 'keep');
      await s.q('CREATE TABLE t (n int)');
      await s.q('INSERT INTO t VALUES (1), (2), (3)');
      await s.end();
      setup.push({ family, id, port });
    }
    const before = serverPids(dataDir).sort();
    assert.equal(before.length, 2);

    await kill9(child);
    // The servers outlive the killed localrds (they run detached, as their own user).
    assert.deepEqual(serverPids(dataDir).sort(), before);
    child = await startChild(args, env, await freePort());
    api = sdk({ endpoint: child.endpoint, credentials: CREDS });
    assert.deepEqual(serverPids(dataDir).sort(), before, 'adopted: the same processes, no second server');
    for (const { family, id } of setup) {
      const info = (await api.call('DescribeDBInstanceNetInfo', { DBInstanceId: id })).DBInstanceNetInfos.DBInstanceNetInfo as Array<Record<string, string>>;
      const pub = info.find((e) => e.IPType === 'Public') as Record<string, string>;
      const s = await login(family, { host: pub.IPAddress as string, port: Number(pub.Port) }, 'app', PW, 'keep');
      assert.equal((await s.q('SELECT n FROM t ORDER BY n')).length, 3, family);
      await s.end();
    }

    // The adopted server can still be restarted (it is not this localrds's child).
    await api.call('RestartDBInstance', { DBInstanceId: setup[1]?.id });
    assert.equal(serverPids(dataDir).length, 2);

    // A clean stop (SIGTERM) stops every server.
    const exited = new Promise((r) => child?.proc.once('exit', r));
    child.proc.kill('SIGTERM');
    await exited;
    child = undefined;
    assert.deepEqual(serverPids(dataDir), []);
  });
});

describe('shared --backend servers', () => {
  test('accounts and databases are applied to the shared server and leave it with their instance', async () => {
    const s = await startTestServer({ backends: { mysql: { host: '127.0.0.1', port: 3306 }, postgresql: { host: '127.0.0.1', port: 5432 } } });
    const tag = `${process.pid.toString(36)}${randomInt(1000, 9999)}`;
    try {
      assert.deepEqual(s.engines.availability().filter((x) => x.mode === 'shared').map((x) => x.engine).sort(), ['MySQL', 'PostgreSQL']);
      const api = sdk(s);
      for (const family of ['MySQL', 'PostgreSQL'] as const) {
        const id = await create(api, family);
        const user = `sh_${tag}`;
        const db = `shdb_${tag}`;
        await api.call('CreateAccount', { DBInstanceId: id, accountName: user, accountPassword: PW });
        await api.call('CreateDatabase', { DBInstanceId: id, DBName: db, characterSetName: family === 'MySQL' ? 'utf8mb4' : 'UTF8' });
        await api.call('GrantAccountPrivilege', { DBInstanceId: id, accountName: user, DBName: db, accountPrivilege: family === 'MySQL' ? 'ReadWrite' : 'DBOwner' });
        const ep = await publicEndpoint(api, id, family === 'MySQL' ? '3306' : '5432');
        const c = await login(family, ep, user, PW, db);
        await c.q('CREATE TABLE t (n int)');
        await c.q('INSERT INTO t VALUES (1)');
        await c.end();
        await api.call('DeleteDBInstance', { DBInstanceId: id });
        // Gone from the shared server with the instance; the server's own accounts and databases are untouched.
        if (family === 'MySQL') {
          const root = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
          const [users] = await root.query('SELECT User FROM mysql.user WHERE User = ?', [user]);
          const [dbs] = await root.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db]);
          const [rootLeft] = await root.query("SELECT User FROM mysql.user WHERE User = 'root'");
          await root.end();
          assert.deepEqual([users, dbs], [[], []]);
          assert.ok((rootLeft as unknown[]).length > 0);
        } else {
          const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
          await admin.connect();
          const roles = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
          const dbs = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
          await admin.end();
          assert.deepEqual([roles.rowCount, dbs.rowCount], [0, 0]);
        }
      }
    } finally {
      await s.stop();
    }
  });
});

describe('--max-instances and API-only mode', () => {
  test('past --max-instances CreateDBInstance answers InsufficientResourceCapacity (404)', async () => {
    const s = await startTestServer({ engines: 'auto', service: { maxInstances: 1 } });
    try {
      const api = sdk(s);
      const first = await create(api, 'MySQL');
      await assert.rejects(create(api, 'PostgreSQL'), (e: { code?: string; statusCode?: number; data?: Record<string, unknown> }) => {
        assert.equal(e.code, 'InsufficientResourceCapacity');
        assert.equal(e.statusCode, 404);
        assert.match(String(e.data?.RequestId), /^[0-9A-F-]{36}$/);
        return true;
      });
      await api.call('DeleteDBInstance', { DBInstanceId: first });
      await api.call('DeleteDBInstance', { DBInstanceId: await create(api, 'PostgreSQL') });
      assert.deepEqual(serverPids(s.dataDir), []);
    } finally {
      await s.stop();
    }
  });

  test('--engines none: instances are API-only and a client is told why, in its own protocol', async () => {
    const s = await startTestServer({ engines: 'none' });
    try {
      assert.deepEqual(s.engines.availability().map((x) => x.mode), ['none', 'none', 'none', 'none']);
      const api = sdk(s);
      const my = await create(api, 'MySQL');
      const pgId = await create(api, 'PostgreSQL');
      await api.call('CreateAccount', { DBInstanceId: my, accountName: 'app', accountPassword: PW });
      const myEp = await publicEndpoint(api, my, '3306');
      const pgEp = await publicEndpoint(api, pgId, '5432');
      await assert.rejects(mysql.createConnection({ host: myEp.host, port: myEp.port, user: 'app', password: PW }), /API-only/);
      const c = new pg.Client({ host: pgEp.host, port: pgEp.port, user: 'app', password: PW, database: 'postgres' });
      c.on('error', () => undefined);
      await assert.rejects(c.connect(), /API-only/);
      assert.deepEqual(serverPids(s.dataDir), []);
    } finally {
      await s.stop();
    }
  });
});
