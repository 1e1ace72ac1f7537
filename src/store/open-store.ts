// Picks the store from the server's options: PostgreSQL for a postgres:// URL, else SQLite in the data dir.
import { join } from 'node:path';
import type { StateStore } from './types.js';
import { openSqliteStore } from './sqlite-store.js';

export interface OpenStoreOptions {
  dataDir: string;
  /** postgres://... or postgresql://... selects PostgreSQL; anything else (or nothing) SQLite. */
  db?: string;
}

export const SQLITE_FILE_NAME = 'localrds.sqlite';

export function isPostgresUrl(db: string | undefined): db is string {
  return db !== undefined && /^postgres(ql)?:\/\//i.test(db);
}

export async function openStore({ dataDir, db }: OpenStoreOptions): Promise<StateStore> {
  // pg is loaded only for a PostgreSQL store: SQLite starts do not pay for it.
  if (isPostgresUrl(db)) return (await import('./postgres-store.js')).openPostgresStore({ url: db });
  return openSqliteStore({ file: join(dataDir, SQLITE_FILE_NAME) });
}
