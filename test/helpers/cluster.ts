// In-process localrds nodes over one fresh PostgreSQL schema (issue 13 tests): each node its own data dir and its
// own /24 pools, short leases. `dropSchema` removes the schema after the test.
import { randomBytes, randomInt } from 'node:crypto';
import pg from 'pg';
import { mustCidr } from '../../src/config.js';
import type { LocalrdsOptions } from '../../src/runtime/server.js';
import { PG_URL, startTestServer, type TestServer } from './localrds.js';

export interface Cluster {
  url: string;
  schema: string;
  /** Second octet of this cluster's pools: node i serves 127.B.i.0/24 (public) and 127.B.(100+i).0/24 (internal). */
  block: number;
  start(nodeId: string, index: number, opts?: LocalrdsOptions): Promise<TestServer>;
  drop(): Promise<void>;
}

export function newCluster(): Cluster {
  const schema = `lrds_${randomBytes(6).toString('hex')}`;
  const url = `${PG_URL}?schema=${schema}`;
  const block = randomInt(100, 250);
  return {
    url, schema, block,
    start: (nodeId, index, opts = {}) => startTestServer({
      db: url, nodeId, leaseMs: 1500, reconcileMs: 1000, dnsPort: 0, ...opts,
      service: { publicPool: mustCidr(`127.${block}.${index}.0/24`), privatePool: mustCidr(`127.${block}.${100 + index}.0/24`), quarantineMs: 0, ...opts.service },
    }),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try { await c.query(`drop schema if exists "${schema}" cascade`); } finally { await c.end(); }
    },
  };
}

/** Polls until fn() is truthy (or throws after ms). */
export async function until<T>(fn: () => Promise<T> | T, ms: number, what: string): Promise<Exclude<T, undefined | null | false | '' | 0>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as Exclude<T, undefined | null | false | '' | 0>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function inPool(address: string, cidr: string): boolean {
  const c = mustCidr(cidr);
  const n = address.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  return n >= c.first && n <= c.last;
}
