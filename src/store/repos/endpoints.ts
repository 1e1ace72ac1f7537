// EndpointRepo: connection strings and their pool addresses. Connection strings are unique across all accounts
// (CONSTRAINTS.endpointConnectionString) and an address is unique per ip type (CONSTRAINTS.endpointAddress).
import type { Selectable } from 'kysely';
import type { AccountId, EndpointRecord, InstanceId, IpType } from '../../domain/types.js';
import type { EndpointRepo } from '../types.js';
import type { EndpointsTable } from '../schema.js';
import { chunks, guardUnique, type RepoContext } from './context.js';
import { preparedQuery } from './prepared.js';

const byInstance = preparedQuery(['accountId', 'id'], (db, p) =>
  db.selectFrom('endpoints').selectAll().where('account_id', '=', p.accountId).where('instance_id', '=', p.id)
    .orderBy('created_at').orderBy('connection_string'));

function toEndpoint(r: Selectable<EndpointsTable>): EndpointRecord {
  return {
    accountId: r.account_id as AccountId, instanceId: r.instance_id as InstanceId,
    connectionString: r.connection_string, ipType: r.ip_type as IpType, address: r.address,
    port: r.port, createdAt: r.created_at, bindError: r.bind_error,
  };
}

export function endpointRepo(ctx: RepoContext): EndpointRepo {
  const { db } = ctx;
  return {
    async insert(e) {
      await guardUnique(ctx, () => db.insertInto('endpoints').values({
        connection_string: e.connectionString, account_id: e.accountId, instance_id: e.instanceId,
        ip_type: e.ipType, address: e.address, port: e.port, created_at: e.createdAt, bind_error: e.bindError,
      }).execute());
    },
    async listByInstance(accountId, id) {
      return (await byInstance(ctx, { accountId, id })).map(toEndpoint);
    },
    async getByConnectionString(cs) {
      const r = await db.selectFrom('endpoints').selectAll().where('connection_string', '=', cs).executeTakeFirst();
      return r && toEndpoint(r);
    },
    async delete(cs) {
      await db.deleteFrom('endpoints').where('connection_string', '=', cs).execute();
    },
    async deleteByInstance(accountId, id) {
      await db.deleteFrom('endpoints').where('account_id', '=', accountId).where('instance_id', '=', id).execute();
    },
    async update(cs, next) {
      await guardUnique(ctx, () => db.updateTable('endpoints')
        .set({ connection_string: next.connectionString, port: next.port })
        .where('connection_string', '=', cs).execute());
    },
    async setBindError(cs, error) {
      await db.updateTable('endpoints').set({ bind_error: error }).where('connection_string', '=', cs).execute();
    },
    async setAddress(cs, address) {
      await db.updateTable('endpoints').set({ address, bind_error: '' }).where('connection_string', '=', cs).execute();
    },
    async listAll() {
      const rows = await db.selectFrom('endpoints').selectAll().orderBy('connection_string').execute();
      return rows.map(toEndpoint);
    },
    async listByInstanceIds(ids) {
      const out: EndpointRecord[] = [];
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('endpoints').selectAll().where('instance_id', 'in', part)
          .orderBy('connection_string').execute();
        out.push(...rows.map(toEndpoint));
      }
      return out;
    },
  };
}
