// The account and database API in front of real instance servers (engines 'auto'): what the API stored is what
// the server does. PostgreSQL only (embedded build), one instance: the documented default ctype en_US.utf8 is
// missing on this machine, so CreateDatabase must still answer 200 with a database on the server; the DBOwner
// logs in through the endpoint and owns it; a locked account is refused by the server, an unlocked one admitted;
// a reset password replaces the old one. The engines' own suite covers the engine side in depth.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { insideApi, type InsideApi } from './helpers/inside-api.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';

let s: TestServer;
let api: InsideApi;
let endpoint: { host: string; port: number };
let id: string;

before(async () => {
  s = await startTestServer({ engines: 'auto' });
  api = insideApi(s, s.credentials, { readTimeoutMs: 120_000 });
  id = await api.createInstance('PostgreSQL');
  const ep = (await api.call('DescribeDBInstanceNetInfo', { DBInstanceId: id })).DBInstanceNetInfos.DBInstanceNetInfo[0];
  endpoint = { host: ep.IPAddress, port: Number(ep.Port) };
});
after(async () => {
  if (id) await api.call('DeleteDBInstance', { DBInstanceId: id }).catch(() => undefined);
  await s?.stop();
});

async function login(user: string, password: string, database = 'postgres'): Promise<string | Record<string, string>> {
  const c = new pg.Client({ ...endpoint, user, password, database, connectionTimeoutMillis: 10_000 });
  try {
    await c.connect();
    const r = await c.query("SELECT current_user AS u, current_database() AS d, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()");
    return r.rows[0] as Record<string, string>;
  } catch (e) {
    return String((e as { code?: string }).code);
  } finally {
    await c.end().catch(() => undefined);
  }
}

test('PostgreSQL: default charset, DBOwner login, lock and unlock, password reset, through the endpoint', { timeout: 180_000 }, async () => {
  await api.call('CreateAccount', { DBInstanceId: id, accountName: 'owner1', accountPassword: 'Passw0rd!', accountType: 'Super' });
  await api.call('CreateAccount', { DBInstanceId: id, accountName: 'app', accountPassword: 'Passw0rd!' });
  await api.call('CreateDatabase', { DBInstanceId: id, DBName: 'shop', characterSetName: 'UTF8' });
  await api.call('GrantAccountPrivilege', { DBInstanceId: id, accountName: 'app', DBName: 'shop', accountPrivilege: 'DBOwner' });
  const db = (await api.call('DescribeDatabases', { DBInstanceId: id, DBName: 'shop' })).Databases.Database[0];
  assert.deepEqual([db.CharacterSetName, db.Collate, db.Ctype], ['UTF8', 'C', 'en_US.utf8'], 'the API echoes what was asked');

  assert.deepEqual(await login('app', 'Passw0rd!', 'shop'), { u: 'app', d: 'shop', owner: 'app' });
  assert.equal(await login('app', 'wrong-Passw0rd'), '28P01');

  await api.call('LockAccount', { DBInstanceId: id, accountName: 'owner1' });
  assert.equal(await login('owner1', 'Passw0rd!'), '28000', 'a locked role may not log in');
  await api.call('UnlockAccount', { DBInstanceId: id, accountName: 'owner1' });
  assert.equal((await login('owner1', 'Passw0rd!') as Record<string, string>).u, 'owner1');

  await api.call('ResetAccountPassword', { DBInstanceId: id, accountName: 'app', accountPassword: 'N3wPassword' });
  assert.equal(await login('app', 'Passw0rd!', 'shop'), '28P01');
  assert.equal((await login('app', 'N3wPassword', 'shop') as Record<string, string>).u, 'app');
});
