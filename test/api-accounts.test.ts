// Database accounts and grants through the official SDK (@alicloud/rds20140815, V3) against a real localrds on
// the SQLite and the PostgreSQL store: every operation's success shape (the fields and JSON types Terraform reads),
// every error code the account operations add, the engine-dependent rules, instance state, and tenant isolation.
// API and store only: no engine runs here (the engines' end-to-end tests log in through real servers).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mysqlNativeHash, parseScramVerifier, scramCheckProof } from '../src/domain/password-verifiers.js';
import type { AccountId, InstanceId } from '../src/domain/types.js';
import { scramClientProof } from './helpers/scram-client.js';
import { insideApi, type InsideApi } from './helpers/inside-api.js';
import { createKey, DEFAULT_ACCOUNT_ID } from '../src/runtime/accounts.js';
import { PG_URL, startTestServer, type TestServer } from './helpers/localrds.js';
import { dropSchema } from './store-fixtures/backends.js';

const PW = 'Passw0rd!';
const PW2 = 'N3wPassword';

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`database accounts (${store} store)`, () => {
    let s: TestServer;
    let api: InsideApi;
    let theirs: InsideApi;
    let mysqlId: string;
    let pgId: string;
    const schema = `lrds_acc_${process.pid}_${Date.now()}`;
    before(async () => {
      s = await startTestServer(store === 'postgres' ? { db: `${PG_URL}?schema=${schema}` } : {});
      api = insideApi(s);
      theirs = insideApi(s, s.other);
      mysqlId = await api.createInstance('MySQL');
      pgId = await api.createInstance('PostgreSQL');
    });
    after(async () => {
      await s.stop();
      if (store === 'postgres') await dropSchema(schema);
    });

    const accounts = async (id: string, name?: string) =>
      (await api.call('DescribeAccounts', { DBInstanceId: id, ...(name ? { accountName: name } : {}) })).Accounts.DBInstanceAccount as Array<Record<string, any>>;
    const stored = (id: string, name: string) => s.store.read((r) => r.dbAccounts.get(DEFAULT_ACCOUNT_ID, id as InstanceId, name));

    test('MySQL: Super and Normal accounts, DescribeAccounts shape as Terraform reads it', async () => {
      const created = await api.call('CreateAccount', { DBInstanceId: mysqlId, accountName: 'Admin_1', accountPassword: PW, accountType: 'Super', accountDescription: 'the admin' });
      assert.match(created.RequestId, /^[0-9A-F-]{36}$/);
      assert.deepEqual(Object.keys(created), ['RequestId']);
      await api.call('CreateAccount', { DBInstanceId: mysqlId, accountName: 'app', accountPassword: PW });

      const body = await api.call('DescribeAccounts', { DBInstanceId: mysqlId });
      assert.equal(body.TotalRecordCount, 2);
      assert.equal(body.PageNumber, 1);
      assert.deepEqual(body.Accounts.DBInstanceAccount, [
        {
          DBInstanceId: mysqlId, AccountName: 'Admin_1', AccountType: 'Super', AccountStatus: 'Available', AccountDescription: 'the admin',
          PrivExceeded: '0', DatabasePrivileges: { DatabasePrivilege: [] },
        },
        {
          DBInstanceId: mysqlId, AccountName: 'app', AccountType: 'Normal', AccountStatus: 'Available', AccountDescription: '',
          PrivExceeded: '0', DatabasePrivileges: { DatabasePrivilege: [] },
        },
      ]);
      // Terraform reads [0] of a by-name lookup; an unknown name is an empty list, not an error.
      assert.deepEqual((await accounts(mysqlId, 'app')).map((a) => a.AccountName), ['app']);
      assert.deepEqual(await accounts(mysqlId, 'nobody'), []);
      const page2 = await api.call('DescribeAccounts', { DBInstanceId: mysqlId, pageSize: 1, pageNumber: 2 });
      assert.deepEqual([page2.PageNumber, page2.TotalRecordCount, page2.Accounts.DBInstanceAccount.map((a: any) => a.AccountName)], [2, 2, ['app']]);
    });

    test('the store keeps the verifier, never the password', async () => {
      const row = await s.store.read((r) => r.dbAccounts.list(DEFAULT_ACCOUNT_ID, mysqlId as InstanceId));
      const app = row.find((a) => a.name === 'app');
      assert.equal(app?.mysqlHash, mysqlNativeHash(PW));
      assert.equal(app?.scramVerifier, '');
      assert.ok(!JSON.stringify(row).includes(PW));
    });

    test('MySQL name, password and description rules', async () => {
      const create = (fields: Record<string, unknown>) => api.fails('CreateAccount', { DBInstanceId: mysqlId, accountPassword: PW, ...fields });
      for (const name of ['1abc', 'ab_', 'a', 'a'.repeat(33), 'bad-name', 'naïve']) {
        assert.deepEqual(await create({ accountName: name }), ['InvalidAccountName.Format', 400], name);
      }
      for (const name of ['root', 'Admin', 'localrds_admin', 'information_schema']) {
        assert.deepEqual(await create({ accountName: name }), ['InvalidAccountName.Forbid', 400], name);
      }
      assert.deepEqual(await create({ accountName: 'app' }), ['InvalidAccountName.Duplicate', 400]);
      // A standard account may not differ from the privileged one only by case; another case of a standard one is fine.
      assert.deepEqual(await create({ accountName: 'admin_1' }), ['InvalidAccountName.Duplicate', 400]);
      assert.deepEqual(await create({ accountName: 'Boss', accountType: 'Super' }), ['IncorrectAccountType', 403]);
      for (const pw of ['Ab1!', 'abcdefgh1', 'ABCDEFGH!', 'Abcdefgh 1', 'Abcdefgh1?', `Ab1!${'x'.repeat(29)}`]) {
        assert.deepEqual(await create({ accountName: 'pwtest', accountPassword: pw }), ['InvalidAccountPassword.Format', 400], pw);
      }
      for (const d of ['1st', 'x', 'http://example.com', 'https://x', 'a'.repeat(257)]) {
        assert.deepEqual(await create({ accountName: 'desctest', accountDescription: d }), ['InvalidAccountDescription.Format', 400], d);
      }
      assert.deepEqual(await create({ accountName: 'sysadm', accountType: 'Sysadmin' }), ['InvalidEngineVersion.NotSupported', 400]);
      assert.deepEqual(await create({ accountName: 'polic', checkPolicy: true }), ['UnsupportedParameter', 400]);
      assert.deepEqual(await create({ accountName: 'typo', accountType: 'Root' }), ['InvalidParameter', 400]);
      assert.deepEqual(await api.fails('CreateAccount', { DBInstanceId: mysqlId, accountName: 'nopw' }), ['MissingParameter', 400]);
      assert.deepEqual(await create({ DBInstanceId: 'rm-doesnotexist000000', accountName: 'x1' }), ['InvalidDBInstanceId.NotFound', 400]);
      // Passwords with every kind of special and 32 characters are fine; uppercase names are MySQL-only.
      await api.call('CreateAccount', { DBInstanceId: mysqlId, accountName: 'Ok_User9', accountPassword: `Aa1!@#$%^&*()_+-=${'z'.repeat(15)}` });
      assert.equal((await accounts(mysqlId, 'Ok_User9')).length, 1);
      await api.call('DeleteAccount', { DBInstanceId: mysqlId, accountName: 'Ok_User9' });
    });

    test('MySQL 5.6 and MariaDB names: 2 to 16 characters; MariaDB lowercase only', async () => {
      const m56 = await api.createInstance('MySQL', { engineVersion: '5.6' });
      const maria = await api.createInstance('MariaDB');
      assert.deepEqual(await api.fails('CreateAccount', { DBInstanceId: m56, accountName: 'a'.repeat(17), accountPassword: PW }), ['InvalidAccountName.Format', 400]);
      await api.call('CreateAccount', { DBInstanceId: m56, accountName: 'a'.repeat(16), accountPassword: PW });
      assert.deepEqual(await api.fails('CreateAccount', { DBInstanceId: maria, accountName: 'Upper', accountPassword: PW }), ['InvalidAccountName.Format', 400]);
      await api.call('CreateAccount', { DBInstanceId: maria, accountName: 'lower_1', accountPassword: PW, accountType: 'Super' });
      assert.equal((await accounts(maria))[0]?.AccountType, 'Super');
    });

    test('ModifyAccountDescription, ResetAccountPassword, ResetAccount', async () => {
      await api.call('ModifyAccountDescription', { DBInstanceId: mysqlId, accountName: 'app', accountDescription: '应用 account' });
      assert.equal((await accounts(mysqlId, 'app'))[0]?.AccountDescription, '应用 account');
      assert.deepEqual(await api.fails('ModifyAccountDescription', { DBInstanceId: mysqlId, accountName: 'app', accountDescription: '_x' }), ['InvalidAccountDescription.Format', 400]);
      assert.deepEqual(await api.fails('ModifyAccountDescription', { DBInstanceId: mysqlId, accountName: 'ghost', accountDescription: 'ok desc' }), ['InvalidAccountName.NotFound', 404]);

      await api.call('ResetAccountPassword', { DBInstanceId: mysqlId, accountName: 'app', accountPassword: PW2 });
      assert.equal((await stored(mysqlId, 'app'))?.mysqlHash, mysqlNativeHash(PW2));
      assert.deepEqual(await api.fails('ResetAccountPassword', { DBInstanceId: mysqlId, accountName: 'app', accountPassword: 'weak' }), ['InvalidAccountPassword.Format', 400]);
      assert.deepEqual(await api.fails('ResetAccountPassword', { DBInstanceId: mysqlId, accountName: 'ghost', accountPassword: PW2 }), ['InvalidAccountName.NotFound', 404]);

      // ResetAccount takes the privileged account only.
      assert.deepEqual(await api.fails('ResetAccount', { DBInstanceId: mysqlId, accountName: 'app', accountPassword: PW2 }), ['IncorrectAccountType', 403]);
      await api.call('ResetAccount', { DBInstanceId: mysqlId, accountName: 'Admin_1', accountPassword: PW2 });
      assert.equal((await stored(mysqlId, 'Admin_1'))?.mysqlHash, mysqlNativeHash(PW2));
      assert.deepEqual(await api.fails('ResetAccount', { DBInstanceId: mysqlId, accountName: 'ghost', accountPassword: PW2 }), ['InvalidAccountName.NotFound', 404]);
      // Locks are PostgreSQL's.
      assert.deepEqual(await api.fails('LockAccount', { DBInstanceId: mysqlId, accountName: 'app' }), ['IncorrectDBInstanceType', 403]);
      assert.deepEqual(await api.fails('UnlockAccount', { DBInstanceId: mysqlId, accountName: 'app' }), ['IncorrectDBInstanceType', 403]);
    });

    test('MySQL grants: modes, AccountPrivilegeDetail, replace, revoke, and the errors', async () => {
      for (const db of ['shop', 'logs']) await api.call('CreateDatabase', { DBInstanceId: mysqlId, DBName: db, characterSetName: 'utf8mb4' });
      await api.call('GrantAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'app', DBName: 'shop,logs', accountPrivilege: 'ReadWrite,ReadOnly' });
      let privs = (await accounts(mysqlId, 'app'))[0]?.DatabasePrivileges.DatabasePrivilege;
      assert.deepEqual(privs.map((p: any) => [p.DBName, p.AccountPrivilege]), [['logs', 'ReadOnly'], ['shop', 'ReadWrite']]);
      assert.equal(privs.find((p: any) => p.DBName === 'logs').AccountPrivilegeDetail, 'SELECT,SHOW VIEW,REPLICATION SLAVE,REPLICATION CLIENT');
      assert.match(privs.find((p: any) => p.DBName === 'shop').AccountPrivilegeDetail, /^SELECT,INSERT,UPDATE,DELETE,CREATE,DROP,/);

      await api.call('GrantAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'app', DBName: 'logs', accountPrivilege: 'DMLOnly' });
      privs = (await accounts(mysqlId, 'app'))[0]?.DatabasePrivileges.DatabasePrivilege;
      assert.deepEqual(privs.map((p: any) => [p.DBName, p.AccountPrivilege]), [['logs', 'DMLOnly'], ['shop', 'ReadWrite']], 'a new mode replaces the old one');

      const grant = (f: Record<string, unknown>) => api.fails('GrantAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'app', DBName: 'shop', accountPrivilege: 'ReadOnly', ...f });
      assert.deepEqual(await grant({ DBName: 'shop,logs' }), ['InvalidDBNameOrAccountPrivilege', 400]);
      assert.deepEqual(await grant({ DBName: 'shop,', accountPrivilege: 'ReadOnly,ReadOnly' }), ['InvalidDBNameOrAccountPrivilege', 400]);
      assert.deepEqual(await grant({ accountPrivilege: 'DBOwner' }), ['InvalidAccountPrivilege.Malformed', 400]);
      assert.deepEqual(await grant({ accountPrivilege: 'readwrite' }), ['InvalidAccountPrivilege.Malformed', 400]);
      assert.deepEqual(await grant({ DBName: 'nodb' }), ['InvalidDB.NotFound', 404]);
      assert.deepEqual(await grant({ accountName: 'ghost' }), ['InvalidAccountName.NotFound', 404]);
      assert.deepEqual(await grant({ accountName: 'Admin_1' }), ['IncorrectAccountType', 403], 'the privileged account already has every database');

      await api.call('RevokeAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'app', DBName: 'logs' });
      await api.call('RevokeAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'app', DBName: 'logs' }); // nothing left: no change
      privs = (await accounts(mysqlId, 'app'))[0]?.DatabasePrivileges.DatabasePrivilege;
      assert.deepEqual(privs.map((p: any) => p.DBName), ['shop']);
      assert.deepEqual(await api.fails('RevokeAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'app', DBName: 'nodb' }), ['InvalidDB.NotFound', 404]);
      assert.deepEqual(await api.fails('RevokeAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'Admin_1', DBName: 'shop' }), ['IncorrectAccountType', 403]);
      assert.deepEqual(await api.fails('RevokeAccountPrivilege', { DBInstanceId: mysqlId, accountName: 'ghost', DBName: 'shop' }), ['InvalidAccountName.NotFound', 404]);

      // DescribeDatabases shows the same grant from the database's side.
      const dbs = (await api.call('DescribeDatabases', { DBInstanceId: mysqlId, DBName: 'shop' })).Databases.Database;
      assert.deepEqual(dbs[0].Accounts.AccountPrivilegeInfo.map((a: any) => [a.Account, a.AccountPrivilege]), [['app', 'ReadWrite']]);
    });

    test('PostgreSQL: several Super accounts, role attributes, DBOwner only, one owner per database', async () => {
      await api.call('CreateAccount', { DBInstanceId: pgId, accountName: 'owner_a', accountPassword: PW, accountType: 'Super' });
      await api.call('CreateAccount', { DBInstanceId: pgId, accountName: 'owner_b', accountPassword: PW, accountType: 'Super' });
      await api.call('CreateAccount', { DBInstanceId: pgId, accountName: 'reader', accountPassword: PW });
      const list = await accounts(pgId);
      assert.deepEqual(list[0], {
        DBInstanceId: pgId, AccountName: 'owner_a', AccountType: 'Super', AccountStatus: 'Available', AccountDescription: '', PrivExceeded: '0',
        DatabasePrivileges: { DatabasePrivilege: [] }, ValidUntil: 'infinity', CreateDB: 't', CreateRole: 't', Replication: 'f', BypassRLS: 'f',
      });
      assert.deepEqual([list[2]?.CreateDB, list[2]?.CreateRole], ['f', 'f']);

      // The SCRAM verifier in the store answers a proof made from the password.
      const v = parseScramVerifier((await stored(pgId, 'reader'))?.scramVerifier ?? '');
      assert.ok(v);
      const am = 'n=reader,r=x,r=xy,s=s,i=4096,c=biws,r=xy';
      assert.ok(scramCheckProof(v, am, scramClientProof(PW, v.salt, v.iterations, am).proof));
      assert.equal((await stored(pgId, 'reader'))?.mysqlHash, '');

      for (const name of ['Upper', 'pg_role', 'pgadmin', 'postgres', 'a'.repeat(64)]) {
        const [code] = await api.fails('CreateAccount', { DBInstanceId: pgId, accountName: name, accountPassword: PW });
        assert.ok(['InvalidAccountName.Format', 'InvalidAccountName.Forbid'].includes(code), `${name}: ${code}`);
      }
      await api.call('CreateAccount', { DBInstanceId: pgId, accountName: 'a'.repeat(63), accountPassword: PW });

      await api.call('CreateDatabase', { DBInstanceId: pgId, DBName: 'app_db', characterSetName: 'UTF8' });
      assert.deepEqual(await api.fails('GrantAccountPrivilege', { DBInstanceId: pgId, accountName: 'reader', DBName: 'app_db', accountPrivilege: 'ReadWrite' }), ['InvalidAccountPrivilege.Malformed', 400]);
      await api.call('GrantAccountPrivilege', { DBInstanceId: pgId, accountName: 'reader', DBName: 'app_db', accountPrivilege: 'DBOwner' });
      const db = async () => (await api.call('DescribeDatabases', { DBInstanceId: pgId, DBName: 'app_db' })).Databases.Database[0];
      assert.deepEqual((await db()).Accounts.AccountPrivilegeInfo, [{ Account: 'reader', AccountPrivilege: 'DBOwner', AccountPrivilegeDetail: 'CREATE,CONNECT,TEMPORARY,SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER' }]);
      // Ownership moves: a database has one owner.
      await api.call('GrantAccountPrivilege', { DBInstanceId: pgId, accountName: 'owner_b', DBName: 'app_db', accountPrivilege: 'DBOwner' });
      assert.deepEqual((await db()).Accounts.AccountPrivilegeInfo.map((a: any) => a.Account), ['owner_b']);
      assert.deepEqual((await accounts(pgId, 'reader'))[0]?.DatabasePrivileges.DatabasePrivilege, []);

      // An owner cannot be dropped while it owns the database ("objects depend on account").
      assert.deepEqual(await api.fails('DeleteAccount', { DBInstanceId: pgId, accountName: 'owner_b' }), ['AccountActionForbidden', 401]);
      assert.deepEqual(await api.fails('RevokeAccountPrivilege', { DBInstanceId: pgId, accountName: 'owner_b', DBName: 'app_db' }), ['IncorrectDBInstanceType', 403]);
      assert.deepEqual(await api.fails('ResetAccount', { DBInstanceId: pgId, accountName: 'owner_a', accountPassword: PW2 }), ['IncorrectDBInstanceType', 403]);
      await api.call('DeleteDatabase', { DBInstanceId: pgId, DBName: 'app_db' });
      await api.call('DeleteAccount', { DBInstanceId: pgId, accountName: 'owner_b' });
      assert.deepEqual(await accounts(pgId, 'owner_b'), []);
    });

    test('PostgreSQL LockAccount / UnlockAccount; a locked account is not deleted', async () => {
      await api.call('LockAccount', { DBInstanceId: pgId, accountName: 'reader' });
      assert.equal((await accounts(pgId, 'reader'))[0]?.AccountStatus, 'Lock');
      assert.equal((await stored(pgId, 'reader'))?.locked, true);
      await api.call('LockAccount', { DBInstanceId: pgId, accountName: 'reader' });
      assert.deepEqual(await api.fails('DeleteAccount', { DBInstanceId: pgId, accountName: 'reader' }), ['IncorrectAccountStatus', 400]);
      assert.deepEqual(await api.fails('LockAccount', { DBInstanceId: pgId, accountName: 'ghost' }), ['InvalidAccountName.NotFound', 404]);
      await api.call('UnlockAccount', { DBInstanceId: pgId, accountName: 'reader' });
      assert.equal((await accounts(pgId, 'reader'))[0]?.AccountStatus, 'Available');
      // A password reset changes the SCRAM verifier: the old proof no longer verifies.
      const before = parseScramVerifier((await stored(pgId, 'reader'))?.scramVerifier ?? '');
      await api.call('ResetAccountPassword', { DBInstanceId: pgId, accountName: 'reader', accountPassword: PW2 });
      const after = parseScramVerifier((await stored(pgId, 'reader'))?.scramVerifier ?? '');
      assert.ok(before && after);
      assert.notDeepEqual(after.storedKey, before.storedKey);
      const authMessage = 'n=reader,r=abc,r=abcdef,s=salt,i=4096,c=biws,r=abcdef';
      assert.ok(scramCheckProof(after, authMessage, scramClientProof(PW2, after.salt, after.iterations, authMessage).proof), 'new password verifies');
      assert.equal(scramCheckProof(after, authMessage, scramClientProof(PW, after.salt, after.iterations, authMessage).proof), undefined, 'old password refused');
      assert.ok(scramCheckProof(before, authMessage, scramClientProof(PW, before.salt, before.iterations, authMessage).proof), 'the old verifier was the old password');
      await api.call('DeleteAccount', { DBInstanceId: pgId, accountName: 'reader' });
      assert.deepEqual(await api.fails('DeleteAccount', { DBInstanceId: pgId, accountName: 'reader' }), ['InvalidAccountName.NotFound', 404]);
    });

    test('another tenant can neither see nor change the accounts', async () => {
      for (const [action, f] of [
        ['DescribeAccounts', {}], ['CreateAccount', { accountName: 'intruder', accountPassword: PW }], ['DeleteAccount', { accountName: 'app' }],
        ['ResetAccountPassword', { accountName: 'app', accountPassword: PW2 }], ['ModifyAccountDescription', { accountName: 'app', accountDescription: 'mine now' }],
        ['GrantAccountPrivilege', { accountName: 'app', DBName: 'shop', accountPrivilege: 'ReadOnly' }], ['RevokeAccountPrivilege', { accountName: 'app', DBName: 'shop' }],
        ['ResetAccount', { accountName: 'Admin_1', accountPassword: PW2 }],
      ] as const) {
        assert.deepEqual(await theirs.fails(action, { DBInstanceId: mysqlId, ...f }), ['InvalidDBInstanceId.NotFound', 400], action);
      }
      assert.deepEqual(await theirs.fails('LockAccount', { DBInstanceId: pgId, accountName: 'owner_a' }), ['InvalidDBInstanceId.NotFound', 400]);
      // Their own instance with the same names is theirs alone (per-instance servers: names are per instance).
      const own = await theirs.createInstance('MySQL');
      await theirs.call('CreateAccount', { DBInstanceId: own, accountName: 'app', accountPassword: PW });
      assert.deepEqual((await theirs.call('DescribeAccounts', { DBInstanceId: own })).Accounts.DBInstanceAccount.map((a: any) => a.AccountName), ['app']);
      assert.equal((await accounts(mysqlId, 'app'))[0]?.AccountDescription, '应用 account', 'unchanged');
    });

    test('changes need a Running instance: IncorrectDBInstanceState (403)', async () => {
      const aid = DEFAULT_ACCOUNT_ID;
      await s.store.tx((r) => r.instances.setStatus(aid, mysqlId as InstanceId, 'DBInstanceNetTypeChanging', Date.now() + 3_600_000));
      try {
        for (const [action, f] of [
          ['CreateAccount', { accountName: 'late', accountPassword: PW }], ['DeleteAccount', { accountName: 'app' }],
          ['ResetAccountPassword', { accountName: 'app', accountPassword: PW2 }], ['ModifyAccountDescription', { accountName: 'app', accountDescription: 'later' }],
          ['GrantAccountPrivilege', { accountName: 'app', DBName: 'shop', accountPrivilege: 'ReadOnly' }], ['RevokeAccountPrivilege', { accountName: 'app', DBName: 'shop' }],
          ['ResetAccount', { accountName: 'Admin_1', accountPassword: PW2 }],
        ] as const) {
          assert.deepEqual(await api.fails(action, { DBInstanceId: mysqlId, ...f }), ['IncorrectDBInstanceState', 403], action);
        }
        // Reads still answer, and a missing account is NotFound whatever the state (a retry after success).
        assert.equal((await accounts(mysqlId)).length, 2);
        assert.deepEqual(await api.fails('DeleteAccount', { DBInstanceId: mysqlId, accountName: 'ghost' }), ['InvalidAccountName.NotFound', 404]);
      } finally {
        await s.store.tx((r) => r.instances.setStatus(aid, mysqlId as InstanceId, 'Running', 0));
      }
    });

    test('concurrent creates of one name, and of two privileged MySQL accounts: exactly one wins', async () => {
      const id = await api.createInstance('MySQL');
      const tries = await Promise.allSettled(Array.from({ length: 6 }, () =>
        api.call('CreateAccount', { DBInstanceId: id, accountName: 'racer', accountPassword: PW })));
      assert.equal(tries.filter((t) => t.status === 'fulfilled').length, 1);
      for (const t of tries) if (t.status === 'rejected') assert.equal((t.reason as { code: string }).code, 'InvalidAccountName.Duplicate');
      const supers = await Promise.allSettled(['boss_a', 'boss_b', 'boss_c'].map((n) =>
        api.call('CreateAccount', { DBInstanceId: id, accountName: n, accountPassword: PW, accountType: 'Super' })));
      assert.equal(supers.filter((t) => t.status === 'fulfilled').length, 1);
      for (const t of supers) if (t.status === 'rejected') assert.equal((t.reason as { code: string }).code, 'IncorrectAccountType');
      assert.equal((await accounts(id)).filter((a) => a.AccountType === 'Super').length, 1);
    });

    test('a RAM policy scoped to one instance allows account changes there and nowhere else', async () => {
      const policy = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['rds:*Account*', 'rds:DescribeDBInstanceAttribute'], Resource: [`acs:rds:*:*:dbinstance/${mysqlId}`] }] });
      const key = await createKey(s.store, DEFAULT_ACCOUNT_ID, policy);
      const limited = insideApi(s, { accessKeyId: key.accessKeyId, accessKeySecret: key.secret });
      await limited.call('ModifyAccountDescription', { DBInstanceId: mysqlId, accountName: 'app', accountDescription: 'set by ram' });
      assert.deepEqual(await limited.fails('ModifyAccountDescription', { DBInstanceId: pgId, accountName: 'owner_a', accountDescription: 'nope nope' }), ['Forbidden.RAM', 403]);
      assert.deepEqual(await limited.fails('CreateDatabase', { DBInstanceId: mysqlId, DBName: 'ramdb', characterSetName: 'utf8' }), ['Forbidden.RAM', 403]);
      await api.call('ModifyAccountDescription', { DBInstanceId: mysqlId, accountName: 'app', accountDescription: '应用 account' });
    });

    test('AccountLimitExceeded past 500 accounts', async () => {
      const id = await api.createInstance('MySQL');
      const aid = DEFAULT_ACCOUNT_ID;
      await s.store.tx(async (r) => {
        for (let i = 0; i < 500; i++) {
          await r.dbAccounts.insert({ accountId: aid, instanceId: id as InstanceId, name: `u${i}`, type: 'Normal', description: '', locked: false, mysqlHash: '*00', scramVerifier: '', createdAt: '2026-01-01T00:00:00Z' });
        }
      });
      assert.deepEqual(await api.fails('CreateAccount', { DBInstanceId: id, accountName: 'one_more', accountPassword: PW }), ['AccountLimitExceeded', 403]);
      assert.equal((await api.call('DescribeAccounts', { DBInstanceId: id })).TotalRecordCount, 500);
    });

    test('DeleteDBInstance removes its accounts, databases and grants from the store', async () => {
      const id = await api.createInstance('MySQL');
      await api.call('CreateAccount', { DBInstanceId: id, accountName: 'gone', accountPassword: PW });
      await api.call('CreateDatabase', { DBInstanceId: id, DBName: 'gone_db', characterSetName: 'utf8' });
      await api.call('GrantAccountPrivilege', { DBInstanceId: id, accountName: 'gone', DBName: 'gone_db', accountPrivilege: 'ReadWrite' });
      await api.call('DeleteDBInstance', { DBInstanceId: id });
      const left = await s.store.read(async (r) => [
        ...(await r.dbAccounts.listByInstanceIds([id])), ...(await r.databases.listByInstanceIds([id])), ...(await r.privileges.listByInstanceIds([id])),
      ]);
      assert.deepEqual(left, []);
    });
  });
}

describe('shared-server mode: names are server-wide across instances and tenants', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer({ engineMode: (e) => (e === 'MySQL' ? 'shared' : 'per-instance') }); });
  after(async () => { await s.stop(); });

  test('an account or database name another MySQL instance holds answers the Duplicate code; other engines are per instance', async () => {
    const mine = insideApi(s);
    const theirs = insideApi(s, s.other);
    const a = await mine.createInstance('MySQL');
    const b = await theirs.createInstance('MySQL');
    await mine.call('CreateAccount', { DBInstanceId: a, accountName: 'shared_app', accountPassword: PW });
    await mine.call('CreateDatabase', { DBInstanceId: a, DBName: 'shared_db', characterSetName: 'utf8' });
    assert.deepEqual(await theirs.fails('CreateAccount', { DBInstanceId: b, accountName: 'shared_app', accountPassword: PW }), ['InvalidAccountName.Duplicate', 400]);
    assert.deepEqual(await theirs.fails('CreateDatabase', { DBInstanceId: b, DBName: 'shared_db', characterSetName: 'utf8' }), ['InvalidDBName.Duplicate', 400]);
    // They still cannot see it: only the name is taken.
    assert.deepEqual((await theirs.call('DescribeAccounts', { DBInstanceId: b })).Accounts.DBInstanceAccount, []);
    await theirs.call('CreateAccount', { DBInstanceId: b, accountName: 'other_app', accountPassword: PW });

    const p1 = await mine.createInstance('PostgreSQL');
    const p2 = await theirs.createInstance('PostgreSQL');
    await mine.call('CreateAccount', { DBInstanceId: p1, accountName: 'shared_app', accountPassword: PW });
    await theirs.call('CreateAccount', { DBInstanceId: p2, accountName: 'shared_app', accountPassword: PW });

    // Once deleted, the name is free again.
    await mine.call('DeleteAccount', { DBInstanceId: a, accountName: 'shared_app' });
    await theirs.call('CreateAccount', { DBInstanceId: b, accountName: 'shared_app', accountPassword: PW });
  });
});
