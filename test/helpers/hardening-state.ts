// What the hardening suites compare after races and crashes: the rows behind the API (read straight from the
// SQLite file or the PostgreSQL schema, not through localrds), the invariants those rows must keep, and what the
// listening sockets on 127.0.0.0/8 really do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { mustCidr } from '../../src/config.js';
import type { Creds } from './clients.js';
import { PG_URL } from './localrds.js';
import { v1Get } from './sign.js';

export interface Rows {
  instances: Array<{ id: string; account_id: string; status: string }>;
  endpoints: Array<{ connection_string: string; instance_id: string; ip_type: string; address: string; port: number }>;
  /** Address leases currently held (released = 0). */
  held: Array<{ pool: string; address: string; instance_id: string }>;
  groups: Array<{ instance_id: string; name: string; ips: string }>;
  audit: Array<{ request_id: string; action: string; instance_id: string; result: string; access_key_id: string }>;
}

const QUERIES = {
  instances: 'select id, account_id, status from instances order by id',
  endpoints: 'select connection_string, instance_id, ip_type, address, port from endpoints order by connection_string',
  held: 'select pool, address, instance_id from addresses where released = 0 order by pool, address',
  groups: 'select instance_id, name, ips from security_ip_groups order by instance_id, name',
  audit: 'select request_id, action, instance_id, result, access_key_id from audit order by id',
} as const;

/** Reads the SQLite file of a data dir (read-only; works while the server runs, thanks to WAL). */
export function readSqlite(dataDir: string): Rows {
  const db = new BetterSqlite3(join(dataDir, 'localrds.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const out = {} as Record<keyof Rows, unknown[]>;
    for (const [k, q] of Object.entries(QUERIES)) out[k as keyof Rows] = db.prepare(q).all();
    return out as unknown as Rows;
  } finally {
    db.close();
  }
}

export async function readPostgres(schema: string): Promise<Rows> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`set search_path to "${schema}"`);
    const out = {} as Record<keyof Rows, unknown[]>;
    for (const [k, q] of Object.entries(QUERIES)) out[k as keyof Rows] = (await c.query(q)).rows;
    return out as unknown as Rows;
  } finally {
    await c.end();
  }
}

/** A fresh schema name and its URL; drop it with dropSchema. */
export function pgSchema(prefix: string): { schema: string; url: string } {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  return { schema, url: `${PG_URL}?schema=${schema}` };
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

/**
 * The invariants of the store that no interleaving may break:
 * every instance has exactly one internal endpoint and at most one public one; no connection string and no
 * (pool, address) is held twice; every endpoint holds its address lease and every held lease belongs to an
 * endpoint of the same instance (nothing half-done, nothing leaked).
 */
export function assertStoreInvariants(rows: Rows, ctx = ''): void {
  const byInstance = new Map<string, Rows['endpoints']>();
  for (const e of rows.endpoints) byInstance.set(e.instance_id, [...(byInstance.get(e.instance_id) ?? []), e]);
  const ids = new Set(rows.instances.map((i) => i.id));
  for (const id of ids) {
    const eps = byInstance.get(id) ?? [];
    assert.equal(eps.filter((e) => e.ip_type === 'Private').length, 1, `${ctx} ${id} has exactly one internal endpoint`);
    assert.ok(eps.filter((e) => e.ip_type === 'Public').length <= 1, `${ctx} ${id} has at most one public endpoint`);
    assert.ok(rows.groups.some((g) => g.instance_id === id), `${ctx} ${id} has its whitelist`);
  }
  for (const e of rows.endpoints) assert.ok(ids.has(e.instance_id), `${ctx} endpoint ${e.connection_string} of a missing instance`);
  for (const g of rows.groups) assert.ok(ids.has(g.instance_id), `${ctx} whitelist of a missing instance ${g.instance_id}`);
  const names = rows.endpoints.map((e) => e.connection_string);
  assert.equal(new Set(names).size, names.length, `${ctx} a connection string held twice`);
  const poolOf = (t: string) => (t === 'Public' ? 'public' : 'private');
  const addrs = rows.endpoints.map((e) => `${poolOf(e.ip_type)}/${e.address}`);
  assert.equal(new Set(addrs).size, addrs.length, `${ctx} an address held by two endpoints`);
  const held = new Map(rows.held.map((h) => [`${h.pool}/${h.address}`, h.instance_id]));
  assert.equal(held.size, rows.held.length, `${ctx} an address leased twice`);
  for (const e of rows.endpoints) {
    assert.equal(held.get(`${poolOf(e.ip_type)}/${e.address}`), e.instance_id, `${ctx} endpoint ${e.connection_string} holds its lease on ${e.address}`);
  }
  assert.equal(rows.held.length, rows.endpoints.length, `${ctx} leases without an endpoint (leaked addresses)`);
}

/** Whether 127.0.0.1 is admitted by these whitelist groups; an independent reading of the documented rules. */
export function admitsLoopback(groups: Array<{ ips: string }>): boolean {
  // The bare entry 127.0.0.1 means "nobody" on the real service; the suites only use these entries.
  return groups.flatMap((g) => g.ips.split(',')).some((e) => e === '0.0.0.0/0' || e === '127.0.0.1/32' || e === '127.0.0.0/8');
}

export type Probe = 'greeted' | 'closed' | 'refused' | 'timeout';

/**
 * Connects from 127.0.0.1 and says what happened: 'greeted' (admitted and proxied to the test backend, which
 * writes first), 'closed' (accepted, then closed without a byte: whitelist), 'refused' (nothing listening).
 */
export function probe(address: string, port: number, timeoutMs = 3000): Promise<Probe> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, localAddress: '127.0.0.1' });
    let done = false;
    const finish = (p: Probe) => { if (!done) { done = true; clearTimeout(t); s.destroy(); resolve(p); } };
    const t = setTimeout(() => finish('timeout'), timeoutMs);
    s.once('data', () => finish('greeted'));
    s.once('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'refused' : 'closed'));
    s.once('close', () => finish('closed'));
  });
}

