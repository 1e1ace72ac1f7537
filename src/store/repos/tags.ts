// TagRepo: the tags of each instance (key unique per instance), scoped by account.
import type { AccountId, InstanceId, InstanceTag } from '../../domain/types.js';
import type { TagRepo } from '../types.js';
import { chunks, type RepoContext } from './context.js';

export function tagRepo({ db }: RepoContext): TagRepo {
  return {
    async list(accountId, ids) {
      if (ids.length === 0) return [];
      const out: InstanceTag[] = [];
      for (const part of chunks(ids)) {
        const rows = await db.selectFrom('instance_tags').selectAll()
          .where('account_id', '=', accountId).where('instance_id', 'in', part)
          .orderBy('instance_id').orderBy('tag_key').execute();
        for (const r of rows) out.push({ instanceId: r.instance_id as InstanceId, key: r.tag_key, value: r.tag_value });
      }
      return out;
    },
    async listByAccount(accountId) {
      const rows = await db.selectFrom('instance_tags').selectAll().where('account_id', '=', accountId)
        .orderBy('tag_key').orderBy('tag_value').orderBy('instance_id').execute();
      return rows.map((r) => ({ instanceId: r.instance_id as InstanceId, key: r.tag_key, value: r.tag_value }));
    },
    async put(accountId, t) {
      await db.insertInto('instance_tags').values({ account_id: accountId, instance_id: t.instanceId, tag_key: t.key, tag_value: t.value })
        .onConflict((oc) => oc.columns(['account_id', 'instance_id', 'tag_key']).doUpdateSet({ tag_value: t.value }))
        .execute();
    },
    async delete(accountId: AccountId, id: InstanceId, keys?: string[]) {
      let q = db.deleteFrom('instance_tags').where('account_id', '=', accountId).where('instance_id', '=', id);
      if (keys !== undefined) {
        if (keys.length === 0) return;
        q = q.where('tag_key', 'in', keys);
      }
      await q.execute();
    },
  };
}
