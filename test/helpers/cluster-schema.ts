// A fresh PostgreSQL schema of the test's own for a cluster's store, and dropping it afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_URL } from './localrds.js';

export function randomSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** The store URL of a schema, optionally through another host:port (a relay). */
export function storeUrl(schema: string, via?: { host: string; port: number }): string {
  const u = new URL(PG_URL);
  if (via) { u.hostname = via.host; u.port = String(via.port); }
  u.searchParams.set('schema', schema);
  return u.toString();
}

export async function dropSchema(schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}
