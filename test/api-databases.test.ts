// Databases through the official SDK (@alicloud/rds20140815, V3) against a real localrds on the SQLite and the
// PostgreSQL store: CreateDatabase per engine's character sets (PostgreSQL charset,collate,ctype), DescribeDatabases
// with the accounts granted on each database and the fields Terraform reads, paging and filters, DeleteDatabase,
// ModifyDBDescription, and every error code they add.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InstanceId } from '../src/domain/types.js';
import { DEFAULT_ACCOUNT_ID } from '../src/runtime/accounts.js';
import { insideApi, type InsideApi } from './helpers/inside-api.js';
import { PG_URL, startTestServer, type TestServer } from './helpers/localrds.js';
import { dropSchema } from './store-fixtures/backends.js';
import { v1Get } from './helpers/sign.js';

const PW = 'Passw0rd!';

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`databases (${store} store)`, () => {
    let s: TestServer;
    let api: InsideApi;
    let mysqlId: string;
    let pgId: string;
    const schema = `lrds_dbs_${process.pid}_${Date.now()}`;
    before(async () => {
      s = await startTestServer(store === 'postgres' ? { db: `${PG_URL}?schema=${schema}` } : {});
      api = insideApi(s);
      mysqlId = await api.createInstance('MySQL');
      pgId = await api.createInstance('PostgreSQL');
    });
    after(async () => {
      await s.stop();
      if (store === 'postgres') await dropSchema(schema);
    });

    const databases = async (id: string, f: Record<string, unknown> = {}) =>
      (await api.call('DescribeDatabases', { DBInstanceId: id, ...f })).Databases.Database as Array<Record<string, any>>;

    test('MySQL: CreateDatabase and the DescribeDatabases entry Terraform reads (no wait needed)', async () => {
      const created = await api.call('CreateDatabase', { DBInstanceId: mysqlId, DBName: 'shop', characterSetName: 'UTF8MB4', DBDescription: 'orders and carts' });
      assert.deepEqual(Object.keys(created), ['RequestId']);
      assert.deepEqual(await databases(mysqlId, { DBName: 'shop' }), [{
        DBInstanceId: mysqlId, DBName: 'shop', DBStatus: 'Running', Engine: 'MySQL', CharacterSetName: 'utf8mb4',
        DBDescription: 'orders and carts', Accounts: { AccountPrivilegeInfo: [] },
      }]);
      for (const cs of ['utf8', 'gbk', 'Latin1']) await api.call('CreateDatabase', { DBInstanceId: mysqlId, DBName: `db-${cs.toLowerCase()}`, characterSetName: cs });
      const all = await databases(mysqlId);
      assert.deepEqual(all.map((d) => [d.DBName, d.CharacterSetName, d.DBDescription]),
        [['db-gbk', 'gbk', ''], ['db-latin1', 'latin1', ''], ['db-utf8', 'utf8', ''], ['shop', 'utf8mb4', 'orders and carts']], 'by name');
      // Paging (PageSize 0, the default, lists all), filters, an unknown name is an empty list.
      assert.deepEqual((await databases(mysqlId, { pageSize: 2, pageNumber: 2 })).map((d) => d.DBName), ['db-utf8', 'shop']);
      assert.deepEqual((await databases(mysqlId, { pageSize: 3, pageNumber: 2 })).map((d) => d.DBName), ['shop']);
      assert.deepEqual(await databases(mysqlId, { DBName: 'nodb' }), []);
      assert.equal((await databases(mysqlId, { DBStatus: 'Running' })).length, 4);
      assert.deepEqual(await databases(mysqlId, { DBStatus: 'Creating' }), []);
    });

    test('MySQL: name, character set and description rules', async () => {
      const create = (f: Record<string, unknown>) => api.fails('CreateDatabase', { DBInstanceId: mysqlId, DBName: 'okname', characterSetName: 'utf8', ...f });
      for (const name of ['1db', 'db_', 'd', 'Upper', 'a'.repeat(65), 'has space', 'db.x']) {
        assert.deepEqual(await create({ DBName: name }), ['InvalidDBName.Format', 400], name);
      }
      for (const name of ['mysql', 'information_schema', 'sys', 'localrds_meta']) {
        assert.deepEqual(await create({ DBName: name }), ['InvalidDBName.Forbid', 400], name);
      }
      assert.deepEqual(await create({ DBName: 'shop' }), ['InvalidDBName.Duplicate', 400]);
      for (const cs of ['utf16', 'UTF8,C,C', 'ascii']) assert.deepEqual(await create({ characterSetName: cs }), ['InvalidCharacterSetName.Format', 400], cs);
      for (const d of ['9lives', 'http://x.y', 'y']) assert.deepEqual(await create({ DBDescription: d }), ['InvalidDBDescription.Format', 400], d);
      assert.deepEqual(await api.fails('CreateDatabase', { DBInstanceId: mysqlId, DBName: 'nocs' }), ['MissingParameter', 400]);
      assert.deepEqual(await create({ DBInstanceId: 'rm-doesnotexist000000' }), ['InvalidDBInstanceId.NotFound', 400]);
      await api.call('CreateDatabase', { DBInstanceId: mysqlId, DBName: 'a'.repeat(64), characterSetName: 'utf8' });
      await api.call('DeleteDatabase', { DBInstanceId: mysqlId, DBName: 'a'.repeat(64) });
    });

    test('PostgreSQL: charset,collate,ctype with the documented defaults, and the PostgreSQL fields', async () => {
      await api.call('CreateDatabase', { DBInstanceId: pgId, DBName: 'pg_default_cs', characterSetName: 'utf8' });
      await api.call('CreateDatabase', { DBInstanceId: pgId, DBName: 'pg_full', characterSetName: 'UTF8,C.UTF-8,en_US.utf8' });
      await api.call('CreateDatabase', { DBInstanceId: pgId, DBName: 'pg_latin', characterSetName: 'LATIN1' });
      const [d1, d2, d3] = await databases(pgId); // by name: pg_default_cs, pg_full, pg_latin
      assert.deepEqual(d1, {
        DBInstanceId: pgId, DBName: 'pg_default_cs', DBStatus: 'Running', Engine: 'PostgreSQL', CharacterSetName: 'UTF8', DBDescription: '',
        Collate: 'C', Ctype: 'en_US.utf8', ConnLimit: '-1', Tablespace: 'pg_default', Accounts: { AccountPrivilegeInfo: [] },
      });
      assert.deepEqual([d2?.CharacterSetName, d2?.Collate, d2?.Ctype], ['UTF8', 'C.UTF-8', 'en_US.utf8']);
      assert.deepEqual([d3?.CharacterSetName, d3?.Collate, d3?.Ctype], ['LATIN1', 'C', 'C'], 'a non-UTF-8 encoding gets the C locale');
      for (const cs of ['LATIN1,C,en_US.utf8', 'WIN1999', 'UTF8,C,C,C', 'UTF8,de_DE;drop', 'utf8mb4']) {
        assert.deepEqual(await api.fails('CreateDatabase', { DBInstanceId: pgId, DBName: 'pg_bad', characterSetName: cs }), ['InvalidCharacterSetName.Format', 400], cs);
      }
      for (const name of ['postgres', 'template0', 'template1']) {
        assert.deepEqual(await api.fails('CreateDatabase', { DBInstanceId: pgId, DBName: name, characterSetName: 'UTF8' }), ['InvalidDBName.Forbid', 400], name);
      }
    });

    test('ModifyDBDescription and DeleteDatabase; deleting a database removes its grants', async () => {
      await api.call('ModifyDBDescription', { DBInstanceId: mysqlId, DBName: 'shop', DBDescription: '商店 data' });
      assert.equal((await databases(mysqlId, { DBName: 'shop' }))[0]?.DBDescription, '商店 data');
      assert.deepEqual(await api.fails('ModifyDBDescription', { DBInstanceId: mysqlId, DBName: 'shop', DBDescription: 'https://nope' }), ['InvalidDBDescription.Format', 400]);
      assert.deepEqual(await api.fails('ModifyDBDescription', { DBInstanceId: mysqlId, DBName: 'nodb', DBDescription: 'fine text' }), ['InvalidDBName.NotFound', 404]);

      await api.call('CreateAccount', { DBInstanceId: mysqlId, accountName: 'app', accountPassword: PW });
      await api.call('GrantAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'app', DBName: 'db-gbk,shop', accountPrivilege: 'DDLOnly,ReadWrite' });
      assert.deepEqual((await databases(mysqlId, { DBName: 'db-gbk' }))[0]?.Accounts.AccountPrivilegeInfo.map((a: any) => [a.Account, a.AccountPrivilege]), [['app', 'DDLOnly']]);
      await api.call('DeleteDatabase', { DBInstanceId: mysqlId, DBName: 'db-gbk' });
      assert.deepEqual(await databases(mysqlId, { DBName: 'db-gbk' }), []);
      const privs = (await api.call('DescribeAccounts', { DBInstanceId: mysqlId, accountName: 'app' })).Accounts.DBInstanceAccount[0].DatabasePrivileges.DatabasePrivilege;
      assert.deepEqual(privs.map((p: any) => p.DBName), ['shop']);
      // A retry after success is NotFound (Terraform counts that as deleted).
      assert.deepEqual(await api.fails('DeleteDatabase', { DBInstanceId: mysqlId, DBName: 'db-gbk' }), ['InvalidDBName.NotFound', 404]);
    });

    test('another tenant can neither see nor change the databases', async () => {
      const theirs = insideApi(s, s.other);
      for (const [action, f] of [
        ['DescribeDatabases', {}], ['CreateDatabase', { DBName: 'theirs', characterSetName: 'utf8' }], ['DeleteDatabase', { DBName: 'shop' }],
        ['ModifyDBDescription', { DBName: 'shop', DBDescription: 'taken over' }],
      ] as const) {
        // DescribeDatabases answers 404, the status the Terraform provider's database read counts as gone (docs/fidelity.md).
        assert.deepEqual(await theirs.fails(action, { DBInstanceId: mysqlId, ...f }), ['InvalidDBInstanceId.NotFound', action === 'DescribeDatabases' ? 404 : 400], action);
      }
      assert.equal((await databases(mysqlId, { DBName: 'shop' }))[0]?.DBDescription, '商店 data');
    });

    test('changes need a Running instance; reads do not', async () => {
      await s.store.tx((r) => r.instances.setStatus(DEFAULT_ACCOUNT_ID, mysqlId as InstanceId, 'DBInstanceNetTypeChanging', Date.now() + 3_600_000));
      try {
        for (const [action, f] of [
          ['CreateDatabase', { DBName: 'late', characterSetName: 'utf8' }], ['DeleteDatabase', { DBName: 'shop' }],
          ['ModifyDBDescription', { DBName: 'shop', DBDescription: 'later' }],
        ] as const) {
          assert.deepEqual(await api.fails(action, { DBInstanceId: mysqlId, ...f }), ['IncorrectDBInstanceState', 403], action);
        }
        assert.ok((await databases(mysqlId)).length > 0);
      } finally {
        await s.store.tx((r) => r.instances.setStatus(DEFAULT_ACCOUNT_ID, mysqlId as InstanceId, 'Running', 0));
      }
    });

    test('Format=XML: repeated <Database> and <AccountPrivilegeInfo> elements; XML errors', async () => {
      const ok = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDatabases', DBInstanceId: mysqlId }, { Format: 'XML' });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['content-type'], 'text/xml;charset=utf-8');
      assert.match(ok.text, /^<\?xml version="1.0" encoding="UTF-8"\?><DescribeDatabasesResponse><RequestId>[0-9A-F-]{36}<\/RequestId><Databases>(<Database>.*?<\/Database>){3}<\/Databases>/);
      assert.match(ok.text, /<DBName>shop<\/DBName>.*<Accounts><AccountPrivilegeInfo><Account>app<\/Account><AccountPrivilege>ReadWrite<\/AccountPrivilege>/);
      const accounts = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeAccounts', DBInstanceId: mysqlId }, { Format: 'XML' });
      assert.match(accounts.text, /<Accounts><DBInstanceAccount><DBInstanceId>rm-[a-z0-9]+<\/DBInstanceId><AccountName>app<\/AccountName>/);
      const err = await v1Get(s.endpoint, s.credentials, { Action: 'DeleteDatabase', DBInstanceId: mysqlId, DBName: 'nodb' }, { Format: 'XML' });
      assert.equal(err.status, 404);
      assert.match(err.text, /<Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>rds.aliyuncs.com<\/HostId><Code>InvalidDBName.NotFound<\/Code>/);
    });

    test('SqlExcutionFailed past 500 databases', async () => {
      const id = await api.createInstance('MariaDB');
      await s.store.tx(async (r) => {
        for (let i = 0; i < 500; i++) {
          await r.databases.insert({ accountId: DEFAULT_ACCOUNT_ID, instanceId: id as InstanceId, name: `d${i}x`, charset: 'utf8', collate: '', ctype: '', description: '', createdAt: '2026-01-01T00:00:00Z' });
        }
      });
      assert.deepEqual(await api.fails('CreateDatabase', { DBInstanceId: id, DBName: 'one_more', characterSetName: 'utf8' }), ['SqlExcutionFailed', 400]);
      assert.equal((await databases(id)).length, 500);
    });
  });
}
