// Store contract, instances part: round trip, account scoping, status, both paging styles with every filter.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { StateStore } from '../../src/store/types.js';
import type { InstanceFilter } from '../../src/store/types.js';
import { UniqueViolation } from '../../src/store/types.js';
import { CONSTRAINTS } from '../../src/store/constraints.js';
import { withStore, type Backend } from './backends.js';
import { acct, endpoint, iid, instance, withoutSeq } from './records.js';

/** 12 instances of a1 and 3 of a2, with varied region, status, engine and descriptions. */
async function seed(store: StateStore): Promise<void> {
  await store.tx(async (r) => {
    for (let n = 1; n <= 12; n++) {
      await r.instances.insert(instance('a1', `rm-${String(n).padStart(2, '0')}`, {
        regionId: n % 3 === 0 ? 'cn-beijing' : 'cn-hangzhou',
        status: n % 4 === 0 ? 'Creating' : 'Running',
        engine: n % 2 === 0 ? 'PostgreSQL' : 'MySQL',
        description: n === 5 ? 'Orders DB 100%' : n === 7 ? 'orders_archive' : n === 9 ? 'Class A' : `plain ${n}`,
      }));
      if (n <= 3) await r.instances.insert(instance('a2', `rm-b${n}`, { description: 'Orders of b' }));
    }
    await r.endpoints.insert(endpoint('a1', 'rm-06', 'rm-06.mysql.rds.localrds.test', '10.0.0.6'));
    await r.endpoints.insert(endpoint('a2', 'rm-b1', 'rm-b1.mysql.rds.localrds.test', '10.0.0.7'));
  });
}

async function ids(store: StateStore, f: InstanceFilter, offset = 0, limit = 100): Promise<{ ids: string[]; total: number }> {
  const page = await store.read((r) => r.instances.list(acct('a1'), f, offset, limit));
  return { ids: page.items.map((i) => i.id), total: page.total };
}

