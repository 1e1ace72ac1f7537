// ClientTokenRepo: the first answer of each (account, action, ClientToken), kept until it expires.
import { num, type RepoContext } from './context.js';
import type { ClientTokenRepo } from '../types.js';

export function clientTokenRepo({ db }: RepoContext): ClientTokenRepo {
  return {
    async get(call, nowMs) {
      const r = await db.selectFrom('client_tokens').select(['request_hash', 'response', 'expires_at'])
        .where('account_id', '=', call.accountId).where('action', '=', call.action).where('token', '=', call.token)
        .executeTakeFirst();
      return r && num(r.expires_at) > nowMs ? { requestHash: r.request_hash, response: r.response } : undefined;
    },
    async put(call, stored) {
      const values = { request_hash: stored.requestHash, response: stored.response, expires_at: stored.expiresAtMs };
      // An expired row with the same key is replaced: the token starts a new life.
      await db.insertInto('client_tokens').values({ account_id: call.accountId, action: call.action, token: call.token, ...values })
        .onConflict((oc) => oc.columns(['account_id', 'action', 'token']).doUpdateSet(values))
        .execute();
    },
    async purge(nowMs) {
      const r = await db.deleteFrom('client_tokens').where('expires_at', '<=', nowMs).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
