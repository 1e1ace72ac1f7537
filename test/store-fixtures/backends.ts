// The two store implementations the store tests run against, each opened fresh and isolated: SQLite in a new
// temp dir, PostgreSQL in a new random schema. dispose() closes the store and removes the dir or schema.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StateStore } from '../../src/store/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';

export const PG_URL = process.env.LOCALRDS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Isolated {
  store: StateStore;
  /** Opens another store on the same file or schema (the first may be closed or still open). */
  reopen(): Promise<StateStore>;
  /** What a child process needs to open the same place: ['sqlite', file] or ['postgres', url, schema]. */
  target: string[];
  dispose(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  isolate(): Promise<Isolated>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async isolate() {
    const dir = await mkdtemp(join(tmpdir(), 'localrds-store-'));
    const file = join(dir, 'nested', 'state.sqlite');
    const opened: StateStore[] = [];
    const open = async () => { const s = await openSqliteStore({ file }); opened.push(s); return s; };
    return {
      store: await open(), reopen: open, target: ['sqlite', file],
      async dispose() {
        for (const s of opened) await s.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export const postgresBackend: Backend = {
  name: 'postgres',
  async isolate() {
    const schema = `store_test_${randomBytes(6).toString('hex')}`;
    const opened: StateStore[] = [];
    const open = async () => { const s = await openPostgresStore({ url: PG_URL, schema }); opened.push(s); return s; };
    try {
      return {
        store: await open(), reopen: open, target: ['postgres', PG_URL, schema],
        async dispose() {
          for (const s of opened) await s.close();
          await dropSchema(schema);
        },
      };
    } catch (e) {
      await dropSchema(schema).catch(() => undefined);
      throw e;
    }
  },
};

/** LOCALRDS_TEST_SKIP_PG=1 leaves PostgreSQL out on purpose; otherwise an unreachable server fails the tests. */
export const BACKENDS: Backend[] = process.env.LOCALRDS_TEST_SKIP_PG === '1' ? [sqliteBackend] : [sqliteBackend, postgresBackend];

/** Runs body against a fresh isolated store and always cleans up. */
export async function withStore(backend: Backend, body: (store: StateStore, iso: Isolated) => Promise<void>): Promise<void> {
  const iso = await backend.isolate();
  try {
    await body(iso.store, iso);
  } finally {
    await iso.dispose();
  }
}
