// 004_address_skips: why an address of a pool was passed over. Another process on this machine (a second
// localrds with the same default pools, any server) may hold an address:port that the store thinks is free;
// allocate then probes, finds it held, and records the row as released with this reason and its retry time in
// quarantine_until, so that the next allocations skip it until then instead of waiting on a bind that fails.
import type { Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('addresses')
    .addColumn('skip_reason', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
