// The hot path's in-memory caches against both real stores: the AccessKey cache follows changes made through
// another store on the same file or schema (another process, another node), and the nonce batcher refuses
// replays from memory and from the store, in one batch and across a reopen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedKeyLookup } from '../src/auth/key-cache.js';
import { batchedNonceUse } from '../src/auth/nonce-batch.js';
import type { AccessKeyRecord, AccountId } from '../src/domain/types.js';
import { BACKENDS, withStore } from './store-fixtures/backends.js';

const ACCOUNT = 'acct-cache' as AccountId;

function key(id: string, status: AccessKeyRecord['status'] = 'Active'): AccessKeyRecord {
  return { accessKeyId: id, secret: 'cacheTestSecret', accountId: ACCOUNT, status, policy: null, createdAt: '2026-01-01T00:00:00Z' };
}

/** Polls until the lookup answers as expected (a notification from another node takes a moment). */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail('the cache never saw the change');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const backend of BACKENDS) {
  describe(`key cache and nonces on ${backend.name}`, () => {
    it('a key changed through this store is seen at once', async () => {
      await withStore(backend, async (store) => {
        await store.tx(async (r) => {
          await r.accounts.createAccount({ id: ACCOUNT, name: 'c', createdAt: '2026-01-01T00:00:00Z' });
          await r.accounts.putKey(key('AK-local'));
        });
        const lookup = cachedKeyLookup(store);
        assert.equal((await lookup('AK-local'))?.status, 'Active');
        assert.equal(await lookup('AK-missing'), undefined);
        await store.tx((r) => r.accounts.putKey(key('AK-local', 'Inactive')));
        assert.equal((await lookup('AK-local'))?.status, 'Inactive');
        await store.tx((r) => r.accounts.putKey(key('AK-missing')));
        assert.equal((await lookup('AK-missing'))?.status, 'Active', 'a cached miss is dropped too');
        await store.tx((r) => r.accounts.deleteKey('AK-local'));
        assert.equal(await lookup('AK-local'), undefined);
        // A rolled-back change leaves the cache right as well (the version may move; the answer may not).
        await store.tx(async (r) => {
          await r.accounts.putKey(key('AK-missing', 'Inactive'));
          throw new Error('rollback');
        }).catch(() => undefined);
        assert.equal((await lookup('AK-missing'))?.status, 'Active');
      });
    });

    it('a key changed through another store on the same data (another process or node) is seen', async () => {
      await withStore(backend, async (store, iso) => {
        await store.tx(async (r) => {
          await r.accounts.createAccount({ id: ACCOUNT, name: 'c', createdAt: '2026-01-01T00:00:00Z' });
          await r.accounts.putKey(key('AK-remote'));
        });
        const lookup = cachedKeyLookup(store);
        assert.equal((await lookup('AK-remote'))?.status, 'Active');
        const other = await iso.reopen();
        await other.tx((r) => r.accounts.putKey(key('AK-remote', 'Inactive')));
        await eventually(async () => (await lookup('AK-remote'))?.status === 'Inactive');
        await other.tx((r) => r.accounts.deleteKey('AK-remote'));
        await eventually(async () => (await lookup('AK-remote')) === undefined);
      });
    });

    it('nonces: once in a batch, once from memory, once from the store after a restart', async () => {
      await withStore(backend, async (store, iso) => {
        const now = Date.now();
        const use = batchedNonceUse(store);
        // The same nonce three times in one event-loop turn (one batch): only the first is fresh.
        const same = await Promise.all([use('AK', 'n1', now, now + 60_000), use('AK', 'n1', now, now + 60_000), use('AK', 'n2', now, now + 60_000), use('AK', 'n1', now, now + 60_000)]);
        assert.deepEqual(same, [true, false, true, false]);
        assert.equal(await use('AK', 'n2', now, now + 60_000), false, 'from memory');
        assert.equal(await use('AK2', 'n2', now, now + 60_000), true, 'nonces are per key');
        // A new process (fresh memory) on the same store: the store answers.
        const restarted = batchedNonceUse(await iso.reopen());
        assert.deepEqual(await Promise.all([restarted('AK', 'n1', now, now + 60_000), restarted('AK', 'n3', now, now + 60_000)]), [false, true]);
        // Expired in the store: taken over.
        assert.equal(await restarted('AK', 'n1', now + 120_000, now + 180_000), true);
      });
    });
  });
}
