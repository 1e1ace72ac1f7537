// StateStore on one SQLite file (better-sqlite3 through Kysely): the default store of a single localrds node.
// Every tx holds the writer connection from BEGIN IMMEDIATE to COMMIT, so transactions of this process never
// interleave, and the writer lock taken up front keeps other processes on the same file from interleaving too.
// read() runs on a second, read-only connection: a read sees the last commit (WAL snapshot) without waiting
// for a write in flight, and a stray write in it fails as on PostgreSQL's READ ONLY transactions.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Repos, StateStore, TxOptions } from './types.js';
import type { Database } from './schema.js';
import { makeRepos } from './kysely-repos.js';
import { migrate } from './migrations.js';
import { openNonceJournal, type NonceJournal } from './nonce-journal.js';
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

/**
 * A function that turns a raw row (values in column order) into an object with the columns as keys, built as one
 * object literal: better-sqlite3's own row objects get their properties set one by one from C++, each a slow
 * property addition, which cost more than the query itself. Column names come from our own schema's SQL.
 */
function rowBuilder(columns: readonly string[]): (values: unknown[]) => object {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('v', `return { ${columns.map((c, i) => `${JSON.stringify(c)}: v[${i}]`).join(', ')} };`) as (values: unknown[]) => object;
}

interface SyncStatement {
  stmt: BetterSqlite3.Statement;
  /** Builds one row object from a raw row; absent for a statement that returns no rows. */
  build?: (values: unknown[]) => object;
}

interface SyncRunner {
  /** Rows for a query, none for a write. */
  run(text: string, parameters: readonly unknown[]): unknown[];
  /** The statement for this text, prepared once. */
  statement(text: string): SyncStatement;
}

/**
 * Compiled SQL run at once on one better-sqlite3 connection (RepoContext.runSync). Its statements are its own
 * (not the ones Kysely shares), in raw mode, each with its row builder.
 */
function syncRunner(sqlite: BetterSqlite3.Database): SyncRunner {
  const prepare = BetterSqlite3.prototype.prepare;
  const statements = new Map<string, SyncStatement>();
  const statement = (text: string): SyncStatement => {
    let entry = statements.get(text);
    if (entry === undefined) {
      const stmt = prepare.call(sqlite, text);
      entry = stmt.reader ? { stmt: stmt.raw(true), build: rowBuilder(stmt.columns().map((c) => c.name)) } : { stmt };
      if (statements.size >= 256) statements.clear();
      statements.set(text, entry);
    }
    return entry;
  };
  return {
    statement,
    run(text, parameters) {
      const entry = statement(text);
      if (entry.build === undefined) {
        entry.stmt.run(...parameters);
        return [];
      }
      return (entry.stmt.all(...parameters) as unknown[][]).map(entry.build);
    },
  };
}

/**
 * The read connection's compiled hot queries (the access key, the instance, its endpoints: repos/prepared.ts)
 * answered from memory while nothing committed: the text and parameters of a query fix its rows for one state of
 * the file, and every commit moves the version (this process's writer commits, counted at once, and PRAGMA
 * data_version for other processes, read once per event-loop turn as for the key cache). The memo holds raw rows
 * and each caller gets row objects built afresh by the statement's own builder (one object literal: a spread copy
 * of rows of many shapes took V8's slow clone path). It is keyed by the SQL text first (the same string each
 * call, whose hash V8 keeps) and then by the parameters, so that no lookup hashes the whole text again. A read
 * transaction stays one snapshot: it pins the version it began under, fills the memo only under it, and if the
 * version moves after the memo served it anything, its answer is discarded and fn runs again on SQLite alone
 * (see read()).
 */
function memoRunner(sync: SyncRunner, version: () => string) {
  const memo = new Map<string, Map<string, unknown[][]>>();
  let memoVersion = '';
  let memoSize = 0;
  let pinned: string | undefined;
  let served = false;
  let stale = false;
  let bypass = false;
  const runner = (text: string, parameters: readonly unknown[]): unknown[] => {
    if (bypass) return sync.run(text, parameters);
    const v = version();
    if (v !== pinned) {
      if (served) stale = true;
      return sync.run(text, parameters);
    }
    const entry = sync.statement(text);
    const build = entry.build;
    if (build === undefined) return sync.run(text, parameters);
    if (v !== memoVersion) {
      memo.clear();
      memoSize = 0;
      memoVersion = v;
    }
    let key = '';
    for (const p of parameters) key += typeof p === 'string' ? `\u0000s${p}` : `\u0000${typeof p}${String(p)}`;
    let byParams = memo.get(text);
    const hit = byParams?.get(key);
    if (hit !== undefined) {
      served = true;
      return hit.map(build);
    }
    const raw = entry.stmt.all(...parameters) as unknown[][];
    if (memoSize >= 4096) {
      memo.clear();
      memoSize = 0;
      byParams = undefined;
    }
    if (byParams === undefined) {
      byParams = new Map();
      memo.set(text, byParams);
    }
    byParams.set(key, raw);
    memoSize += 1;
    return raw.map(build);
  };
  return {
    runner,
    /** Pins the version a read transaction begins under (the memo serves only under it). */
    begin(): void {
      pinned = version();
      served = false;
      stale = false;
    },
    /** Ends the pin: true when the memo served this transaction and the version has moved since (run fn again). */
    end(): boolean {
      // A commit after a memo answer is caught here too when no compiled query came after it (fn's other
      // queries go through Kysely straight to SQLite, past the memo).
      const rerun = stale || (served && version() !== pinned);
      pinned = undefined;
      return rerun;
    },
    /** While set, every query goes to SQLite (the second run of a transaction whose memo answers went stale). */
    bypass(on: boolean): void {
      bypass = on;
    },
  };
}

