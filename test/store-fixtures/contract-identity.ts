// Store contract, identity part: accounts, access keys, nonces and the audit log.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { UniqueViolation } from '../../src/store/types.js';
import { CONSTRAINTS } from '../../src/store/constraints.js';
import { withStore, type Backend } from './backends.js';
import { accessKey, account, acct } from './records.js';

export function identityContract(b: Backend): void {
  it('accounts: create, get, list, delete; duplicate id is a UniqueViolation', () => withStore(b, async (store) => {
    await store.tx(async (r) => {
      await r.accounts.createAccount(account('a2'));
      await r.accounts.createAccount(account('a1', { name: 'first' }));
      await r.accounts.createAccount(account('B9'));
    });
    const got = await store.read((r) => r.accounts.getAccount(acct('a1')));
    assert.deepEqual(got, account('a1', { name: 'first' }));
    // Byte order on both dialects, whatever the PostgreSQL database's locale.
    assert.deepEqual((await store.read((r) => r.accounts.listAccounts())).map((a) => a.id), ['B9', 'a1', 'a2']);

    const err = await store.tx((r) => r.accounts.createAccount(account('a1'))).catch((e: unknown) => e);
    assert.ok(err instanceof UniqueViolation, `expected UniqueViolation, got ${String(err)}`);
    assert.equal(err.constraint, CONSTRAINTS.accountId.name);

    await store.tx((r) => r.accounts.deleteAccount(acct('a2')));
    assert.equal(await store.read((r) => r.accounts.getAccount(acct('a2'))), undefined);
    assert.equal(await store.read((r) => r.accounts.getAccount(acct('nope'))), undefined);
  }));

  it('a tx stays usable after catching a UniqueViolation', () => withStore(b, async (store) => {
    await store.tx((r) => r.accounts.createAccount(account('a1')));
    const outcome = await store.tx(async (r) => {
      const caught = await r.accounts.createAccount(account('a1')).then(() => 'no error', (e: unknown) => e);
      await r.accounts.createAccount(account('a3'));
      return caught;
    });
    assert.ok(outcome instanceof UniqueViolation);
    assert.deepEqual((await store.read((r) => r.accounts.listAccounts())).map((a) => a.id), ['a1', 'a3']);
  }));

  it('access keys: put inserts or replaces, list by account, delete; deleting an account drops its keys', () => withStore(b, async (store) => {
    await store.tx(async (r) => {
      await r.accounts.createAccount(account('a1'));
      await r.accounts.createAccount(account('a2'));
      await r.accounts.putKey(accessKey('k1', 'a1'));
      await r.accounts.putKey(accessKey('k2', 'a1', { policy: '{"Statement":[]}' }));
      await r.accounts.putKey(accessKey('k3', 'a2'));
      await r.accounts.putKey(accessKey('k1', 'a1', { status: 'Inactive', secret: 'rotated' }));
    });
    assert.deepEqual(await store.read((r) => r.accounts.getKey('k1')), accessKey('k1', 'a1', { status: 'Inactive', secret: 'rotated' }));
    assert.deepEqual(await store.read((r) => r.accounts.getKey('k2')), accessKey('k2', 'a1', { policy: '{"Statement":[]}' }));
    assert.deepEqual((await store.read((r) => r.accounts.listKeys(acct('a1')))).map((k) => k.accessKeyId), ['k1', 'k2']);
    assert.deepEqual((await store.read((r) => r.accounts.listKeys())).map((k) => k.accessKeyId), ['k1', 'k2', 'k3']);

    await store.tx((r) => r.accounts.deleteKey('k2'));
    assert.equal(await store.read((r) => r.accounts.getKey('k2')), undefined);
    await store.tx((r) => r.accounts.deleteAccount(acct('a1')));
    assert.deepEqual((await store.read((r) => r.accounts.listKeys())).map((k) => k.accessKeyId), ['k3']);
  }));

  it('nonces: once only while live, per access key, reusable after expiry, purge drops expired', () => withStore(b, async (store) => {
    const use = (key: string, nonce: string, now: number, exp: number) => store.tx((r) => r.nonces.use(key, nonce, now, exp));
    assert.equal(await use('k1', 'n1', 1000, 2000), true);
    assert.equal(await use('k1', 'n1', 1500, 2500), false);
    assert.equal(await use('k1', 'n1', 1999, 2999), false);
    assert.equal(await use('k2', 'n1', 1500, 2500), true);
    assert.equal(await use('k1', 'n2', 1500, 2500), true);
    assert.equal(await use('k1', 'n1', 2000, 3000), true, 'expired nonce may be used again');
    assert.equal(await use('k1', 'n1', 2500, 3500), false, 'and is then held until its new expiry');

    assert.equal(await store.tx((r) => r.nonces.purge(2500)), 2, 'k2/n1 and k1/n2 expired at 2500');
    assert.equal(await use('k2', 'n1', 2600, 3600), true);
    assert.equal(await store.tx((r) => r.nonces.purge(10_000)), 2);
    assert.equal(await store.tx((r) => r.nonces.purge(10_000)), 0);
  }));

  it('audit: append, list newest first with limit and account filter', () => withStore(b, async (store) => {
    const rec = (i: number, accountId: string) => ({
      time: `2026-01-01T00:00:0${i}Z`, requestId: `req-${i}`, accountId, accessKeyId: `k-${accountId}`,
      action: 'DescribeDBInstances', instanceId: i % 2 ? `rm-${i}` : '', result: i === 3 ? 'InvalidParameter' : 'OK',
    });
    await store.tx(async (r) => {
      for (let i = 1; i <= 5; i++) await r.audit.append(rec(i, i <= 3 ? 'a1' : 'a2'));
    });
    assert.deepEqual(await store.read((r) => r.audit.list({ limit: 2 })), [rec(5, 'a2'), rec(4, 'a2')]);
    assert.deepEqual(await store.read((r) => r.audit.list({ accountId: 'a1', limit: 10 })), [rec(3, 'a1'), rec(2, 'a1'), rec(1, 'a1')]);
    assert.deepEqual(await store.read((r) => r.audit.list({ accountId: 'zz', limit: 10 })), []);
  }));
}
