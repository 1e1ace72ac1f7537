// Store contract, inside-the-instance part: database accounts, databases and grants. Scoped by tenant and
// instance, unique names per instance, cascades (instance -> everything; account or database -> its grants),
// and the cross-tenant name lookup of shared-server mode.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { StateStore } from '../../src/store/types.js';
import { UniqueViolation } from '../../src/store/types.js';
import { CONSTRAINTS } from '../../src/store/constraints.js';
import { withStore, type Backend } from './backends.js';
import { acct, database, dbAccount, grant, iid, instance } from './records.js';

async function violation(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof UniqueViolation, `expected UniqueViolation, got ${String(e)}`);
  return e.constraint;
}

/** a1 owns rm-1 (MySQL) and pgm-1 (PostgreSQL); a2 owns rm-2 (MySQL). */
async function seed(store: StateStore): Promise<void> {
  await store.tx(async (r) => {
    await r.instances.insert(instance('a1', 'rm-1'));
    await r.instances.insert(instance('a1', 'pgm-1', { engine: 'PostgreSQL', engineVersion: '16.0' }));
    await r.instances.insert(instance('a2', 'rm-2'));
  });
}

export function dbAccountsContract(b: Backend): void {
  it('db accounts: insert/get/list round trip, scoped, unique per instance, update, delete', () => withStore(b, async (store) => {
    await seed(store);
    const sup = dbAccount('a1', 'rm-1', 'root_user', { type: 'Super', description: 'the admin' });
    const app = dbAccount('a1', 'rm-1', 'app', { createdAt: '2026-11-28T06:31:00Z' });
    const same = dbAccount('a1', 'pgm-1', 'app', { scramVerifier: 'SCRAM-SHA-256$4096:eA==$eQ==:eg==', mysqlHash: '' });
    const other = dbAccount('a2', 'rm-2', 'app');
    await store.tx(async (r) => { for (const a of [sup, app, same, other]) await r.dbAccounts.insert(a); });

    assert.deepEqual(await store.read((r) => r.dbAccounts.get(acct('a1'), iid('rm-1'), 'root_user')), sup);
    assert.deepEqual(await store.read((r) => r.dbAccounts.list(acct('a1'), iid('rm-1'))), [app, sup], 'by name');
    assert.deepEqual(await store.read((r) => r.dbAccounts.list(acct('a1'), iid('pgm-1'))), [same]);
    // Another tenant naming a1's instance sees nothing.
    assert.deepEqual(await store.read((r) => r.dbAccounts.list(acct('a2'), iid('rm-1'))), []);
    assert.equal(await store.read((r) => r.dbAccounts.get(acct('a2'), iid('rm-1'), 'app')), undefined);
    // Names are case-sensitive: "App" is another account.
    assert.equal(await store.read((r) => r.dbAccounts.get(acct('a1'), iid('rm-1'), 'App')), undefined);

    assert.equal(await violation(store.tx((r) => r.dbAccounts.insert(dbAccount('a1', 'rm-1', 'app')))), CONSTRAINTS.dbAccount.name);

    assert.equal(await store.tx((r) => r.dbAccounts.update(acct('a1'), iid('rm-1'), 'app',
      { description: 'new', locked: true, mysqlHash: '*FFFF', scramVerifier: 'SCRAM-SHA-256$4096:bg==$bg==:bg==' })), true);
    assert.deepEqual(await store.read((r) => r.dbAccounts.get(acct('a1'), iid('rm-1'), 'app')),
      { ...app, description: 'new', locked: true, mysqlHash: '*FFFF', scramVerifier: 'SCRAM-SHA-256$4096:bg==$bg==:bg==' });
    assert.equal(await store.tx((r) => r.dbAccounts.update(acct('a1'), iid('rm-1'), 'app', { locked: false })), true);
    assert.equal((await store.read((r) => r.dbAccounts.get(acct('a1'), iid('rm-1'), 'app')))?.locked, false);
    assert.equal(await store.tx((r) => r.dbAccounts.update(acct('a1'), iid('rm-1'), 'nobody', { description: 'x' })), false);
    assert.equal(await store.tx((r) => r.dbAccounts.update(acct('a2'), iid('rm-1'), 'app', { description: 'x' })), false, 'scoped by tenant');
    assert.equal(await store.tx((r) => r.dbAccounts.update(acct('a1'), iid('rm-1'), 'app', {})), true);

    const all = await store.read((r) => r.dbAccounts.listByInstanceIds(['rm-1', 'rm-2', 'rm-1']));
    assert.deepEqual(all.map((a) => `${a.instanceId}/${a.name}`), ['rm-1/app', 'rm-1/root_user', 'rm-2/app']);

    await store.tx((r) => r.dbAccounts.delete(acct('a2'), iid('rm-1'), 'app'));
    assert.equal((await store.read((r) => r.dbAccounts.list(acct('a1'), iid('rm-1')))).length, 2, 'another tenant cannot delete');
    await store.tx((r) => r.dbAccounts.delete(acct('a1'), iid('rm-1'), 'app'));
    assert.deepEqual(await store.read((r) => r.dbAccounts.list(acct('a1'), iid('rm-1'))), [sup]);
  }));

  it('databases: round trip with PostgreSQL collate/ctype, scoped, unique per instance, description, delete', () => withStore(b, async (store) => {
    await seed(store);
    const shop = database('a1', 'rm-1', 'shop', { description: 'orders' });
    const pg = database('a1', 'pgm-1', 'shop', { charset: 'UTF8', collate: 'C', ctype: 'en_US.utf8' });
    const logs = database('a1', 'rm-1', 'logs-2026', { charset: 'latin1', createdAt: '2026-11-28T07:00:00Z' });
    await store.tx(async (r) => { for (const d of [shop, pg, logs]) await r.databases.insert(d); });
    assert.deepEqual(await store.read((r) => r.databases.list(acct('a1'), iid('rm-1'))), [logs, shop]);
    assert.deepEqual(await store.read((r) => r.databases.get(acct('a1'), iid('pgm-1'), 'shop')), pg);
    assert.deepEqual(await store.read((r) => r.databases.list(acct('a2'), iid('rm-1'))), []);
    assert.equal(await violation(store.tx((r) => r.databases.insert(database('a1', 'rm-1', 'shop')))), CONSTRAINTS.dbDatabase.name);

    assert.equal(await store.tx((r) => r.databases.setDescription(acct('a1'), iid('rm-1'), 'shop', 'carts')), true);
    assert.equal((await store.read((r) => r.databases.get(acct('a1'), iid('rm-1'), 'shop')))?.description, 'carts');
    assert.equal(await store.tx((r) => r.databases.setDescription(acct('a2'), iid('rm-1'), 'shop', 'x')), false);
    assert.equal(await store.tx((r) => r.databases.setDescription(acct('a1'), iid('rm-1'), 'none', 'x')), false);

    assert.deepEqual((await store.read((r) => r.databases.listByInstanceIds(['pgm-1', 'rm-1']))).map((d) => `${d.instanceId}/${d.name}`),
      ['pgm-1/shop', 'rm-1/logs-2026', 'rm-1/shop']);
    await store.tx((r) => r.databases.delete(acct('a1'), iid('rm-1'), 'shop'));
    assert.deepEqual(await store.read((r) => r.databases.list(acct('a1'), iid('rm-1'))), [logs]);
  }));

  it('privileges: put replaces the mode of a pair; deleting an account or a database removes its grants', () => withStore(b, async (store) => {
    await seed(store);
    await store.tx(async (r) => {
      for (const n of ['u1', 'u2']) await r.dbAccounts.insert(dbAccount('a1', 'rm-1', n));
      for (const n of ['d1', 'd2']) await r.databases.insert(database('a1', 'rm-1', n));
      await r.privileges.put(grant('a1', 'rm-1', 'u1', 'd1', 'ReadOnly'));
      await r.privileges.put(grant('a1', 'rm-1', 'u1', 'd2', 'DMLOnly'));
      await r.privileges.put(grant('a1', 'rm-1', 'u2', 'd1', 'ReadWrite'));
      await r.privileges.put(grant('a1', 'rm-1', 'u1', 'd1', 'ReadWrite'));
    });
    const list = () => store.read((r) => r.privileges.list(acct('a1'), iid('rm-1')));
    assert.deepEqual(await list(), [
      grant('a1', 'rm-1', 'u1', 'd1', 'ReadWrite'), grant('a1', 'rm-1', 'u1', 'd2', 'DMLOnly'), grant('a1', 'rm-1', 'u2', 'd1', 'ReadWrite'),
    ]);
    assert.deepEqual(await store.read((r) => r.privileges.list(acct('a2'), iid('rm-1'))), []);
    assert.equal((await store.read((r) => r.privileges.listByInstanceIds(['rm-1']))).length, 3);

    // A grant must name an existing account and database of that instance.
    const orphan = await store.tx((r) => r.privileges.put(grant('a1', 'rm-1', 'ghost', 'd1', 'ReadOnly'))).then(() => undefined, (e: unknown) => e);
    assert.ok(orphan instanceof Error, 'grant for a missing account refused');

    await store.tx((r) => r.privileges.delete(acct('a1'), iid('rm-1'), 'u1', 'd2'));
    assert.deepEqual((await list()).map((p) => `${p.accountName}/${p.dbName}`), ['u1/d1', 'u2/d1']);
    await store.tx((r) => r.databases.delete(acct('a1'), iid('rm-1'), 'd1'));
    assert.deepEqual(await list(), [], 'deleting the database removed its grants');

    await store.tx(async (r) => {
      await r.privileges.put(grant('a1', 'rm-1', 'u1', 'd2', 'ReadOnly'));
      await r.privileges.put(grant('a1', 'rm-1', 'u2', 'd2', 'ReadOnly'));
    });
    await store.tx((r) => r.dbAccounts.delete(acct('a1'), iid('rm-1'), 'u2'));
    assert.deepEqual((await list()).map((p) => `${p.accountName}/${p.dbName}`), ['u1/d2'], 'deleting the account removed its grants');
    await store.tx((r) => r.privileges.deleteByAccount(acct('a1'), iid('rm-1'), 'u1'));
    assert.deepEqual(await list(), []);
  }));

  it('deleting an instance removes its accounts, databases and grants, and nothing of other instances', () => withStore(b, async (store) => {
    await seed(store);
    await store.tx(async (r) => {
      for (const i of ['rm-1', 'pgm-1']) {
        await r.dbAccounts.insert(dbAccount('a1', i, 'u1'));
        await r.databases.insert(database('a1', i, 'd1'));
        await r.privileges.put(grant('a1', i, 'u1', 'd1', 'ReadWrite'));
      }
    });
    await store.tx((r) => r.instances.delete(acct('a1'), iid('rm-1')));
    const left = await store.read(async (r) => ({
      accounts: await r.dbAccounts.listByInstanceIds(['rm-1', 'pgm-1']),
      databases: await r.databases.listByInstanceIds(['rm-1', 'pgm-1']),
      grants: await r.privileges.listByInstanceIds(['rm-1', 'pgm-1']),
    }));
    assert.deepEqual(left.accounts.map((a) => a.instanceId), ['pgm-1']);
    assert.deepEqual(left.databases.map((d) => d.instanceId), ['pgm-1']);
    assert.deepEqual(left.grants.map((g) => g.instanceId), ['pgm-1']);
  }));

  it('shared-server lookup: a name held by any instance of the same engine, any tenant', () => withStore(b, async (store) => {
    await seed(store);
    await store.tx(async (r) => {
      await r.instances.insert(instance('a2', 'rm-3', { engine: 'MariaDB', engineVersion: '10.6' }));
      await r.dbAccounts.insert(dbAccount('a2', 'rm-2', 'shared_user'));
      await r.databases.insert(database('a2', 'rm-2', 'shared_db'));
    });
    const held = (kind: 'dbAccounts' | 'databases', engine: 'MySQL' | 'PostgreSQL' | 'MariaDB', name: string, except?: string) =>
      store.read((r) => r[kind].nameHeldOnEngine(engine, name, except === undefined ? undefined : iid(except)));
    assert.equal(await held('dbAccounts', 'MySQL', 'shared_user'), true, 'seen from a1 too: names are server-wide');
    assert.equal(await held('dbAccounts', 'MySQL', 'shared_user', 'rm-2'), false, 'the holder itself is excepted');
    assert.equal(await held('dbAccounts', 'MySQL', 'shared_user', 'rm-1'), true);
    assert.equal(await held('dbAccounts', 'PostgreSQL', 'shared_user'), false, 'other engine, other server');
    assert.equal(await held('dbAccounts', 'MariaDB', 'shared_user'), false);
    assert.equal(await held('dbAccounts', 'MySQL', 'Shared_user'), false, 'exact name');
    assert.equal(await held('dbAccounts', 'MySQL', 'shared_db'), false, 'accounts and databases are separate namespaces');
    assert.equal(await held('databases', 'MySQL', 'shared_db'), true);
    assert.equal(await held('databases', 'MySQL', 'shared_db', 'rm-2'), false);
    assert.equal(await held('databases', 'PostgreSQL', 'shared_db'), false);
  }));
}
