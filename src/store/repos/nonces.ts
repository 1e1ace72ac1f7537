// NonceRepo: the once-only check of signature nonces, in the store so every node of a cluster agrees.
import type { NonceRepo } from '../types.js';
import { num, type RepoContext } from './context.js';

export function nonceRepo({ db }: RepoContext): NonceRepo {
  return {
    // One statement decides: a new nonce inserts; a held-but-expired one is taken over (its expiry moves);
    // a held, live one matches the conflict but not the WHERE, so no row changes and the answer is false.
    async use(accessKeyId, nonce, nowMs, expiresAtMs) {
      const r = await db.insertInto('nonces')
        .values({ access_key_id: accessKeyId, nonce, expires_at: expiresAtMs })
        .onConflict((oc) => oc.columns(['access_key_id', 'nonce'])
          .doUpdateSet({ expires_at: expiresAtMs })
          .where('nonces.expires_at', '<=', nowMs))
        .executeTakeFirst();
      return num(r.numInsertedOrUpdatedRows) === 1;
    },
    async purge(nowMs) {
      const r = await db.deleteFrom('nonces').where('expires_at', '<=', nowMs).executeTakeFirst();
      return num(r.numDeletedRows);
    },
  };
}
