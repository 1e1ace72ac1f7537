// AccountRepo: accounts and their access keys. Row <-> record mapping for both tables lives here.
import { sql, type Selectable } from 'kysely';
import type { AccessKeyRecord, AccountId, AccountRecord, KeyStatus } from '../../domain/types.js';
import type { AccountRepo } from '../types.js';
import type { AccessKeysTable, AccountsTable } from '../schema.js';
import { guardUnique, type RepoContext } from './context.js';
import { preparedQuery } from './prepared.js';

const keyById = preparedQuery(['id'], (db, p) => db.selectFrom('access_keys').selectAll().where('access_key_id', '=', p.id));

/** PostgreSQL channel on which key changes are announced to every node's key cache (see postgres-store.ts). */
export const KEYS_CHANNEL = 'localrds_keys';

function toAccount(r: Selectable<AccountsTable>): AccountRecord {
  return { id: r.id as AccountId, name: r.name, createdAt: r.created_at };
}

function toKey(r: Selectable<AccessKeysTable>): AccessKeyRecord {
  return {
    accessKeyId: r.access_key_id, secret: r.secret, accountId: r.account_id as AccountId,
    status: r.status as KeyStatus, policy: r.policy, createdAt: r.created_at,
  };
}

function fromKey(k: AccessKeyRecord): AccessKeysTable {
  return {
    access_key_id: k.accessKeyId, secret: k.secret, account_id: k.accountId,
    status: k.status, policy: k.policy, created_at: k.createdAt,
  };
}

export function accountRepo(ctx: RepoContext): AccountRepo {
  const { db } = ctx;
  // Every change of a key or account goes through here: noted for this process's cache, and on PostgreSQL
  // announced (delivered at commit, dropped on rollback) to the other nodes' caches.
  const keysChanged = async (): Promise<void> => {
    ctx.changed.keys = true;
    if (ctx.dialect === 'postgres') await sql`select pg_notify(${KEYS_CHANNEL}, '')`.execute(db);
  };
  return {
    async createAccount(a) {
      await guardUnique(ctx, () =>
        db.insertInto('accounts').values({ id: a.id, name: a.name, created_at: a.createdAt }).execute());
    },
    async getAccount(id) {
      const r = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toAccount(r);
    },
    async listAccounts() {
      return (await db.selectFrom('accounts').selectAll().orderBy('id').execute()).map(toAccount);
    },
    // Keys go with their account: a key left behind would still authenticate as an account that is gone.
    async deleteAccount(id) {
      await keysChanged();
      await db.deleteFrom('access_keys').where('account_id', '=', id).execute();
      await db.deleteFrom('accounts').where('id', '=', id).execute();
    },
    async putKey(k) {
      await keysChanged();
      const row = fromKey(k);
      await db.insertInto('access_keys').values(row)
        .onConflict((oc) => oc.column('access_key_id').doUpdateSet({
          secret: row.secret, account_id: row.account_id, status: row.status, policy: row.policy, created_at: row.created_at,
        }))
        .execute();
    },
    async getKey(accessKeyId) {
      const [r] = await keyById(ctx, { id: accessKeyId });
      return r && toKey(r);
    },
    async listKeys(accountId) {
      let q = db.selectFrom('access_keys').selectAll();
      if (accountId !== undefined) q = q.where('account_id', '=', accountId);
      return (await q.orderBy('access_key_id').execute()).map(toKey);
    },
    async deleteKey(accessKeyId) {
      await keysChanged();
      await db.deleteFrom('access_keys').where('access_key_id', '=', accessKeyId).execute();
    },
  };
}