/**
 * One transaction at a time on a connection, in arrival order. The store's own lock rather than Kysely's
 * connection mutex: transaction control runs as prepared better-sqlite3 statements, synchronously, and the
 * repos' hot queries too (runSync), so an uncontended read is one JS turn. Kysely's own executor still serves
 * the other queries of fn; only the holder of this lock ever uses the connection, so its mutex never waits.
 */
function transactionLock() {
  let busy = false;
  const waiting: Array<() => void> = [];
  /** Takes the lock: at once (undefined) when it is free, else a promise that resolves once it is ours. */
  const acquire = (): Promise<void> | undefined => {
    if (!busy) {
      busy = true;
      return undefined;
    }
    return new Promise<void>((r) => waiting.push(r));
  };
  const release = (): void => {
    const next = waiting.shift();
    // The lock passes straight to the next caller (busy stays true), so no newcomer can overtake it.
    if (next !== undefined) next();
    else busy = false;
  };
  return {
    acquire,
    release,
    async run<T>(fn: () => Promise<T>): Promise<T> {
      const wait = acquire();
      if (wait !== undefined) await wait;
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}

interface Control {
  begin: BetterSqlite3.Statement;
  commit: BetterSqlite3.Statement;
  rollback: BetterSqlite3.Statement;
}

function control(sqlite: BetterSqlite3.Database, begin: string): Control {
  return { begin: sqlite.prepare(begin), commit: sqlite.prepare('commit'), rollback: sqlite.prepare('rollback') };
}

/** Where a store file keeps its nonces' journal: beside it (`localrds.sqlite` -> `localrds-nonces/`). */
export function nonceDirOf(file: string): string {
  return `${file.replace(/\.sqlite$/, '')}-nonces`;
}

export async function openSqliteStore({ file, busyTimeoutMs = 5000 }: SqliteStoreOptions): Promise<StateStore> {
  await mkdir(dirname(file), { recursive: true });
  const writer = openFile(file, busyTimeoutMs);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: writer }) });
  const writeControl = control(writer, 'begin immediate');
  const relaxed = writer.prepare('pragma synchronous = NORMAL');
  const full = writer.prepare('pragma synchronous = FULL');
  const writeLock = transactionLock();
  const runOnWriter = syncRunner(writer).run;
  let closed = false;
  /** Every commit of this process's writer (the read memo's version). */
  let writerCommits = 0;
  // Commits of this process that changed a key; other processes' commits show in PRAGMA data_version.
  let keyCommits = 0;
  const dataVersion = writer.prepare('pragma data_version').pluck();
  // data_version read at most once per event-loop turn: a commit of another process that lands within the
  // turn races with the requests of that turn anyway, and the next turn sees it.
  let seenDataVersion: string | undefined;
  const forgetDataVersion = () => { seenDataVersion = undefined; };
  const currentDataVersion = (): string => {
    if (seenDataVersion === undefined) {
      seenDataVersion = String(dataVersion.get());
      setImmediate(forgetDataVersion);
    }
    return seenDataVersion;
  };

  const inTransaction = <T>(
    lock: ReturnType<typeof transactionLock>,
    c: Control,
    fn: () => Promise<T>,
    durability: 'full' | 'relaxed' = 'full',
  ): Promise<T> => {
    if (closed) return Promise.reject(new Error('store is closed'));
    return lock.run(async () => {
      // synchronous is per connection and cannot change inside a transaction; the connection is ours until
      // the lock passes on, so no other transaction runs with the relaxed setting.
      if (durability === 'relaxed') relaxed.run();
      try {
        c.begin.run();
        try {
          const out = await fn();
          c.commit.run();
          // Counted in the same turn as the commit: no read can see the new state under the old version.
          if (c === writeControl) writerCommits += 1;
          return out;
        } catch (e) {
          try { c.rollback.run(); } catch { /* no transaction left to undo (SQLite rolled it back itself) */ }
          throw e;
        }
      } finally {
        if (durability === 'relaxed') full.run();
      }
    });
  };

  let reader: BetterSqlite3.Database | undefined;
  let readDb: Kysely<Database> | undefined;
  let nonces: NonceJournal | undefined;
  try {
    await inTransaction(writeLock, writeControl, () => migrate(db, 'sqlite'));
    // Opened after the migration, which may have created the file's tables.
    reader = openFile(file, busyTimeoutMs, true);
    readDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: reader }) });
    nonces = await moveNonces(db, () => openNonceJournal(nonceDirOf(file)));
  } catch (e) {
    reader?.close();
    nonces?.close();
    await db.destroy();
    throw e;
  }
  // Opened (and read back) by the first batch, so that a command that signs nothing (`localrds keys`) never loads it.
  let journal = nonces;
  const readControl = control(reader, 'begin');
  const readLock = transactionLock();
  // A version token: `<commits>:<data_version>`, asked for by every call, its text built again only when a part moved.
  const versionOf = (commits: () => number): (() => string) => {
    let seenCommits = -1;
    let seenData: string | undefined;
    let text = '';
    return () => {
      const data = currentDataVersion();
      const n = commits();
      if (data !== seenData || n !== seenCommits) {
        seenData = data;
        seenCommits = n;
        text = `${n}:${data}`;
      }
      return text;
    };
  };
  const keysVersion = versionOf(() => keyCommits);
  const memoVersion = versionOf(() => writerCommits);
  const readMemo = memoRunner(syncRunner(reader), memoVersion);
  // The read-side repos never change: built once, not per call.
  const readRepos = makeRepos(readDb, 'sqlite', { readOnly: true, runSync: readMemo.runner });
  const closeReader = readDb;
  // A deferred transaction on the read-only connection: one consistent snapshot for all of fn's queries. Written
  // out as one async function (lock, BEGIN, the memo's pin, fn, COMMIT) rather than inTransaction's layers: at one
  // connection each await of a layer is a turn of the microtask queue in every request.
  const readTransaction = async <T>(fn: (r: Repos) => Promise<T>): Promise<T> => {
    const wait = readLock.acquire();
    if (wait !== undefined) await wait;
    try {
      readControl.begin.run();
      try {
        readMemo.begin();
        let out: T;
        let stale: boolean;
        try {
          out = await fn(readRepos);
        } finally {
          stale = readMemo.end();
        }
        if (stale) {
          // The memo answered from a state that moved on during fn: again, on SQLite's snapshot alone.
          readMemo.bypass(true);
          try {
            out = await fn(readRepos);
          } finally {
            readMemo.bypass(false);
          }
        }
        readControl.commit.run();
        return out;
      } catch (e) {
        try { readControl.rollback.run(); } catch { /* no transaction left to undo */ }
        throw e;
      }
    } finally {
      readLock.release();
    }
  };

  return {
    kind: 'sqlite',
    noncesInMemory: true,
    tx<T>(fn: (r: Repos) => Promise<T>, opts?: TxOptions) {
      // Conflicts cannot happen with a single writer; the retry only covers RetryTransaction for symmetry.
      return withRetries(async () => {
        const changed = { keys: false };
        const out = await inTransaction(writeLock, writeControl, () => fn(makeRepos(db, 'sqlite', { changed, runSync: runOnWriter })), opts?.durability);
        if (changed.keys) keyCommits += 1;
        return out;
      }, DEFAULT_RETRY);
    },
    read<T>(fn: (r: Repos) => Promise<T>) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return readTransaction(fn);
    },
    keysVersion() {
      // data_version is read on the writer connection, whose own commits do not move it; a pragma read is
      // harmless even while one of this connection's transactions is open.
      return keysVersion();
    },
    readVersion() {
      return memoVersion();
    },
    useNonces(items, nowMs) {
      if (closed) return Promise.reject(new Error('store is closed'));
      try {
        journal ??= openNonceJournal(nonceDirOf(file));
        return Promise.resolve(journal.use(items, nowMs));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Wait for the transactions already queued on the connections, then close the files.
      await writeLock.run(async () => undefined);
      await readLock.run(async () => undefined);
      journal?.close();
      await closeReader.destroy();
      await db.destroy();
    },
  };
}

/**
 * Nonces recorded in the main file (before they had a journal of their own) move to the journal once, so that an
 * upgrade keeps refusing their replays; the main file's table stays, empty (PostgreSQL still uses it).
 */
async function moveNonces(main: Kysely<Database>, open: () => NonceJournal): Promise<NonceJournal | undefined> {
  const now = Date.now();
  const live = await main.selectFrom('nonces').select(['access_key_id', 'nonce', 'expires_at']).where('expires_at', '>', now).execute();
  const any = live.length > 0 || (await main.selectFrom('nonces').select('nonce').limit(1).execute()).length > 0;
  if (!any) return undefined;
  const journal = open();
  try {
    journal.use(live.map((r) => ({ accessKeyId: r.access_key_id, nonce: r.nonce, expiresAtMs: Number(r.expires_at) })), now);
    await main.transaction().execute((trx) => trx.deleteFrom('nonces').execute());
  } catch (e) {
    journal.close();
    throw e;
  }
  return journal;
}
