// What every repo is built from: a Kysely handle (a transaction, or the bare db for reads) and the dialect,
// plus the helpers the repos share: unique-violation mapping, bigint-to-number, chunking of IN lists.
import { sql, type Kysely } from 'kysely';
import type { Database, Dialect } from '../schema.js';
import { asUniqueViolation } from '../errors.js';

export interface RepoContext {
  db: Kysely<Database>;
  dialect: Dialect;
  readOnly: boolean;
  /** Set by the repos when the transaction changed an access key or account (key caches must drop theirs). */
  changed: { keys: boolean };
  /**
   * Runs compiled SQL at once on the connection of the open transaction (SQLite: better-sqlite3 is synchronous),
   * without Kysely's async executor; absent where queries must go through it (PostgreSQL). See prepared.ts.
   */
  runSync?: (sql: string, parameters: readonly unknown[]) => unknown[];
}

/** pg returns int8 and count(*) as strings; better-sqlite3 returns numbers. All our values fit in 2^53. */
export function num(v: number | string | bigint | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/**
 * Runs one write that may hit a unique constraint and rethrows that as UniqueViolation.
 * On PostgreSQL the write runs under a savepoint: a failed statement would otherwise abort the whole
 * transaction, while on SQLite only the statement is undone. With the savepoint a handler can catch the
 * UniqueViolation and carry on in the same tx on both dialects.
 */
export async function guardUnique<T>(ctx: RepoContext, write: () => Promise<T>): Promise<T> {
  const pg = ctx.dialect === 'postgres';
  if (pg) await sql`savepoint localrds_unique`.execute(ctx.db);
  try {
    const out = await write();
    if (pg) await sql`release savepoint localrds_unique`.execute(ctx.db);
    return out;
  } catch (e) {
    const uv = asUniqueViolation(e);
    if (!uv) throw e;
    if (pg) await sql`rollback to savepoint localrds_unique`.execute(ctx.db);
    throw uv;
  }
}

/** IN lists are split so SQLite's bound-parameter limit is never reached. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
