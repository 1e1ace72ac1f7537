// Store contract, transactions: rollback on throw, no lost updates under concurrency, read(), migrations on reopen.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { withStore, type Backend } from './backends.js';
import { account, acct, iid, instance } from './records.js';

export function txContract(b: Backend): void {
  it('tx: commits the value fn returns; a throw rolls back every write and is rethrown as is', () => withStore(b, async (store) => {
    assert.equal(await store.tx(async (r) => { await r.accounts.createAccount(account('a1')); return 42; }), 42);
    const boom = new Error('boom');
    const err = await store.tx(async (r) => {
      await r.instances.insert(instance('a1', 'rm-1'));
      await r.accounts.deleteAccount(acct('a1'));
      await r.addresses.allocate('private', 1, 10, { accountId: acct('a1'), instanceId: iid('rm-1') }, 0);
      throw boom;
    }).catch((e: unknown) => e);
    assert.equal(err, boom);
    assert.equal(await store.read((r) => r.instances.countAll()), 0);
    assert.ok(await store.read((r) => r.accounts.getAccount(acct('a1'))));
    assert.equal(await store.read((r) => r.addresses.countHeld('private')), 0);
  }));

  it('tx: 64 concurrent read-modify-write transactions on one row lose no update', { timeout: 60_000 }, () => withStore(b, async (store) => {
    await store.tx((r) => r.instances.insert(instance('a1', 'rm-1', { statusUntil: 1000 })));
    await Promise.all(Array.from({ length: 64 }, () => store.tx(async (r) => {
      const cur = await r.instances.get(acct('a1'), iid('rm-1'), { forUpdate: true });
      assert.ok(cur);
      // Yield between read and write so an interleaving store would let others read the same value.
      await new Promise((res) => setImmediate(res));
      await r.instances.setStatus(acct('a1'), iid('rm-1'), 'Running', cur.statusUntil + 1);
    })));
    assert.equal((await store.read((r) => r.instances.get(acct('a1'), iid('rm-1'))))?.statusUntil, 1064);
  }));

  it('read: sees committed state and refuses to write', () => withStore(b, async (store) => {
    await store.tx((r) => r.accounts.createAccount(account('a1')));
    assert.equal((await store.read((r) => r.accounts.listAccounts())).length, 1);
    await assert.rejects(store.read((r) => r.accounts.createAccount(account('a2'))));
    assert.equal((await store.read((r) => r.accounts.listAccounts())).length, 1);
    // The store is still healthy after the refused write.
    await store.tx((r) => r.accounts.createAccount(account('a3')));
    assert.equal((await store.read((r) => r.accounts.listAccounts())).length, 2);
  }));

  it('open: migrations run once; reopening keeps the data; a closed store refuses work', () => withStore(b, async (store, iso) => {
    await store.tx((r) => r.accounts.createAccount(account('a1')));
    await store.close();
    await assert.rejects(store.tx(async () => 1), /closed/);
    const again = await iso.reopen();
    assert.equal(again.kind, b.name);
    assert.deepEqual((await again.read((r) => r.accounts.listAccounts())).map((a) => a.id), ['a1']);
    const third = await iso.reopen();
    assert.equal((await third.read((r) => r.accounts.listAccounts())).length, 1);
  }));
}
