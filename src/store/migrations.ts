// Numbered schema migrations, applied when a store opens, all pending ones in the caller's single transaction,
// each recorded in schema_migrations. Add a migration by appending to MIGRATIONS; never edit a shipped one.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './schema.js';
import * as m001 from './migrations/001-init.js';
import * as m002 from './migrations/002-db-accounts.js';
import * as m003 from './migrations/003-tags-and-client-tokens.js';
import * as m004 from './migrations/004-address-skips.js';
import * as m005 from './migrations/005-paging-index.js';
import * as m006 from './migrations/006-nodes.js';

export interface Migration {
  id: string;
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { id: '001_init', up: m001.up },
  { id: '002_db_accounts', up: m002.up },
  { id: '003_tags_and_client_tokens', up: m003.up },
  { id: '004_address_skips', up: m004.up },
  { id: '005_paging_index', up: m005.up },
  { id: '006_nodes', up: m006.up },
];

/**
 * True when schema_migrations lists exactly the known migrations: every start after the first. Two catalogue-free
 * reads written with the sql tag (no schema builder, no DDL, nothing that takes a schema lock on PostgreSQL).
 */
async function current(trx: Kysely<any>, dialect: Dialect): Promise<boolean> {
  // Asked of the catalogue first: on PostgreSQL a SELECT from a missing table would abort the transaction.
  const exists = dialect === 'sqlite'
    ? (await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = 'schema_migrations'`.execute(trx)).rows[0]?.n === 1
    : (await sql<{ t: string | null }>`select to_regclass('schema_migrations')::text as t`.execute(trx)).rows[0]?.t != null;
  if (!exists) return false;
  const ids = new Set((await sql<{ id: string }>`select id from schema_migrations`.execute(trx)).rows.map((r) => r.id));
  return ids.size === MIGRATIONS.length && MIGRATIONS.every((m) => ids.has(m.id));
}

/** Brings the schema up to date. `trx` must be inside a transaction that excludes other migrators. */
export async function migrate(trx: Kysely<any>, dialect: Dialect): Promise<string[]> {
  if (await current(trx, dialect)) return [];
  await trx.schema.createTable('schema_migrations').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const rows: { id: string }[] = await trx.selectFrom('schema_migrations').select('id').execute();
  const done = new Set(rows.map((r) => r.id));
  const known = new Set(MIGRATIONS.map((m) => m.id));
  // A newer localrds migrated this database; running older code on it could corrupt it silently.
  const unknown = [...done].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`database has migrations this localrds does not know: ${unknown.join(', ')}`);
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.id)) continue;
    await m.up(trx, dialect);
    await trx.insertInto('schema_migrations').values({ id: m.id, applied_at: new Date().toISOString() }).execute();
    applied.push(m.id);
  }
  return applied;
}
