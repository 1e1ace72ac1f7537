// PrivilegeRepo: per-database grants of database accounts, one mode per (account, database) of an instance.
import type { Selectable } from 'kysely';
import type { AccountId, DatabasePrivilege, InstanceId, PrivilegeRecord } from '../../domain/types.js';
import type { PrivilegeRepo } from '../types.js';
import type { DbPrivilegesTable } from '../schema.js';
import { chunks, type RepoContext } from './context.js';

function toPrivilege(r: Selectable<DbPrivilegesTable>): PrivilegeRecord {
  return {
    accountId: r.account_id as AccountId, instanceId: r.instance_id as InstanceId, accountName: r.account_name,
    dbName: r.db_name, privilege: r.privilege as DatabasePrivilege,
  };
}

export function privilegeRepo({ db }: RepoContext): PrivilegeRepo {
  return {
    async put(p) {
      await db.insertInto('db_privileges').values({
        account_id: p.accountId, instance_id: p.instanceId, account_name: p.accountName, db_name: p.dbName,
        privilege: p.privilege,
      }).onConflict((oc) => oc.columns(['account_id', 'instance_id', 'account_name', 'db_name'])
        .doUpdateSet({ privilege: p.privilege })).execute();
    },
    async delete(accountId, instanceId, accountName, dbName) {
      await db.deleteFrom('db_privileges').where('account_id', '=', accountId).where('instance_id', '=', instanceId)
        .where('account_name', '=', accountName).where('db_name', '=', dbName).execute();
    },
    async list(accountId, instanceId) {
      const rows = await db.selectFrom('db_privileges').selectAll()
        .where('account_id', '=', accountId).where('instance_id', '=', instanceId)
        .orderBy('account_name').orderBy('db_name').execute();
      return rows.map(toPrivilege);
    },
    async deleteByAccount(accountId, instanceId, accountName) {
      await db.deleteFrom('db_privileges').where('account_id', '=', accountId).where('instance_id', '=', instanceId)
        .where('account_name', '=', accountName).execute();
    },
    async listByInstanceIds(ids) {
      const out: PrivilegeRecord[] = [];
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('db_privileges').selectAll().where('instance_id', 'in', part)
          .orderBy('instance_id').orderBy('account_name').orderBy('db_name').execute();
        out.push(...rows.map(toPrivilege));
      }
      return out;
    },
  };
}
