// Queries of the hot path, written with Kysely as usual but compiled once per dialect: building and compiling
// a query tree on every call cost about as much as running the statement (better-sqlite3 then reuses the
// prepared statement by its text, see sqlite-store.ts). Each named parameter is compiled as a unique marker
// value, so the compiled parameter list tells where each argument goes. Where the store offers it (SQLite), the
// compiled text runs synchronously on the transaction's connection (RepoContext.runSync), without Kysely's async
// executor and its connection mutex: the store already holds the connection for the whole transaction.
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database, Dialect } from '../schema.js';
import type { RepoContext } from './context.js';

const MARKER = '\u0000localrds-parameter:';

type Slot<N extends string> = { name: N } | { constant: unknown };

export function preparedQuery<N extends string, O>(
  names: readonly N[],
  build: (db: Kysely<Database>, p: Record<N, string>) => Compilable<O>,
): (ctx: RepoContext, values: Record<N, unknown>) => Promise<O[]> {
  const compiled = new Map<Dialect, { query: CompiledQuery<O>; slots: Array<Slot<N>> }>();
  const compile = (ctx: RepoContext) => {
    const markers = Object.fromEntries(names.map((n) => [n, MARKER + n])) as Record<N, string>;
    const query = build(ctx.db, markers).compile();
    const slots = query.parameters.map((v): Slot<N> =>
      typeof v === 'string' && v.startsWith(MARKER) ? { name: v.slice(MARKER.length) as N } : { constant: v });
    const used = new Set(slots.flatMap((s) => ('name' in s ? [s.name] : [])));
    // A marker that vanished (inlined or transformed) would bind nothing: refuse rather than run it wrong.
    for (const n of names) if (!used.has(n)) throw new Error(`prepared query: parameter ${n} is not bound`);
    const entry = { query, slots };
    compiled.set(ctx.dialect, entry);
    return entry;
  };
  return (ctx, values) => {
    const { query, slots } = compiled.get(ctx.dialect) ?? compile(ctx);
    const parameters = slots.map((s) => ('name' in s ? values[s.name] : s.constant));
    return runCompiled(ctx, { ...query, parameters });
  };
}

/** A compiled query on the repos' connection: synchronously where the store allows it, else through Kysely. */
export function runCompiled<O>(ctx: RepoContext, query: CompiledQuery<O>): Promise<O[]> {
  if (ctx.runSync !== undefined) {
    try {
      return Promise.resolve(ctx.runSync(query.sql, query.parameters) as O[]);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return ctx.db.executeQuery<O>(query).then((r) => r.rows);
}
