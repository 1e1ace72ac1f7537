// Store contract, migration 003: instance tags (scoped by account, key unique per instance), the Tags filter of
// the instance list, instance patches, and ClientToken answers (scoped by account and action, expiring).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { withStore, type Backend } from './backends.js';
import { acct, iid, instance } from './records.js';

export function tagsTokensContract(b: Backend): void {
  it('tags: put replaces the value of a key, list by instance and account, delete some or all, scoped by account', () => withStore(b, async (store) => {
    await store.tx(async (r) => {
      await r.instances.insert(instance('a1', 'rm-1'));
      await r.instances.insert(instance('a1', 'rm-2'));
      await r.instances.insert(instance('a2', 'rm-3'));
      await r.tags.put(acct('a1'), { instanceId: iid('rm-1'), key: 'env', value: 'dev' });
      await r.tags.put(acct('a1'), { instanceId: iid('rm-1'), key: 'env', value: 'prod' });
      await r.tags.put(acct('a1'), { instanceId: iid('rm-1'), key: 'team', value: 'db' });
      await r.tags.put(acct('a1'), { instanceId: iid('rm-2'), key: 'env', value: 'prod' });
      await r.tags.put(acct('a2'), { instanceId: iid('rm-3'), key: 'env', value: 'prod' });
    });
    assert.deepEqual(await store.read((r) => r.tags.list(acct('a1'), ['rm-1'])), [
      { instanceId: 'rm-1', key: 'env', value: 'prod' }, { instanceId: 'rm-1', key: 'team', value: 'db' }]);
    assert.deepEqual(await store.read((r) => r.tags.list(acct('a2'), ['rm-1'])), []);
    assert.deepEqual((await store.read((r) => r.tags.listByAccount(acct('a1')))).map((t) => `${t.instanceId}:${t.key}`), ['rm-1:env', 'rm-2:env', 'rm-1:team']);

    const ids = async (tags: Array<{ key: string; value: string }>) =>
      (await store.read((r) => r.instances.list(acct('a1'), { tags }, 0, 10))).items.map((i) => i.id);
    assert.deepEqual(await ids([{ key: 'env', value: 'prod' }]), ['rm-1', 'rm-2']);
    assert.deepEqual(await ids([{ key: 'env', value: 'prod' }, { key: 'team', value: 'db' }]), ['rm-1']);
    assert.deepEqual(await ids([{ key: 'env', value: 'dev' }]), []);

    await store.tx((r) => r.tags.delete(acct('a1'), iid('rm-1'), ['team', 'absent']));
    assert.deepEqual((await store.read((r) => r.tags.list(acct('a1'), ['rm-1']))).map((t) => t.key), ['env']);
    await store.tx((r) => r.tags.delete(acct('a1'), iid('rm-1')));
    assert.deepEqual(await store.read((r) => r.tags.list(acct('a1'), ['rm-1', 'rm-2'])), [{ instanceId: 'rm-2', key: 'env', value: 'prod' }]);
    assert.equal((await store.read((r) => r.tags.list(acct('a2'), ['rm-3']))).length, 1, 'another account is untouched');
  }));

  it('instances: update patches only the given fields', () => withStore(b, async (store) => {
    await store.tx((r) => r.instances.insert(instance('a1', 'rm-1')));
    await store.tx((r) => r.instances.update(acct('a1'), iid('rm-1'), { instanceClass: 'x.large', storageGb: 50, status: 'DBInstanceClassChanging', statusUntil: 99 }));
    await store.tx((r) => r.instances.update(acct('a2'), iid('rm-1'), { description: 'not mine' }));
    const got = await store.read((r) => r.instances.get(acct('a1'), iid('rm-1')));
    assert.deepEqual([got?.instanceClass, got?.storageGb, got?.status, got?.statusUntil, got?.description, got?.engine],
      ['x.large', 50, 'DBInstanceClassChanging', 99, 'desc rm-1', 'MySQL']);
  }));

  it('client tokens: one answer per (account, action, token), until it expires', () => withStore(b, async (store) => {
    const call = { accountId: acct('a1'), action: 'CreateDBInstance', token: 'Terraform-Alicloud-1-x' };
    await store.tx((r) => r.clientTokens.put(call, { requestHash: 'h1', response: '{"DBInstanceId":"rm-1"}', expiresAtMs: 1000 }));
    assert.deepEqual(await store.read((r) => r.clientTokens.get(call, 999)), { requestHash: 'h1', response: '{"DBInstanceId":"rm-1"}' });
    assert.equal(await store.read((r) => r.clientTokens.get(call, 1000)), undefined, 'expired');
    assert.equal(await store.read((r) => r.clientTokens.get({ ...call, accountId: acct('a2') }, 0)), undefined);
    assert.equal(await store.read((r) => r.clientTokens.get({ ...call, action: 'ModifyDBInstanceSpec' }, 0)), undefined);
    await store.tx((r) => r.clientTokens.put(call, { requestHash: 'h2', response: '{}', expiresAtMs: 5000 }));
    assert.deepEqual(await store.read((r) => r.clientTokens.get(call, 1500)), { requestHash: 'h2', response: '{}' });
    assert.equal(await store.tx((r) => r.clientTokens.purge(6000)), 1);
    assert.equal(await store.read((r) => r.clientTokens.get(call, 0)), undefined);
  }));
}
