// 002_db_accounts: what lives inside an instance's database server, as desired state: its database accounts
// (with the engines' password verifiers, never a password), its databases and the per-database grants.
// Every key starts with (account_id, instance_id): a tenant's names never collide with another's, and a name is
// unique within its instance. Foreign keys with ON DELETE CASCADE make the store itself keep the rows consistent:
// deleting an instance removes its accounts, databases and grants, and deleting an account or a database removes
// the grants that name it, whichever code path does the delete.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';
import { CONSTRAINTS as C } from '../constraints.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const s = db.schema;
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';

  await s.createTable('db_accounts')
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('type', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('mysql_hash', text, (c) => c.notNull())
    .addColumn('scram_verifier', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(C.dbAccount.name, ['account_id', 'instance_id', 'name'])
    .addForeignKeyConstraint('db_accounts_instance_fkey', ['instance_id'], 'instances', ['id'], (f) => f.onDelete('cascade'))
    .execute();
  // The shared-server check looks a name up across every instance of an engine.
  await s.createIndex('db_accounts_name_idx').on('db_accounts').column('name').execute();
  await s.createIndex('db_accounts_instance_idx').on('db_accounts').column('instance_id').execute();

  await s.createTable('db_databases')
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('charset', text, (c) => c.notNull())
    .addColumn('collate', text, (c) => c.notNull())
    .addColumn('ctype', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(C.dbDatabase.name, ['account_id', 'instance_id', 'name'])
    .addForeignKeyConstraint('db_databases_instance_fkey', ['instance_id'], 'instances', ['id'], (f) => f.onDelete('cascade'))
    .execute();
  await s.createIndex('db_databases_name_idx').on('db_databases').column('name').execute();
  await s.createIndex('db_databases_instance_idx').on('db_databases').column('instance_id').execute();

  await s.createTable('db_privileges')
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('account_name', text, (c) => c.notNull())
    .addColumn('db_name', text, (c) => c.notNull())
    .addColumn('privilege', text, (c) => c.notNull())
    // One mode per (account, database): a new grant on the same pair replaces the old one.
    .addPrimaryKeyConstraint(C.dbPrivilege.name, ['account_id', 'instance_id', 'account_name', 'db_name'])
    .addForeignKeyConstraint('db_privileges_account_fkey', ['account_id', 'instance_id', 'account_name'],
      'db_accounts', ['account_id', 'instance_id', 'name'], (f) => f.onDelete('cascade'))
    .addForeignKeyConstraint('db_privileges_database_fkey', ['account_id', 'instance_id', 'db_name'],
      'db_databases', ['account_id', 'instance_id', 'name'], (f) => f.onDelete('cascade'))
    .execute();
  // The foreign key from databases needs its own index (PostgreSQL does not create one for the referencing side).
  await s.createIndex('db_privileges_database_idx').on('db_privileges').columns(['account_id', 'instance_id', 'db_name']).execute();
  await s.createIndex('db_privileges_instance_idx').on('db_privileges').column('instance_id').execute();
}
