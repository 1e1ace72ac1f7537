// AuditRepo: append-only log of API calls; list returns the newest first.
import type { AuditRecord } from '../../domain/types.js';
import type { AuditRepo } from '../types.js';
import type { RepoContext } from './context.js';

export function auditRepo({ db }: RepoContext): AuditRepo {
  return {
    async append(r) {
      await db.insertInto('audit').values({
        time: r.time, request_id: r.requestId, account_id: r.accountId, access_key_id: r.accessKeyId,
        action: r.action, instance_id: r.instanceId, result: r.result,
      }).execute();
    },
    async list({ accountId, limit }) {
      let q = db.selectFrom('audit').selectAll();
      if (accountId !== undefined) q = q.where('account_id', '=', accountId);
      const rows = await q.orderBy('id', 'desc').limit(Math.max(0, limit)).execute();
      return rows.map((x): AuditRecord => ({
        time: x.time, requestId: x.request_id, accountId: x.account_id, accessKeyId: x.access_key_id,
        action: x.action, instanceId: x.instance_id, result: x.result,
      }));
    },
  };
}
