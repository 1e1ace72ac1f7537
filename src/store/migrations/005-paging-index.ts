// 005_paging_index: PageNumber/PageSize paging that stays flat with the number of instances. Counting the
// matching rows (TotalRecordCount) and skipping with OFFSET walked every instance of the account; now
// instance_page_counts holds, per account, region and block of 1024 seq values, how many instances there
// are, so a page finds its block by summing a few counts and skips at most one block, on an index of
// (account_id, region_id, seq). The counts change in the same transaction as the instances (repos/instances.ts).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  await db.schema.createTable('instance_page_counts')
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('region_id', text, (c) => c.notNull())
    .addColumn('block', 'bigint', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('instance_page_counts_pkey', ['account_id', 'region_id', 'block'])
    .execute();
  await db.schema.createIndex('instances_account_region_seq_idx').on('instances')
    .columns(['account_id', 'region_id', 'seq']).execute();
  // Instances made before this migration are counted once here.
  await sql`insert into instance_page_counts (account_id, region_id, block, n)
    select account_id, region_id, seq / 1024, count(*) from instances group by account_id, region_id, seq / 1024`.execute(db);
}
