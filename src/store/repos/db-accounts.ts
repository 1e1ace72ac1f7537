// DbAccountRepo: the database accounts of instances, with the engines' password verifiers (never a password).
import type { Selectable } from 'kysely';
import type { AccountId, DbAccountRecord, DbAccountType, InstanceId } from '../../domain/types.js';
import type { DbAccountRepo } from '../types.js';
import type { DbAccountsTable } from '../schema.js';
import { chunks, guardUnique, num, type RepoContext } from './context.js';

function toDbAccount(r: Selectable<DbAccountsTable>): DbAccountRecord {
  return {
    accountId: r.account_id as AccountId, instanceId: r.instance_id as InstanceId, name: r.name,
    type: r.type as DbAccountType, description: r.description, locked: num(r.locked) === 1,
    mysqlHash: r.mysql_hash, scramVerifier: r.scram_verifier, createdAt: r.created_at,
  };
}

export function dbAccountRepo(ctx: RepoContext): DbAccountRepo {
  const { db } = ctx;
  const get: DbAccountRepo['get'] = async (accountId, instanceId, name) => {
    const r = await db.selectFrom('db_accounts').selectAll()
      .where('account_id', '=', accountId).where('instance_id', '=', instanceId).where('name', '=', name)
      .executeTakeFirst();
    return r && toDbAccount(r);
  };
  return {
    get,
    async insert(a) {
      await guardUnique(ctx, () => db.insertInto('db_accounts').values({
        account_id: a.accountId, instance_id: a.instanceId, name: a.name, type: a.type, description: a.description,
        locked: a.locked ? 1 : 0, mysql_hash: a.mysqlHash, scram_verifier: a.scramVerifier, created_at: a.createdAt,
      }).execute());
    },
    async list(accountId, instanceId) {
      const rows = await db.selectFrom('db_accounts').selectAll()
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId)
        .orderBy('name').execute();
      return rows.map(toDbAccount);
    },
    async update(accountId, instanceId, name, patch) {
      const set: Partial<DbAccountsTable> = {};
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.locked !== undefined) set.locked = patch.locked ? 1 : 0;
      if (patch.mysqlHash !== undefined) set.mysql_hash = patch.mysqlHash;
      if (patch.scramVerifier !== undefined) set.scram_verifier = patch.scramVerifier;
      // An empty patch still answers whether the account exists.
      if (Object.keys(set).length === 0) return (await get(accountId, instanceId, name)) !== undefined;
      const res = await db.updateTable('db_accounts').set(set)
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId).where('name', '=', name)
        .executeTakeFirst();
      return num(res.numUpdatedRows) > 0;
    },
    async delete(accountId, instanceId, name) {
      await db.deleteFrom('db_accounts')
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId).where('name', '=', name).execute();
    },
    async listByInstanceIds(ids) {
      const out: DbAccountRecord[] = [];
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('db_accounts').selectAll().where('instance_id', 'in', part)
          .orderBy('instance_id').orderBy('name').execute();
        out.push(...rows.map(toDbAccount));
      }
      return out;
    },
    async nameHeldOnEngine(engine, name, exceptInstanceId) {
      let q = db.selectFrom('db_accounts').innerJoin('instances', 'instances.id', 'db_accounts.instance_id')
        .select('db_accounts.name').where('db_accounts.name', '=', name).where('instances.engine', '=', engine);
      if (exceptInstanceId !== undefined) q = q.where('db_accounts.instance_id', '!=', exceptInstanceId);
      return (await q.limit(1).executeTakeFirst()) !== undefined;
    },
  };
}
