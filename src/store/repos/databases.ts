// DatabaseRepo: the databases of instances (name, character set, PostgreSQL collate/ctype, description).
import type { Selectable } from 'kysely';
import type { AccountId, DatabaseRecord, InstanceId } from '../../domain/types.js';
import type { DatabaseRepo } from '../types.js';
import type { DbDatabasesTable } from '../schema.js';
import { chunks, guardUnique, num, type RepoContext } from './context.js';

function toDatabase(r: Selectable<DbDatabasesTable>): DatabaseRecord {
  return {
    accountId: r.account_id as AccountId, instanceId: r.instance_id as InstanceId, name: r.name,
    charset: r.charset, collate: r.collate, ctype: r.ctype, description: r.description, createdAt: r.created_at,
  };
}

export function databaseRepo(ctx: RepoContext): DatabaseRepo {
  const { db } = ctx;
  return {
    async insert(d) {
      await guardUnique(ctx, () => db.insertInto('db_databases').values({
        account_id: d.accountId, instance_id: d.instanceId, name: d.name, charset: d.charset, collate: d.collate,
        ctype: d.ctype, description: d.description, created_at: d.createdAt,
      }).execute());
    },
    async get(accountId, instanceId, name) {
      const r = await db.selectFrom('db_databases').selectAll()
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId).where('name', '=', name)
        .executeTakeFirst();
      return r && toDatabase(r);
    },
    async list(accountId, instanceId) {
      const rows = await db.selectFrom('db_databases').selectAll()
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId)
        .orderBy('name').execute();
      return rows.map(toDatabase);
    },
    async setDescription(accountId, instanceId, name, description) {
      const res = await db.updateTable('db_databases').set({ description })
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId).where('name', '=', name)
        .executeTakeFirst();
      return num(res.numUpdatedRows) > 0;
    },
    async delete(accountId, instanceId, name) {
      await db.deleteFrom('db_databases')
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId).where('name', '=', name).execute();
    },
    async listByInstanceIds(ids) {
      const out: DatabaseRecord[] = [];
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('db_databases').selectAll().where('instance_id', 'in', part)
          .orderBy('instance_id').orderBy('name').execute();
        out.push(...rows.map(toDatabase));
      }
      return out;
    },
    async nameHeldOnEngine(engine, name, exceptInstanceId) {
      let q = db.selectFrom('db_databases').innerJoin('instances', 'instances.id', 'db_databases.instance_id')
        .select('db_databases.name').where('db_databases.name', '=', name).where('instances.engine', '=', engine);
      if (exceptInstanceId !== undefined) q = q.where('db_databases.instance_id', '!=', exceptInstanceId);
      return (await q.limit(1).executeTakeFirst()) !== undefined;
    },
  };
}