export function instancesContract(b: Backend): void {
  it('instances: offset paging across count blocks (migration 005) equals walking the rows in seq order', () => withStore(b, async (store) => {
    // Enough rows for several blocks of 1024 seq values, two regions, another account, and deletes.
    const kept: Record<string, string[]> = { 'cn-hangzhou': [], 'cn-beijing': [] };
    await store.tx(async (r) => {
      for (let n = 0; n < 2600; n++) {
        const region = n % 3 === 0 ? 'cn-beijing' : 'cn-hangzhou';
        const id = `rm-pg${String(n).padStart(5, '0')}`;
        await r.instances.insert(instance('a1', id, { regionId: region }));
        if (n % 5 === 0) await r.instances.insert(instance('a2', `rm-other${n}`, { regionId: region }));
        if (n % 7 === 0) await r.instances.delete(acct('a1'), iid(id));
        else kept[region]?.push(id);
      }
    });
    const all = [...(kept['cn-hangzhou'] ?? []), ...(kept['cn-beijing'] ?? [])].sort();
    for (const [region, expected] of [...Object.entries(kept), ['', all] as [string, string[]]]) {
      const filter: InstanceFilter = region === '' ? {} : { regionId: region };
      for (const offset of [0, 1, 99, 877, 878, 1023, 1024, 1500, expected.length - 100, expected.length - 1, expected.length]) {
        const got = await ids(store, filter, offset, 100);
        assert.equal(got.total, expected.length, `${region} total`);
        assert.deepEqual(got.ids, expected.slice(offset, offset + 100), `${region || 'any region'} offset ${offset}`);
      }
    }
  }));

  it('instances: insert/get round trip, seq assigned in order, duplicate id rejected', () => withStore(b, async (store) => {
    const one = instance('a1', 'rm-1', { deletionProtection: true, statusUntil: 1_800_000_000_123, storageGb: 500 });
    const two = instance('a1', 'rm-2', { networkType: 'Classic', description: '' });
    await store.tx(async (r) => { await r.instances.insert(one); await r.instances.insert(two); });
    const got1 = await store.read((r) => r.instances.get(acct('a1'), iid('rm-1')));
    const got2 = await store.read((r) => r.instances.get(acct('a1'), iid('rm-2'), { forUpdate: true }));
    assert.deepEqual(withoutSeq(got1), one);
    assert.deepEqual(withoutSeq(got2), two);
    assert.equal(typeof got1?.seq, 'number');
    assert.ok((got2?.seq ?? 0) > (got1?.seq ?? Infinity), 'seq grows with insertion order');

    // The id is unique across accounts, not only within one.
    const err = await store.tx((r) => r.instances.insert(instance('a2', 'rm-1'))).catch((e: unknown) => e);
    assert.ok(err instanceof UniqueViolation);
    assert.equal(err.constraint, CONSTRAINTS.instanceId.name);
    assert.equal(await store.read((r) => r.instances.countAll()), 2);
  }));

  it('instances: another account cannot see, change or delete an instance', () => withStore(b, async (store) => {
    await store.tx((r) => r.instances.insert(instance('a1', 'rm-1')));
    await store.tx(async (r) => {
      assert.equal(await r.instances.get(acct('a2'), iid('rm-1')), undefined);
      assert.equal(await r.instances.get(acct('a2'), iid('rm-1'), { forUpdate: true }), undefined);
      await r.instances.setStatus(acct('a2'), iid('rm-1'), 'Deleting', 99);
      await r.instances.delete(acct('a2'), iid('rm-1'));
    });
    assert.deepEqual(await store.read((r) => r.instances.list(acct('a2'), {}, 0, 10)), { items: [], total: 0 });
    const still = await store.read((r) => r.instances.get(acct('a1'), iid('rm-1')));
    assert.equal(still?.status, 'Running');
    assert.equal(still?.statusUntil, 0);
  }));

  it('instances: setStatus, listTransitional across accounts, delete, countAll', () => withStore(b, async (store) => {
    await store.tx(async (r) => {
      await r.instances.insert(instance('a1', 'rm-1'));
      await r.instances.insert(instance('a2', 'rm-2', { status: 'Creating', statusUntil: 5 }));
      await r.instances.insert(instance('a1', 'rm-3'));
      await r.instances.setStatus(acct('a1'), iid('rm-3'), 'DBInstanceNetTypeChanging', 1234);
    });
    const t = await store.read((r) => r.instances.listTransitional());
    assert.deepEqual(t.map((i) => [i.id, i.status, i.statusUntil]), [['rm-2', 'Creating', 5], ['rm-3', 'DBInstanceNetTypeChanging', 1234]]);
    await store.tx((r) => r.instances.setStatus(acct('a2'), iid('rm-2'), 'Running', 0));
    assert.deepEqual((await store.read((r) => r.instances.listTransitional())).map((i) => i.id), ['rm-3']);
    await store.tx((r) => r.instances.delete(acct('a1'), iid('rm-1')));
    assert.equal(await store.read((r) => r.instances.get(acct('a1'), iid('rm-1'))), undefined);
    assert.equal(await store.read((r) => r.instances.countAll()), 2);
  }));

  it('instances.list: offset paging by seq with total, every filter', () => withStore(b, async (store) => {
    await seed(store);
    const all = Array.from({ length: 12 }, (_, i) => `rm-${String(i + 1).padStart(2, '0')}`);
    assert.deepEqual(await ids(store, {}), { ids: all, total: 12 });
    assert.deepEqual(await ids(store, {}, 0, 5), { ids: all.slice(0, 5), total: 12 });
    assert.deepEqual(await ids(store, {}, 10, 5), { ids: all.slice(10), total: 12 });
    assert.deepEqual(await ids(store, {}, 12, 5), { ids: [], total: 12 });
    assert.deepEqual(await ids(store, { regionId: 'cn-beijing' }), { ids: ['rm-03', 'rm-06', 'rm-09', 'rm-12'], total: 4 });
    assert.deepEqual(await ids(store, { status: 'Creating' }), { ids: ['rm-04', 'rm-08', 'rm-12'], total: 3 });
    assert.deepEqual(await ids(store, { engine: 'PostgreSQL', regionId: 'cn-beijing' }, 1, 1), { ids: ['rm-12'], total: 2 });
    assert.deepEqual(await ids(store, { ids: ['rm-02', 'rm-11', 'rm-b1', 'nope'] }), { ids: ['rm-02', 'rm-11'], total: 2 });
    assert.deepEqual(await ids(store, { ids: [] }), { ids: [], total: 0 });
    // searchKey: substring of id or description, case-insensitive; LIKE wildcards in the key are literal.
    assert.deepEqual(await ids(store, { searchKey: 'ORDERS' }), { ids: ['rm-05', 'rm-07'], total: 2 });
    assert.deepEqual(await ids(store, { searchKey: 'rm-1' }), { ids: ['rm-10', 'rm-11', 'rm-12'], total: 3 });
    assert.deepEqual(await ids(store, { searchKey: '100%' }), { ids: ['rm-05'], total: 1 });
    assert.deepEqual(await ids(store, { searchKey: 's_a' }), { ids: ['rm-07'], total: 1 });
    assert.deepEqual(await ids(store, { searchKey: '%' }), { ids: ['rm-05'], total: 1 });
    assert.deepEqual(await ids(store, { connectionString: 'rm-06.mysql.rds.localrds.test' }), { ids: ['rm-06'], total: 1 });
    assert.deepEqual(await ids(store, { connectionString: 'rm-b1.mysql.rds.localrds.test' }), { ids: [], total: 0 }, 'other account');
    const b2 = await store.read((r) => r.instances.list(acct('a2'), { searchKey: 'orders' }, 0, 10));
    assert.deepEqual(b2.items.map((i) => i.id), ['rm-b1', 'rm-b2', 'rm-b3']);
  }));

  it('instances.listAfter: cursor pages concatenate to the filtered list, seq strictly after the cursor', () => withStore(b, async (store) => {
    await seed(store);
    const f: InstanceFilter = { regionId: 'cn-hangzhou' };
    const expected = (await ids(store, f)).ids;
    assert.equal(expected.length, 8);
    const seen: string[] = [];
    let after = 0;
    for (let guard = 0; guard < 10; guard++) {
      const page = await store.read((r) => r.instances.listAfter(acct('a1'), f, after, 3));
      if (page.length === 0) break;
      assert.ok(page.length <= 3);
      for (const i of page) assert.ok((i.seq ?? 0) > after);
      seen.push(...page.map((i) => i.id));
      after = page.at(-1)?.seq ?? after;
    }
    assert.deepEqual(seen, expected);
    const bj = await store.read((r) => r.instances.listAfter(acct('a1'), { regionId: 'cn-beijing', status: 'Running' }, 0, 10));
    assert.deepEqual(bj.map((i) => i.id), ['rm-03', 'rm-06', 'rm-09']);
    assert.deepEqual(await store.read((r) => r.instances.listAfter(acct('a2'), { connectionString: 'rm-06.mysql.rds.localrds.test' }, 0, 10)), []);
  }));
}
