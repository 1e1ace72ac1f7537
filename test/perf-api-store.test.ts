// The API hot path's store shortcuts (issue 11), against the real stores: the SQLite store's own transaction lock
// with BEGIN/COMMIT and the hot queries run synchronously on better-sqlite3 (raw rows built into objects), the
// once-per-turn data_version read behind the key cache, and the cache hit answered without a promise. Each case
// checks a guarantee the shortcut could break: one snapshot per read, rollback, order, rows equal to Kysely's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { cachedKeyLookup } from '../src/auth/key-cache.js';
import { nonceDirOf } from '../src/store/sqlite-store.js';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceRecord } from '../src/domain/types.js';
import { BACKENDS, sqliteBackend, withStore } from './store-fixtures/backends.js';
import { accessKey, account, acct, endpoint, iid, instance } from './store-fixtures/records.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

for (const backend of BACKENDS) {
  describe(`hot path store on ${backend.name}`, () => {
    it('a read keeps one snapshot while a write commits between its queries; a read after sees the write', async () => {
      await withStore(backend, async (store) => {
        await store.tx(async (r) => {
          await r.accounts.createAccount(account('a1'));
          await r.instances.insert(instance('a1', 'rm-snap', { description: 'before' }));
        });
        let write: Promise<void> | undefined;
        const seen = await store.read(async (r) => {
          const first = await r.instances.get(acct('a1'), iid('rm-snap'));
          write = store.tx((w) => w.instances.update(acct('a1'), iid('rm-snap'), { description: 'after' }));
          await write;
          const second = await r.instances.get(acct('a1'), iid('rm-snap'));
          return [first?.description, second?.description];
        });
        assert.deepEqual(seen, ['before', 'before']);
        assert.equal((await store.read((r) => r.instances.get(acct('a1'), iid('rm-snap'))))?.description, 'after');
      });
    });

    it('reads that overlap run one after another, in order, and a failing one leaves the next unharmed', async () => {
      await withStore(backend, async (store) => {
        await store.tx(async (r) => {
          await r.accounts.createAccount(account('a1'));
          await r.instances.insert(instance('a1', 'rm-order'));
        });
        const order: number[] = [];
        const reads = Array.from({ length: 20 }, (_, i) => store.read(async (r) => {
          order.push(i);
          const got = await r.instances.get(acct('a1'), iid('rm-order'));
          await turn();
          if (i === 5) throw new Error('read failed on purpose');
          return got?.id;
        }));
        const results = await Promise.allSettled(reads);
        assert.equal(results.filter((x) => x.status === 'fulfilled' && x.value === 'rm-order').length, 19);
        assert.equal((results[5] as PromiseRejectedResult).reason.message, 'read failed on purpose');
        if (backend.name === 'sqlite') assert.deepEqual(order, [...order].sort((a, b) => a - b), 'the lock hands over in arrival order');
      });
    });

    it('a failed write rolls back and the next write commits', async () => {
      await withStore(backend, async (store) => {
        await store.tx((r) => r.accounts.createAccount(account('a1')));
        await assert.rejects(store.tx(async (r) => {
          await r.instances.insert(instance('a1', 'rm-gone'));
          throw new Error('abort');
        }), /abort/);
        await store.tx((r) => r.instances.insert(instance('a1', 'rm-kept')));
        const [gone, kept] = await store.read(async (r) => [
          await r.instances.get(acct('a1'), iid('rm-gone')), await r.instances.get(acct('a1'), iid('rm-kept'))]);
        assert.equal(gone, undefined);
        assert.equal(kept?.id, 'rm-kept');
      });
    });

    it('the hot queries answer exactly what the rows hold, scoped by account', async () => {
      await withStore(backend, async (store) => {
        const rec: InstanceRecord = instance('a1', 'rm-rows', { description: 'quote " and \\ and ünïcode', storageGb: 4096, deletionProtection: true, statusUntil: 1764567890123 });
        await store.tx(async (r) => {
          await r.accounts.createAccount(account('a1'));
          await r.accounts.createAccount(account('a2'));
          await r.instances.insert(rec);
          await r.endpoints.insert(endpoint('a1', 'rm-rows', 'rm-rows.mysql.rds.local', '127.32.0.9'));
        });
        const [inTx, other] = await store.tx(async (r) => [await r.instances.get(acct('a1'), iid('rm-rows')), await r.instances.get(acct('a2'), iid('rm-rows'))]);
        const [inRead, eps, otherEps] = await store.read(async (r) => [
          await r.instances.get(acct('a1'), iid('rm-rows')),
          await r.endpoints.listByInstance(acct('a1'), iid('rm-rows')),
          await r.endpoints.listByInstance(acct('a2'), iid('rm-rows')),
        ] as const);
        const { seq: _seq, ...withoutSeq } = inRead as InstanceRecord;
        assert.deepEqual(withoutSeq, rec);
        assert.deepEqual(inTx, inRead);
        assert.equal(other, undefined, 'another account sees nothing');
        assert.deepEqual(eps.map((e) => [e.connectionString, e.address, e.port]), [['rm-rows.mysql.rds.local', '127.32.0.9', 3306]]);
        assert.deepEqual(otherEps, []);
      });
    });

    it('a cached key answers without a promise, and a change another process commits is seen by the next turn', async () => {
      await withStore(backend, async (store, iso) => {
        await store.tx(async (r) => {
          await r.accounts.createAccount(account('a1'));
          await r.accounts.putKey(accessKey('AK-turn', 'a1'));
        });
        const lookup = cachedKeyLookup(store);
        assert.ok((await lookup('AK-turn')) !== undefined);
        // On PostgreSQL nothing is cached until the key-change listener is live (a moment after opening).
        let hit = lookup('AK-turn');
        for (const until = Date.now() + 3000; hit instanceof Promise && Date.now() < until;) {
          await hit;
          await new Promise((resolve) => setTimeout(resolve, 20));
          hit = lookup('AK-turn');
        }
        assert.ok(!(hit instanceof Promise), 'a hit is a value, not a promise');
        assert.equal((hit as { status: string }).status, 'Active');
        const other = await iso.reopen();
        await other.tx((r) => r.accounts.putKey(accessKey('AK-turn', 'a1', { status: 'Inactive' })));
        // PostgreSQL learns of it by notification, SQLite by data_version on the next turn: poll a little.
        const until = Date.now() + 3000;
        for (;;) {
          await turn();
          const got = lookup('AK-turn');
          const key = got instanceof Promise ? await got : got;
          if (key?.status === 'Inactive') break;
          if (Date.now() > until) assert.fail('the cache never saw the other process change the key');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
    });
  });
}

describe('hot path store on sqlite: the read memo', () => {
  it('a read answered from memory stays one snapshot when a write commits in the middle of it', async () => {
    await withStore(sqliteBackend, async (store) => {
      await store.tx(async (r) => {
        await r.accounts.createAccount(account('a1'));
        await r.instances.insert(instance('a1', 'rm-memo', { description: 'before' }));
        await r.endpoints.insert(endpoint('a1', 'rm-memo', 'rm-memo.before', '127.32.0.9'));
      });
      // Fills the memo.
      await store.read(async (r) => [await r.instances.get(acct('a1'), iid('rm-memo')), await r.endpoints.listByInstance(acct('a1'), iid('rm-memo'))]);
      let wrote = false;
      const seen = await store.read(async (r) => {
        const first = (await r.instances.get(acct('a1'), iid('rm-memo')))?.description;
        if (!wrote) {
          wrote = true;
          await store.tx(async (w) => {
            await w.instances.update(acct('a1'), iid('rm-memo'), { description: 'after' });
          });
        }
        const second = (await r.instances.get(acct('a1'), iid('rm-memo')))?.description;
        return [first, second];
      });
      assert.equal(seen[0], seen[1], `one snapshot: ${JSON.stringify(seen)}`);
      assert.equal((await store.read((r) => r.instances.get(acct('a1'), iid('rm-memo'))))?.description, 'after');
    });
  });

  it('a memo answer and a later query through Kysely stay one snapshot when a write commits between them', async () => {
    await withStore(sqliteBackend, async (store) => {
      await store.tx(async (r) => {
        await r.accounts.createAccount(account('a1'));
        await r.instances.insert(instance('a1', 'rm-mixed', { description: 'before' }));
      });
      await store.read((r) => r.instances.get(acct('a1'), iid('rm-mixed')));
      let wrote = false;
      const seen = await store.read(async (r) => {
        // Compiled (the memo answers it), then the change, then a listing that Kysely runs on SQLite.
        const first = (await r.instances.get(acct('a1'), iid('rm-mixed')))?.description;
        if (!wrote) {
          wrote = true;
          await store.tx((w) => w.instances.update(acct('a1'), iid('rm-mixed'), { description: 'after' }));
        }
        const listed = (await r.instances.list(acct('a1'), {}, 0, 10)).items[0]?.description;
        return [first, listed];
      });
      assert.equal(seen[0], seen[1], `one snapshot: ${JSON.stringify(seen)}`);
    });
  });

  it('what a caller does to an answer does not change the next one; a commit of another process is seen', async () => {
    await withStore(sqliteBackend, async (store, iso) => {
      await store.tx(async (r) => {
        await r.accounts.createAccount(account('a1'));
        await r.instances.insert(instance('a1', 'rm-copy', { description: 'kept' }));
      });
      const got = await store.read((r) => r.instances.get(acct('a1'), iid('rm-copy')));
      (got as { description: string }).description = 'scribbled';
      assert.equal((await store.read((r) => r.instances.get(acct('a1'), iid('rm-copy'))))?.description, 'kept');
      const hit = await store.read((r) => r.instances.get(acct('a1'), iid('rm-copy')));
      (hit as { description: string }).description = 'scribbled again';
      assert.equal((await store.read((r) => r.instances.get(acct('a1'), iid('rm-copy'))))?.description, 'kept');
      const other = await iso.reopen();
      await other.tx((w) => w.instances.update(acct('a1'), iid('rm-copy'), { description: 'elsewhere' }));
      await turn();
      assert.equal((await store.read((r) => r.instances.get(acct('a1'), iid('rm-copy'))))?.description, 'elsewhere');
    });
  });
});

describe('hot path store on sqlite: nonces in their journal, beside the file', () => {
  it('a batch is recorded once each in the journal and never touches the main file', async () => {
    await withStore(sqliteBackend, async (store, iso) => {
      const items = Array.from({ length: 50 }, (_, i) => ({ accessKeyId: 'AK-n', nonce: `n-${i % 40}-${i >= 40 ? 'again' : ''}`, expiresAtMs: Date.now() + 60_000 }));
      const answers = await store.useNonces(items, Date.now());
      assert.equal(answers.length, 50);
      assert.ok(answers.every((a) => a === true));
      assert.deepEqual(await store.useNonces(items.slice(0, 3), Date.now()), [false, false, false]);
      const file = iso.target[1] as string;
      const dir = nonceDirOf(file);
      const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      assert.equal(bytes, 50 * 16, 'one 16-byte record per fresh nonce');
      const raw = new BetterSqlite3(file, { readonly: true });
      try {
        assert.equal((raw.prepare('select count(*) as n from nonces').get() as { n: number }).n, 0, 'the main file holds none');
      } finally {
        raw.close();
      }
      // Another process (a new store on the same file) reads the journal back.
      await store.close();
      const again = await iso.reopen();
      assert.deepEqual(await again.useNonces([items[0] as (typeof items)[0], { accessKeyId: 'AK-n', nonce: 'new', expiresAtMs: Date.now() + 60_000 }], Date.now()), [false, true]);
    });
  });

  it('live nonces left in the main file by an older version move to the journal on open', async () => {
    await withStore(sqliteBackend, async (store, iso) => {
      const file = iso.target[1] as string;
      const now = Date.now();
      const raw = new BetterSqlite3(file);
      try {
        const put = raw.prepare('insert into nonces (access_key_id, nonce, expires_at) values (?, ?, ?)');
        put.run('AK-old', 'live', now + 600_000);
        put.run('AK-old', 'gone', now - 1_000);
      } finally {
        raw.close();
      }
      await store.close();
      const reopened = await iso.reopen();
      // A replay of the live one is refused; the expired one is used afresh.
      assert.deepEqual(await reopened.useNonces([
        { accessKeyId: 'AK-old', nonce: 'live', expiresAtMs: now + 900_000 },
        { accessKeyId: 'AK-old', nonce: 'gone', expiresAtMs: now + 900_000 },
      ], now), [false, true]);
      await reopened.close();
      // Moved, not copied: the main table is empty, and a second open still refuses the replay (from the journal).
      const check = new BetterSqlite3(file, { readonly: true });
      try {
        assert.equal((check.prepare('select count(*) as n from nonces').get() as { n: number }).n, 0);
      } finally {
        check.close();
      }
      const third = await iso.reopen();
      assert.deepEqual(await third.useNonces([{ accessKeyId: 'AK-old', nonce: 'live', expiresAtMs: now + 900_000 }], now), [false]);
    });
  });
});
