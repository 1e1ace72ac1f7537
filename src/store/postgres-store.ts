// StateStore on PostgreSQL (pg Pool through Kysely): for several localrds nodes sharing one state.
// Every tx is SERIALIZABLE and is run again from the start when PostgreSQL reports a serialization failure
// or deadlock, or a repo raised RetryTransaction (two nodes allocating the same address).
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import type { Repos, StateStore, TxOptions } from './types.js';
import type { Database } from './schema.js';
import { makeRepos } from './kysely-repos.js';
import { migrate } from './migrations.js';
import { DEFAULT_RETRY, RetryLane, withRetries, type RetryPolicy } from './retry.js';
import { KEYS_CHANNEL } from './repos/accounts.js';
import { listenConnection } from './pg-listen.js';


/**
 * Follows key changes made by any node (accountRepo notifies KEYS_CHANNEL in the changing transaction) on a
 * connection of its own. While that connection is down nothing is known, so every call gets a new version
 * and no cache can serve a stale key.
 */
function keyChangeListener(connectionString: string, listenSql: string): { version(): string; close(): Promise<void> } {
  let seen = 0;
  let blind = 0;
  const conn = listenConnection({
    connectionString, listenSql,
    onNotification: () => { seen += 1; },
    // Whatever changed while nobody listened is unknown: a new version drops every cached key.
    onLive: () => { seen += 1; },
  });
  return {
    version: () => (conn.live() ? `n${seen}` : `blind${++blind}`),
    close: () => conn.close(),
  };
}

export interface PostgresStoreOptions {
  /** postgres://user@host:port/db; a `schema=name` query parameter works like the `schema` option. */
  url: string;
  /** Lower-case schema to keep every table in; created when missing. Default: the server's search_path. */
  schema?: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  retry?: Partial<RetryPolicy>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Splits our own `schema` parameter off the URL, since pg would pass unknown parameters on to the server. */
export function splitUrl(url: string, schemaOpt: string | undefined): { connectionString: string; schema?: string } {
  const u = new URL(url);
  const fromUrl = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  const schema = schemaOpt ?? fromUrl;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  return { connectionString: u.toString(), schema };
}

async function ensureSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } catch (e) {
    // Two nodes creating the schema at once: one loses on the catalog's unique index; the schema exists.
    const code = (e as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw e;
  } finally {
    await client.end();
  }
}

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<StateStore> {
  const { connectionString, schema } = splitUrl(opts.url, opts.schema);
  if (schema !== undefined) await ensureSchema(connectionString, schema);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  // A server that drops packets would otherwise hold each call until the OS gives up on the connect (minutes);
  // after 10 s the call answers ServiceUnavailable instead (store/unavailable.ts).
  const pool = new pg.Pool({ connectionString, max: opts.maxConnections ?? 10, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its server emits 'error' on the pool, which would crash the process if nobody
  // listened. The pool drops that client and the next query connects afresh, so there is nothing to do.
  pool.on('error', () => undefined);
  // A client that is checked out (inside a transaction, between two statements) when the server goes away emits
  // 'error' with nobody listening, which would crash the process. Its next query rejects ("not queryable", a
  // ServiceUnavailable), and the pool drops it on release because it is no longer queryable.
  pool.on('connect', (client) => { client.on('error', () => undefined); });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: schema === undefined ? undefined
        : (conn) => conn.executeQuery(CompiledQuery.raw(`set search_path to "${schema}"`)).then(() => undefined),
    }),
  });
  const keys = keyChangeListener(connectionString, sql`listen ${sql.id(KEYS_CHANNEL)}`.compile(db).sql);
  const lane = new RetryLane();
  let keyCommits = 0;
  let closed = false;
  const open = () => { if (closed) throw new Error('store is closed'); };

  try {
    await db.transaction().execute(async (trx) => {
      // Nodes starting together would race on CREATE TABLE; the lock (per schema) makes them take turns.
      await sql`select pg_advisory_xact_lock(7263514, hashtext(current_schema()))`.execute(trx);
      await migrate(trx, 'postgres');
    });
  } catch (e) {
    await keys.close();
    await db.destroy();
    throw e;
  }

  // Expired nonces go at most once a minute, in the same relaxed kind of commit as the nonces themselves.
  let noncesPurgedAt = 0;
  const store: StateStore = {
    kind: 'postgres',
    async tx<T>(fn: (r: Repos) => Promise<T>, opts?: TxOptions) {
      open();
      const relaxed = opts?.durability === 'relaxed';
      return withRetries(async () => {
        const changed = { keys: false };
        const out = await db.transaction().setIsolationLevel('serializable')
          .execute(async (trx) => {
            if (relaxed) await sql`set local synchronous_commit = off`.execute(trx);
            return fn(makeRepos(trx, 'postgres', { changed }));
          });
        // This node's own change counts at once; the notification reaches the listener a moment later.
        if (changed.keys) keyCommits += 1;
        return out;
      }, policy, lane);
    },
    async read<T>(fn: (r: Repos) => Promise<T>) {
      open();
      // One snapshot for all of fn's queries; READ ONLY transactions never fail to serialize.
      return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only')
        .execute((trx) => fn(makeRepos(trx, 'postgres', { readOnly: true })));
    },
    keysVersion() {
      return `${keyCommits}:${keys.version()}`;
    },
    async useNonces(items, nowMs) {
      const answers = await store.tx((r) => r.nonces.useMany(items, nowMs), { durability: 'relaxed' });
      if (nowMs - noncesPurgedAt >= NONCE_PURGE_EVERY_MS) {
        noncesPurgedAt = nowMs;
        // Best effort: a purge that fails (store down) is tried again a minute later.
        store.tx((r) => r.nonces.purge(nowMs), { durability: 'relaxed' }).catch(() => undefined);
      }
      return answers;
    },
    async close() {
      if (closed) return;
      closed = true;
      await keys.close();
      await db.destroy();
    },
  };
  return store;
}

const NONCE_PURGE_EVERY_MS = 60_000;
