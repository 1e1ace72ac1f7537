// Issue 9 end to end: every instance is a real server (embedded PostgreSQL, the machine's MariaDB) that
// localrds runs; accounts, databases and grants made through the official SDK are really there, and clients
// (mysql2, pg) log in through the public endpoint with nothing but what the API returned.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pidAlive } from '../src/engines/process/server-process.js';
import { create, login, publicEndpoint, PW, PW2, sdk, serverPids, type Api, type Family } from './helpers/engines.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { connectOutcome } from './helpers/ports.js';

const REFUSED = { MySQL: /Access denied/, PostgreSQL: /password authentication failed|permission denied|does not exist/ };

describe('instance servers end to end (official SDK, real servers, public endpoints)', () => {
  let s: TestServer;
  let api: Api;
  before(async () => {
    s = await startTestServer({ engines: 'auto' });
    api = sdk(s);
  });
  after(async () => {
    await s.stop();
    assert.deepEqual(serverPids(s.dataDir), [], 'no instance server outlives localrds');
  });

  for (const family of ['MySQL', 'PostgreSQL'] as const) {
    const port = family === 'MySQL' ? '3306' : '5432';
    test(`${family}: accounts, databases and grants are real on the instance's own server`, async () => {
      const id = await create(api, family);
      const other = await create(api, family);
      const ep = await publicEndpoint(api, id, port);
      const otherEp = await publicEndpoint(api, other, port);

      await api.call('CreateAccount', { DBInstanceId: id, accountName: 'boss', accountPassword: PW, accountType: 'Super' });
      await api.call('CreateAccount', { DBInstanceId: id, accountName: 'app', accountPassword: PW });
      const charset = family === 'MySQL' ? 'utf8mb4' : 'UTF8';
      await api.call('CreateDatabase', { DBInstanceId: id, DBName: 'shop', characterSetName: charset });
      await api.call('CreateDatabase', { DBInstanceId: id, DBName: 'vault', characterSetName: charset });
      await api.call('GrantAccountPrivilege', { DBInstanceId: id, accountName: 'app', DBName: 'shop', accountPrivilege: family === 'MySQL' ? 'ReadWrite' : 'DBOwner' });

      // The Normal account creates a table and inserts rows in its database.
      const app = await login(family, ep, 'app', PW, 'shop');
      await app.q('CREATE TABLE orders (id int primary key, item varchar(20))');
      await app.q("INSERT INTO orders VALUES (1, 'tea'), (2, 'rice')");
      assert.equal((await app.q('SELECT count(*) AS n FROM orders')).length, 1);
      // ... and is refused by the server on the database it was not granted.
      if (family === 'MySQL') {
        await assert.rejects(login(family, ep, 'app', PW, 'vault'), /Access denied/);
        await assert.rejects(app.q('CREATE TABLE vault.t (id int)'), /denied/);
      } else {
        const inVault = await login(family, ep, 'app', PW, 'vault');
        await assert.rejects(inVault.q('CREATE TABLE t (id int)'), /permission denied/);
        await inVault.end();
      }
      await app.end();

      // ReadOnly: INSERT refused (PostgreSQL grants only DBOwner: an ungranted account is refused the same way).
      await api.call('CreateAccount', { DBInstanceId: id, accountName: 'reader', accountPassword: PW });
      if (family === 'MySQL') await api.call('GrantAccountPrivilege', { DBInstanceId: id, accountName: 'reader', DBName: 'shop', accountPrivilege: 'ReadOnly' });
      const reader = await login(family, ep, 'reader', PW, 'shop');
      if (family === 'MySQL') assert.equal((await reader.q('SELECT id FROM orders')).length, 2);
      await assert.rejects(reader.q("INSERT INTO orders VALUES (3, 'salt')"), /denied/);
      await reader.end();

      // Wrong password; an account of one instance on another instance.
      await assert.rejects(login(family, ep, 'app', 'not-the-password', 'shop'), REFUSED[family]);
      await assert.rejects(login(family, otherEp, 'app', PW, 'shop'), REFUSED[family]);
      await assert.rejects(login(family, otherEp, 'boss', PW), REFUSED[family]);

      // Describe* show exactly what the server has.
      const accounts = (await api.call('DescribeAccounts', { DBInstanceId: id })).Accounts.DBInstanceAccount as Array<Record<string, any>>;
      assert.deepEqual(accounts.map((a) => [a.AccountName, a.AccountType]).sort(), [['app', 'Normal'], ['boss', 'Super'], ['reader', 'Normal']]);
      const boss = await login(family, ep, 'boss', PW);
      const serverAccounts = family === 'MySQL'
        ? (await boss.q("SELECT User AS n FROM mysql.user WHERE Host = '%' ORDER BY User")).map((r: any) => r.n)
        : (await boss.q("SELECT rolname AS n FROM pg_roles WHERE rolname !~ '^pg_' AND rolname NOT IN ('localrds_admin') ORDER BY rolname")).map((r: any) => r.n);
      assert.deepEqual(serverAccounts, accounts.map((a) => a.AccountName).sort());
      const dbs = (await api.call('DescribeDatabases', { DBInstanceId: id })).Databases.Database as Array<Record<string, any>>;
      const serverDbs = family === 'MySQL'
        ? (await boss.q("SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('mysql','information_schema','performance_schema','sys') ORDER BY 1")).map((r: any) => r.n)
        : (await boss.q("SELECT datname AS n FROM pg_database WHERE datname NOT IN ('postgres','template0','template1') ORDER BY 1")).map((r: any) => r.n);
      assert.deepEqual(serverDbs, dbs.map((d) => d.DBName).sort());
      const shop = dbs.find((d) => d.DBName === 'shop');
      assert.deepEqual(shop?.Accounts.AccountPrivilegeInfo.map((p: any) => [p.Account, p.AccountPrivilege]).sort(),
        family === 'MySQL' ? [['app', 'ReadWrite'], ['reader', 'ReadOnly']] : [['app', 'DBOwner']]);
      if (family === 'PostgreSQL') {
        assert.deepEqual(await boss.q("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'boss'"), [{ rolsuper: false, rolcreatedb: true, rolcreaterole: true }]);
        assert.deepEqual(await boss.q("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'shop'"), [{ owner: 'app' }]);
      }
      await boss.end();

      // ResetAccountPassword: the old password is refused, the new one works. DeleteAccount: login refused.
      await api.call('ResetAccountPassword', { DBInstanceId: id, accountName: 'app', accountPassword: PW2 });
      await assert.rejects(login(family, ep, 'app', PW, 'shop'), REFUSED[family]);
      const again = await login(family, ep, 'app', PW2, 'shop');
      await again.end();
      await api.call('DeleteAccount', { DBInstanceId: id, accountName: 'reader' });
      await assert.rejects(login(family, ep, 'reader', PW, 'shop'), REFUSED[family]);

      // RestartDBInstance cuts sessions and keeps data.
      const open = await login(family, ep, 'app', PW2, 'shop');
      await api.call('RestartDBInstance', { DBInstanceId: id });
      assert.equal(await open.dead(), true, 'the open session was cut');
      await open.end();
      const after = await login(family, ep, 'app', PW2, 'shop');
      assert.equal((await after.q('SELECT id FROM orders')).length, 2);
      await after.end();

      // DeleteDBInstance leaves no process, directory or listener behind.
      const pidsBefore = serverPids(s.dataDir).length;
      const pid = s.engines.servers().find((x) => x.instanceId === id)?.pid as number;
      assert.ok(pidAlive(pid));
      await api.call('DeleteDBInstance', { DBInstanceId: id });
      await api.call('DeleteDBInstance', { DBInstanceId: other });
      assert.equal(pidAlive(pid), false);
      assert.equal(serverPids(s.dataDir).length, pidsBefore - 2);
      assert.equal(existsSync(join(s.dataDir, 'engines', 'instances', id)), false);
      assert.equal(existsSync(join(s.dataDir, 'engines', 'instances', other)), false);
      assert.equal(await connectOutcome(ep.host, ep.port), 'ECONNREFUSED');
      assert.equal(s.engines.servers().some((x) => x.instanceId === id || x.instanceId === other), false);
    });
  }

  test('20 instances (10 of each engine) created at once all reach Running, and deleting them leaves nothing', async () => {
    const engines: Family[] = [...Array(10).fill('MySQL'), ...Array(10).fill('PostgreSQL')];
    const ids = await Promise.all(engines.map((e) => create(api, e)));
    assert.equal(new Set(ids).size, 20);
    assert.equal(serverPids(s.dataDir).length >= 20, true);
    for (const id of ids) assert.equal(s.engines.ready(id), true);
    await Promise.all(ids.map((id) => api.call('DeleteDBInstance', { DBInstanceId: id })));
    assert.deepEqual(serverPids(s.dataDir), []);
    assert.deepEqual(readdirSync(join(s.dataDir, 'engines', 'instances')), []);
    assert.equal(s.dataplane.stats().listeners, 0);
  });
});
