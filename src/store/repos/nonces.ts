// NonceRepo: the once-only check of signature nonces, in the store so every node of a cluster agrees.
import type { NonceRepo } from '../types.js';
import { chunks, num, type RepoContext } from './context.js';
import { preparedQuery, runCompiled } from './prepared.js';

// One nonce, compiled once: where statements run synchronously (SQLite) a batch is this statement per nonce in
// the batch's one transaction, cheaper than building and compiling a multi-row INSERT for every batch.
const useOne = preparedQuery(['accessKeyId', 'nonce', 'expiresAtMs', 'nowMs'], (db, p) => db.insertInto('nonces')
  .values({ access_key_id: p.accessKeyId, nonce: p.nonce, expires_at: p.expiresAtMs as unknown as number })
  .onConflict((oc) => oc.columns(['access_key_id', 'nonce'])
    .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
    .where('nonces.expires_at', '<=', p.nowMs as unknown as number))
  .returning(['access_key_id']));

export function nonceRepo(ctx: RepoContext): NonceRepo {
  const { db } = ctx;
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
    // The same decision as use(), for a whole batch: RETURNING lists the rows inserted or taken over; a pair
    // missing from it was held and live. 300 rows (900 parameters) per statement stay far from SQLite's limit.
    async useMany(items, nowMs) {
      if (ctx.runSync !== undefined) {
        const out: boolean[] = [];
        for (const i of items) out.push((await useOne(ctx, { accessKeyId: i.accessKeyId, nonce: i.nonce, expiresAtMs: i.expiresAtMs, nowMs })).length === 1);
        return out;
      }
      const fresh = new Set<string>();
      for (const part of chunks(items, 300)) {
        const rows = await runCompiled(ctx, db.insertInto('nonces')
          .values(part.map((i) => ({ access_key_id: i.accessKeyId, nonce: i.nonce, expires_at: i.expiresAtMs })))
          .onConflict((oc) => oc.columns(['access_key_id', 'nonce'])
            .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
            .where('nonces.expires_at', '<=', nowMs))
          .returning(['access_key_id', 'nonce'])
          .compile());
        for (const r of rows) fresh.add(`${r.access_key_id}\n${r.nonce}`);
      }
      return items.map((i) => fresh.has(`${i.accessKeyId}\n${i.nonce}`));
    },
    async purge(nowMs) {
      const r = await db.deleteFrom('nonces').where('expires_at', '<=', nowMs).executeTakeFirst();
      return num(r.numDeletedRows);
    },
  };
}
