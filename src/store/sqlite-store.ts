// StateStore on one SQLite file (better-sqlite3 through Kysely): the default store of a single localrds node.
// Every tx holds the writer connection from BEGIN IMMEDIATE to COMMIT, so transactions of this process never
// interleave, and the writer lock taken up front keeps other processes on the same file from interleaving too.
// read() runs on a second, read-only connection: a read sees the last commit (WAL snapshot) without waiting
// for a write in flight, and a stray write in it fails as on PostgreSQL's READ ONLY transactions.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type CompiledQuery } from 'kysely';
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

function openFile(file: string, busyTimeoutMs: number, readonly = false): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(file, readonly ? { readonly: true, fileMustExist: true } : {});
  try {
    if (!readonly) {
      const mode: unknown = sqlite.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`could not switch ${file} to WAL (journal_mode=${String(mode)})`);
      // FULL fsyncs the WAL at every commit: what tx() resolved for must survive kill -9 and power loss.
      sqlite.pragma('synchronous = FULL');
      sqlite.pragma('foreign_keys = ON');
    }
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
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

// Transaction control, compiled once: these run several times per request, and building them anew each time
// cost as much as the statements themselves.
function control(db: Kysely<Database>) {
  return {
    beginImmediate: sql`begin immediate`.compile(db),
    beginDeferred: sql`begin`.compile(db),
    commit: sql`commit`.compile(db),
    rollback: sql`rollback`.compile(db),
    relaxed: sql`pragma synchronous = NORMAL`.compile(db),
    full: sql`pragma synchronous = FULL`.compile(db),
    dataVersion: sql<{ data_version: number }>`pragma data_version`.compile(db),
  };
}

export async function openSqliteStore({ file, busyTimeoutMs = 5000 }: SqliteStoreOptions): Promise<StateStore> {
  await mkdir(dirname(file), { recursive: true });
  const writer = openFile(file, busyTimeoutMs);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: writer }) });
  const q = control(db);
  let reader: Kysely<Database> | undefined;
  let closed = false;
  // Commits of this process that changed a key; other processes' commits show in PRAGMA data_version.
  let keyCommits = 0;
  const dataVersion = writer.prepare(q.dataVersion.sql).pluck();

  // db.connection() holds Kysely's single-connection mutex for the whole callback: queued callers wait
  // their turn, which is what serializes concurrent tx() calls. Nested tx() inside fn would wait forever.
  const inTransaction = <T>(
    on: Kysely<Database>,
    begin: CompiledQuery,
    fn: (conn: Kysely<Database>) => Promise<T>,
    relaxed = false,
  ): Promise<T> => {
    if (closed) return Promise.reject(new Error('store is closed'));
    return on.connection().execute(async (conn) => {
      // synchronous is per connection and cannot change inside a transaction; the connection is ours until
      // the callback ends, so no other transaction runs with the relaxed setting.
      if (relaxed) await conn.executeQuery(q.relaxed);
      await conn.executeQuery(begin);
      try {
        const out = await fn(conn);
        await conn.executeQuery(q.commit);
        return out;
      } catch (e) {
        await conn.executeQuery(q.rollback).catch(() => undefined);
        throw e;
      } finally {
        if (relaxed) await conn.executeQuery(q.full);
      }
    });
  };

  try {
    await inTransaction(db, q.beginImmediate, (conn) => migrate(conn, 'sqlite'));
    // Opened after the migration, which may have created the file's tables.
    reader = new Kysely<Database>({ dialect: new SqliteDialect({ database: openFile(file, busyTimeoutMs, true) }) });
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const readDb = reader;

  return {
    kind: 'sqlite',
    tx<T>(fn: (r: Repos) => Promise<T>, opts?: TxOptions) {
      // Conflicts cannot happen with a single writer; the retry only covers RetryTransaction for symmetry.
      const relaxed = opts?.durability === 'relaxed';
      return withRetries(async () => {
        const changed = { keys: false };
        const out = await inTransaction(db, q.beginImmediate, (conn) => fn(makeRepos(conn, 'sqlite', { changed })), relaxed);
        if (changed.keys) keyCommits += 1;
        return out;
      }, DEFAULT_RETRY);
    },
    read<T>(fn: (r: Repos) => Promise<T>) {
      // A deferred transaction on the read-only connection: one consistent snapshot for all of fn's queries.
      return inTransaction(readDb, q.beginDeferred, (conn) => fn(makeRepos(conn, 'sqlite', { readOnly: true })));
    },
    keysVersion() {
      // data_version is read on the writer connection, whose own commits do not move it; a pragma read is
      // harmless even while one of this connection's transactions is open.
      return `${keyCommits}:${String(dataVersion.get())}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Wait for the transactions already queued on the connections, then close the file.
      await db.connection().execute(async () => undefined);
      await readDb.connection().execute(async () => undefined);
      await readDb.destroy();
      await db.destroy();
    },
  };
}