/** A backend that greets every connection, standing in for the database server behind the endpoints. */
export async function startGreeter(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    c.on('error', () => undefined);
    c.write('hello\n');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: async () => {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

/**
 * Every endpoint in the rows answers as its whitelist says (greeted or closed), and every other address:port
 * that was ever used refuses. Returns how many sockets were probed.
 */
export async function assertListenersMatch(rows: Rows, everUsed: Iterable<string>, ctx = ''): Promise<number> {
  let probed = 0;
  const live = new Set<string>();
  for (const e of rows.endpoints) {
    live.add(`${e.address}:${e.port}`);
    const want = admitsLoopback(rows.groups.filter((g) => g.instance_id === e.instance_id)) ? 'greeted' : 'closed';
    assert.equal(await probe(e.address, e.port), want, `${ctx} ${e.connection_string} (${e.address}:${e.port}) should be ${want}`);
    probed++;
  }
  for (const key of everUsed) {
    if (live.has(key)) continue;
    const [address, port] = key.split(':');
    assert.equal(await probe(address as string, Number(port)), 'refused', `${ctx} ${key} was released and must refuse`);
    probed++;
  }
  return probed;
}

/**
 * Waits (up to 15 s) until the instance is Running. A listener may need a bind retry when another test process
 * on the machine happens to hold the same loopback address, and the instance stays Creating until it binds.
 */
export async function waitRunning(endpoint: string, c: Creds, id: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const a = await v1Get(endpoint, c, { Action: 'DescribeDBInstanceAttribute', DBInstanceId: id });
    const status = (a.json?.Items as { DBInstanceAttribute?: Array<{ DBInstanceStatus: string }> } | undefined)?.DBInstanceAttribute?.[0]?.DBInstanceStatus;
    if (status === 'Running') return;
    if (Date.now() > deadline) throw new Error(`${id} still ${status ?? a.text} after 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Address pools for a hardening server: two random /24 blocks in 127.2-127.49 (127.32 excluded: it is the default
 * internal pool). The other suites draw /16 blocks from 127.50 and above, and a /24 out of some 12,000 keeps
 * concurrent test files, and concurrent runs on one machine, from binding each other's addresses.
 */
export function hardeningPools(): { publicPool: ReturnType<typeof mustCidr>; privatePool: ReturnType<typeof mustCidr> } {
  const block = () => {
    let a = 32;
    while (a === 32) a = 2 + Math.floor(Math.random() * 48);
    return `127.${a}.${Math.floor(Math.random() * 256)}.0/24`;
  };
  const publicPool = block();
  let privatePool = block();
  while (privatePool === publicPool) privatePool = block();
  return { publicPool: mustCidr(publicPool), privatePool: mustCidr(privatePool) };
}
