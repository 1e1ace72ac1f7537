// 001_init: every table of the first release. One schema for both dialects; the branches are the
// auto-numbered keys (SQLite AUTOINCREMENT, PostgreSQL identity, neither ever reuses a value, so a NextToken
// built from instances.seq stays valid after deletes) and the byte-order collation of text on PostgreSQL.
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';
import { CONSTRAINTS as C } from '../constraints.js';

// Kysely<any>: a migration sees the schema as it was when it was written, not today's Database type.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const s = db.schema;
  // Byte-order comparison of text on both sides (SQLite's BINARY), so ORDER BY gives the same order on a
  // PostgreSQL database created with a locale such as en_US.UTF-8.
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  const serial = <T extends string>(t: CreateTableBuilder<T, never>, name: string) =>
    dialect === 'sqlite'
      ? t.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement())
      : t.addColumn(name, 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity());

  await s.createTable('accounts')
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(C.accountId.name, ['id'])
    .execute();

  await s.createTable('access_keys')
    .addColumn('access_key_id', text, (c) => c.notNull())
    .addColumn('secret', text, (c) => c.notNull())
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('policy', 'text')
    .addColumn('created_at', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(C.accessKeyId.name, ['access_key_id'])
    .execute();
  await s.createIndex('access_keys_account_idx').on('access_keys').column('account_id').execute();

  await s.createTable('nonces')
    .addColumn('access_key_id', text, (c) => c.notNull())
    .addColumn('nonce', text, (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(C.nonce.name, ['access_key_id', 'nonce'])
    .execute();
  await s.createIndex('nonces_expires_idx').on('nonces').column('expires_at').execute();

  await serial(s.createTable('instances'), 'seq')
    .addColumn('id', text, (c) => c.notNull())
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('region_id', text, (c) => c.notNull())
    .addColumn('zone_id', text, (c) => c.notNull())
    .addColumn('engine', text, (c) => c.notNull())
    .addColumn('engine_version', text, (c) => c.notNull())
    .addColumn('instance_class', text, (c) => c.notNull())
    .addColumn('storage_gb', 'integer', (c) => c.notNull())
    .addColumn('storage_type', text, (c) => c.notNull())
    .addColumn('category', text, (c) => c.notNull())
    .addColumn('pay_type', text, (c) => c.notNull())
    .addColumn('network_type', text, (c) => c.notNull())
    .addColumn('vpc_id', text, (c) => c.notNull())
    .addColumn('v_switch_id', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('status_until', 'bigint', (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('deletion_protection', 'integer', (c) => c.notNull())
    .addUniqueConstraint(C.instanceId.name, ['id'])
    .execute();
  await s.createIndex('instances_account_seq_idx').on('instances').columns(['account_id', 'seq']).execute();
  await s.createIndex('instances_status_idx').on('instances').column('status').execute();

  await s.createTable('endpoints')
    .addColumn('connection_string', text, (c) => c.notNull())
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('ip_type', text, (c) => c.notNull())
    .addColumn('address', text, (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('bind_error', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(C.endpointConnectionString.name, ['connection_string'])
    .addUniqueConstraint(C.endpointAddress.name, ['ip_type', 'address'])
    .execute();
  await s.createIndex('endpoints_account_instance_idx').on('endpoints').columns(['account_id', 'instance_id']).execute();
  await s.createIndex('endpoints_instance_idx').on('endpoints').column('instance_id').execute();

  await s.createTable('security_ip_groups')
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('attribute', text, (c) => c.notNull())
    .addColumn('ips', text, (c) => c.notNull())
    .addColumn('whitelist_network_type', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(C.securityIpGroup.name, ['account_id', 'instance_id', 'name'])
    .execute();
  await s.createIndex('security_ip_groups_instance_idx').on('security_ip_groups').column('instance_id').execute();

  await s.createTable('addresses')
    .addColumn('pool', text, (c) => c.notNull())
    .addColumn('address_num', 'bigint', (c) => c.notNull())
    .addColumn('address', text, (c) => c.notNull())
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('released', 'integer', (c) => c.notNull())
    .addColumn('quarantine_until', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(C.address.name, ['pool', 'address_num'])
    .execute();
  // Partial indexes: the released rows are few and are what allocate scans for reuse; the held rows are what
  // countHeld counts. The literal `released = 1` in the queries is what lets both planners pick them.
  await sql`create index addresses_released_idx on addresses (pool, address_num) where released = 1`.execute(db);
  await sql`create index addresses_held_idx on addresses (pool) where released = 0`.execute(db);

  // Per (pool, first of range): every number in [first, dense_to] has an addresses row. Rows are never
  // deleted, so the mark only moves up, and allocate looks for a number without a row just above it in
  // O(log n) instead of scanning every held address below.
  await s.createTable('address_marks')
    .addColumn('pool', text, (c) => c.notNull())
    .addColumn('first', 'bigint', (c) => c.notNull())
    .addColumn('dense_to', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('address_marks_pkey', ['pool', 'first'])
    .execute();

  await serial(s.createTable('audit'), 'id')
    .addColumn('time', text, (c) => c.notNull())
    .addColumn('request_id', text, (c) => c.notNull())
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('access_key_id', text, (c) => c.notNull())
    .addColumn('action', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('result', text, (c) => c.notNull())
    .execute();
  await s.createIndex('audit_account_idx').on('audit').columns(['account_id', 'id']).execute();
}
