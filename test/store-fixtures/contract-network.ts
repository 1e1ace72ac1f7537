// Store contract, network part: endpoints (global connection strings, per-pool addresses) and whitelist groups.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { UniqueViolation } from '../../src/store/types.js';
import { CONSTRAINTS } from '../../src/store/constraints.js';
import { withStore, type Backend } from './backends.js';
import { acct, endpoint, iid, ipGroup } from './records.js';

async function violation(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof UniqueViolation, `expected UniqueViolation, got ${String(e)}`);
  return e.constraint;
}

export function networkContract(b: Backend): void {
  it('endpoints: insert, list by instance (scoped), get by connection string, unique rules', () => withStore(b, async (store) => {
    const e1 = endpoint('a1', 'rm-1', 'rm-1.mysql.rds.localrds.test', '10.0.0.1');
    const e2 = endpoint('a1', 'rm-1', 'rm-1pub.mysql.rds.localrds.test', '10.0.0.1', { ipType: 'Public', port: 3307, createdAt: '2026-11-28T07:00:00Z' });
    const e3 = endpoint('a2', 'rm-2', 'rm-2.mysql.rds.localrds.test', '10.0.0.2');
    await store.tx(async (r) => { await r.endpoints.insert(e1); await r.endpoints.insert(e2); await r.endpoints.insert(e3); });

    assert.deepEqual(await store.read((r) => r.endpoints.listByInstance(acct('a1'), iid('rm-1'))), [e1, e2]);
    assert.deepEqual(await store.read((r) => r.endpoints.listByInstance(acct('a2'), iid('rm-1'))), []);
    assert.deepEqual(await store.read((r) => r.endpoints.getByConnectionString('rm-2.mysql.rds.localrds.test')), e3);
    assert.equal(await store.read((r) => r.endpoints.getByConnectionString('nope')), undefined);

    // Connection strings are unique across accounts; an address is unique within its ip type.
    assert.equal(await violation(store.tx((r) => r.endpoints.insert(endpoint('a2', 'rm-9', e1.connectionString, '10.0.0.9')))),
      CONSTRAINTS.endpointConnectionString.name);
    assert.equal(await violation(store.tx((r) => r.endpoints.insert(endpoint('a2', 'rm-9', 'x.test', '10.0.0.2')))),
      CONSTRAINTS.endpointAddress.name);
    assert.deepEqual((await store.read((r) => r.endpoints.listAll())).map((e) => e.connectionString),
      ['rm-1.mysql.rds.localrds.test', 'rm-1pub.mysql.rds.localrds.test', 'rm-2.mysql.rds.localrds.test']);
  }));

  it('endpoints: update renames and re-ports, refuses a taken name; setBindError; deletes', () => withStore(b, async (store) => {
    const e1 = endpoint('a1', 'rm-1', 'old.test', '10.0.0.1');
    const e2 = endpoint('a1', 'rm-1', 'other.test', '10.0.0.2');
    const e3 = endpoint('a2', 'rm-2', 'b.test', '10.0.0.3');
    await store.tx(async (r) => { await r.endpoints.insert(e1); await r.endpoints.insert(e2); await r.endpoints.insert(e3); });

    await store.tx((r) => r.endpoints.update('old.test', { connectionString: 'new.test', port: 4000 }));
    assert.equal(await store.read((r) => r.endpoints.getByConnectionString('old.test')), undefined);
    assert.deepEqual(await store.read((r) => r.endpoints.getByConnectionString('new.test')), { ...e1, connectionString: 'new.test', port: 4000 });
    assert.equal(await violation(store.tx((r) => r.endpoints.update('new.test', { connectionString: 'b.test', port: 1 }))),
      CONSTRAINTS.endpointConnectionString.name);

    await store.tx((r) => r.endpoints.setBindError('b.test', 'EADDRINUSE'));
    assert.equal((await store.read((r) => r.endpoints.getByConnectionString('b.test')))?.bindError, 'EADDRINUSE');

    const both = await store.read((r) => r.endpoints.listByInstanceIds(['rm-1', 'rm-2', 'rm-1']));
    assert.deepEqual(both.map((e) => e.connectionString).sort(), ['b.test', 'new.test', 'other.test']);
    assert.deepEqual(await store.read((r) => r.endpoints.listByInstanceIds([])), []);

    await store.tx((r) => r.endpoints.delete('other.test'));
    await store.tx((r) => r.endpoints.deleteByInstance(acct('a2'), iid('rm-1')));
    assert.deepEqual((await store.read((r) => r.endpoints.listAll())).map((e) => e.connectionString), ['b.test', 'new.test']);
    await store.tx((r) => r.endpoints.deleteByInstance(acct('a1'), iid('rm-1')));
    assert.deepEqual((await store.read((r) => r.endpoints.listAll())).map((e) => e.connectionString), ['b.test']);
  }));

  it('security ip groups: put inserts or replaces, list (scoped), delete, by instance ids', () => withStore(b, async (store) => {
    const dflt = ipGroup('a1', 'rm-1', 'default', ['127.0.0.1']);
    const app = ipGroup('a1', 'rm-1', 'app', ['10.0.0.0/8', '192.168.1.7'], { attribute: 'hidden', whitelistNetworkType: 'VPC' });
    const empty = ipGroup('a1', 'rm-2', 'default', []);
    const other = ipGroup('a2', 'rm-1', 'default', ['1.2.3.4']);
    await store.tx(async (r) => { for (const g of [dflt, app, empty, other]) await r.securityIps.put(g); });

    assert.deepEqual(await store.read((r) => r.securityIps.list(acct('a1'), iid('rm-1'))), [app, dflt]);
    assert.deepEqual(await store.read((r) => r.securityIps.list(acct('a1'), iid('rm-2'))), [empty]);

    const replaced = { ...dflt, ips: ['0.0.0.0/0', '1.1.1.1'], attribute: 'x' };
    await store.tx((r) => r.securityIps.put(replaced));
    assert.deepEqual(await store.read((r) => r.securityIps.list(acct('a1'), iid('rm-1'))), [app, replaced]);

    const byIds = await store.read((r) => r.securityIps.listByInstanceIds(['rm-1']));
    assert.equal(byIds.length, 3, 'rm-1 groups of both accounts');

    await store.tx((r) => r.securityIps.delete(acct('a1'), iid('rm-1'), 'app'));
    assert.deepEqual(await store.read((r) => r.securityIps.list(acct('a1'), iid('rm-1'))), [replaced]);
    await store.tx((r) => r.securityIps.deleteByInstance(acct('a1'), iid('rm-1')));
    assert.deepEqual(await store.read((r) => r.securityIps.list(acct('a1'), iid('rm-1'))), []);
    assert.deepEqual(await store.read((r) => r.securityIps.list(acct('a2'), iid('rm-1'))), [other]);
  }));
}
