// AddressRepo: IPv4 pool allocation. Rows are never deleted: release marks a row released with a quarantine
// deadline, and allocate either reuses the lowest such row whose quarantine has passed or inserts the lowest
// number that has no row. Every lookup is an index probe or a short index range; nothing is loaded into JS.
import { sql, type Kysely } from 'kysely';
import type { AddressRepo } from '../types.js';
import type { Database } from '../schema.js';
import { RetryTransaction, asUniqueViolation } from '../errors.js';
import { ipv4ToNumber, numberToIpv4 } from '../ipv4.js';
import { num, type RepoContext } from './context.js';

type Db = Kysely<Database>;

/** Lowest released row in [first, last] out of quarantine (partial index addresses_released_idx). */
async function lowestReusable(db: Db, pool: string, first: number, last: number, nowMs: number): Promise<number | undefined> {
  const r = await db.selectFrom('addresses').select('address_num')
    .where('pool', '=', pool).where(sql<boolean>`released = 1`)
    .where('address_num', '>=', first).where('address_num', '<=', last)
    .where('quarantine_until', '<=', nowMs)
    .orderBy('address_num').limit(1).executeTakeFirst();
  return r === undefined ? undefined : num(r.address_num);
}

/** Lowest number in [from, to] with no row, or undefined when each has one. */
async function lowestWithoutRow(db: Db, pool: string, from: number, to: number): Promise<number | undefined> {
  if (from > to) return undefined;
  const taken = await db.selectFrom('addresses').select('address_num')
    .where('pool', '=', pool).where('address_num', '=', from).executeTakeFirst();
  if (taken === undefined) return from;
  // The first row a >= from whose successor has no row ends the run of rows that starts at `from`.
  const gap = await db.selectFrom('addresses as a')
    .where('a.pool', '=', pool).where('a.address_num', '>=', from).where('a.address_num', '<', to)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('addresses as b').select(sql.lit(1).as('one'))
      .whereRef('b.pool', '=', 'a.pool')
      .where('b.address_num', '=', sql<number>`a.address_num + 1`))))
    .select(sql<number | string>`a.address_num + 1`.as('n'))
    .orderBy('a.address_num').limit(1).executeTakeFirst();
  return gap === undefined ? undefined : num(gap.n);
}

async function readMark(db: Db, pool: string, first: number): Promise<number> {
  const m = await db.selectFrom('address_marks').select('dense_to')
    .where('pool', '=', pool).where('first', '=', first).executeTakeFirst();
  return m === undefined ? first - 1 : num(m.dense_to);
}

async function writeMark(db: Db, pool: string, first: number, denseTo: number): Promise<void> {
  await db.insertInto('address_marks').values({ pool, first, dense_to: denseTo })
    .onConflict((oc) => oc.columns(['pool', 'first']).doUpdateSet({ dense_to: denseTo })).execute();
}

export function addressRepo({ db }: RepoContext): AddressRepo {
  return {
    async allocate(pool, first, last, owner, nowMs) {
      if (first > last) return undefined;
      const reuse = await lowestReusable(db, pool, first, last, nowMs);
      // Numbers up to the mark all have rows; a new number only wins if it is below the reusable one.
      const dense = await readMark(db, pool, first);
      const from = Math.max(first, dense + 1);
      const to = reuse === undefined ? last : Math.min(last, reuse - 1);
      const fresh = await lowestWithoutRow(db, pool, from, to);
      const known = fresh === undefined ? to : fresh - 1;

      if (fresh !== undefined) {
        const address = numberToIpv4(fresh);
        try {
          await db.insertInto('addresses').values({
            pool, address_num: fresh, address, account_id: owner.accountId, instance_id: owner.instanceId,
            released: 0, quarantine_until: 0,
          }).execute();
        } catch (e) {
          // Another transaction inserted the same number after our snapshot (PostgreSQL only): a retry sees it.
          if (asUniqueViolation(e)) throw new RetryTransaction(`address ${address} of pool ${pool} taken concurrently`);
          throw e;
        }
        if (fresh > dense) await writeMark(db, pool, first, fresh);
        return address;
      }
      if (known > dense) await writeMark(db, pool, first, known);
      if (reuse === undefined) return undefined;
      const r = await db.updateTable('addresses')
        .set({ released: 0, quarantine_until: 0, account_id: owner.accountId, instance_id: owner.instanceId, skip_reason: '' })
        .where('pool', '=', pool).where('address_num', '=', reuse)
        .where(sql<boolean>`released = 1`).where('quarantine_until', '<=', nowMs)
        .executeTakeFirst();
      if (num(r.numUpdatedRows) !== 1) throw new RetryTransaction(`address ${numberToIpv4(reuse)} of pool ${pool} reused concurrently`);
      return numberToIpv4(reuse);
    },
    async release(pool, address, quarantineUntilMs) {
      await db.updateTable('addresses').set({ released: 1, quarantine_until: quarantineUntilMs, skip_reason: '' })
        .where('pool', '=', pool).where('address_num', '=', ipv4ToNumber(address)).execute();
    },
    async skip(pool, address, reason, retryAtMs) {
      await db.updateTable('addresses').set({ released: 1, quarantine_until: retryAtMs, skip_reason: reason })
        .where('pool', '=', pool).where('address_num', '=', ipv4ToNumber(address)).execute();
    },
    async listSkipped(pool, nowMs) {
      const rows = await db.selectFrom('addresses').select(['address', 'skip_reason', 'quarantine_until'])
        .where('pool', '=', pool).where(sql<boolean>`released = 1`).where('skip_reason', '<>', '')
        .where('quarantine_until', '>', nowMs).orderBy('quarantine_until', 'desc').execute();
      return rows.map((r) => ({ address: r.address, reason: r.skip_reason, retryAtMs: num(r.quarantine_until) }));
    },
    async countHeld(pool) {
      const r = await db.selectFrom('addresses').where('pool', '=', pool).where(sql<boolean>`released = 0`)
        .select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return num(r.n);
    },
  };
}
