// StateStore on one SQLite file (better-sqlite3 through Kysely): the default store of a single localrds node.
// Every tx holds the one connection from BEGIN IMMEDIATE to COMMIT, so transactions of this process never
// interleave, and the writer lock taken up front keeps other processes on the same file from interleaving too.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Repos, StateStore, TxOptions } from './types.js';
import type { Database } from './schema.js';
import { makeRepos } from './kysely-repos.js';
import { migrate } from './migrations.js';
import { DEFAULT_RETRY, withRetries } from './retry.js';

export interface SqliteStoreOptions {
  file: string;
  /** How long a writer waits for another process's lock before SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
}

function openFile(file: string, busyTimeoutMs: number): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(file);
  try {
    const mode: unknown = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`could not switch ${file} to WAL (journal_mode=${String(mode)})`);
    // FULL fsyncs the WAL at every commit: what tx() resolved for must survive kill -9 and power loss.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    sqlite.pragma('foreign_keys = ON');
    reusePreparedStatements(sqlite);
    return sqlite;
  } catch (e) {
    sqlite.close();
    throw e;
  }
}

/**
 * Kysely asks the driver to prepare every statement afresh, and preparing costs about as much as running a small
 * statement. better-sqlite3 statements can be run again, so the same SQL text reuses its statement (bounded:
 * IN lists of many lengths make many texts). A statement still busy iterating is never handed out twice.
 */
function reusePreparedStatements(sqlite: BetterSqlite3.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, BetterSqlite3.Statement>();
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached !== undefined && !cached.busy) return cached;
    const fresh = prepare(source);
    if (cached === undefined) {
      if (cache.size >= 512) cache.clear();
      cache.set(source, fresh);
    }
    return fresh;
  }) as typeof sqlite.prepare;
}

export async function openSqliteStore({ file, busyTimeoutMs = 5000 }: SqliteStoreOptions): Promise<StateStore> {
  await mkdir(dirname(file), { recursive: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openFile(file, busyTimeoutMs) }) });
  let closed = false;

  // db.connection() holds Kysely's single-connection mutex for the whole callback: queued callers wait
  // their turn, which is what serializes concurrent tx() calls. Nested tx() inside fn would wait forever.
  const inTransaction = <T>(begin: 'begin immediate' | 'begin', fn: (conn: Kysely<Database>) => Promise<T>, relaxed = false): Promise<T> => {
    if (closed) return Promise.reject(new Error('store is closed'));
    return db.connection().execute(async (conn) => {
      // synchronous is per connection and cannot change inside a transaction; the connection is ours until
      // the callback ends, so no other transaction runs with the relaxed setting.
      if (relaxed) await sql`pragma synchronous = NORMAL`.execute(conn);
      await sql.raw(begin).execute(conn);
      try {
        const out = await fn(conn);
        await sql`commit`.execute(conn);
        return out;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      } finally {
        if (relaxed) await sql`pragma synchronous = FULL`.execute(conn);
      }
    });
  };

  try {
    await inTransaction('begin immediate', (conn) => migrate(conn, 'sqlite'));
  } catch (e) {
    await db.destroy();
    throw e;
  }

  return {
    kind: 'sqlite',
    tx<T>(fn: (r: Repos) => Promise<T>, opts?: TxOptions) {
      // Conflicts cannot happen with a single writer; the retry only covers RetryTransaction for symmetry.
      const relaxed = opts?.durability === 'relaxed';
      return withRetries(() => inTransaction('begin immediate', (conn) => fn(makeRepos(conn, 'sqlite')), relaxed), DEFAULT_RETRY);
    },
    read<T>(fn: (r: Repos) => Promise<T>) {
      // A deferred transaction gives fn one consistent snapshot; query_only makes a stray write fail here
      // just as it does on PostgreSQL's READ ONLY transaction.
      return inTransaction('begin', async (conn) => {
        await sql`pragma query_only = 1`.execute(conn);
        try {
          return await fn(makeRepos(conn, 'sqlite', { readOnly: true }));
        } finally {
          await sql`pragma query_only = 0`.execute(conn);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      // Wait for the transactions already queued on the connection, then close the file.
      await db.connection().execute(async () => undefined);
      await db.destroy();
    },
  };
}
