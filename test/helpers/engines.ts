// Helpers for the instance-engine tests: the official SDK with a long read timeout, creating an instance and
// waiting for Running, its public endpoint as the API gives it, logins with mysql2 / pg, and counting servers.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { pidAlive } from '../../src/engines/process/server-process.js';
import { openapiCore, rdsModule, req, type Creds } from './clients.js';

export const PW = 'Passw0rd!2026';
export const PW2 = 'N3wPassw0rd!x';
export type Family = 'MySQL' | 'PostgreSQL';

/** Processes whose command line names this data dir: the instance servers localrds started there. */
export function serverPids(dataDir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(join(dataDir, 'engines', 'instances')) && pidAlive(Number(p))) out.push(Number(p));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

export interface Endpoint { host: string; port: number }

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface Api { call(action: string, fields: Record<string, unknown>): Promise<any> }

/**
 * The official client with a longer read timeout than its 3 s default: twenty servers starting at once on two
 * shared cores can hold an answer up for longer (no figure is asserted here; the bench measures them).
 */
export function sdk(s: { endpoint: string; credentials: Creds }): Api {
  const client = new rdsModule.default(new openapiCore.$OpenApiUtil.Config({
    accessKeyId: s.credentials.accessKeyId, accessKeySecret: s.credentials.accessKeySecret, endpoint: s.endpoint,
    protocol: 'http', readTimeout: 60_000, connectTimeout: 10_000,
  }));
  return {
    async call(action, fields) {
      const res = await client[action[0]?.toLowerCase() + action.slice(1)](req(action, fields));
      return res.body.toMap();
    },
  };
}

/** CreateDBInstance answers at once (Creating); Running follows once the server accepts connections. */
export async function create(api: Api, engine: Family): Promise<string> {
  const body = await api.call('CreateDBInstance', {
    regionId: 'cn-hangzhou', engine, engineVersion: engine === 'MySQL' ? '8.0' : '17.0', DBInstanceClass: 'x.n2.medium.1',
    DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0',
  });
  await running(api, body.DBInstanceId);
  return body.DBInstanceId as string;
}

export async function running(api: Api, id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await api.call('DescribeDBInstanceAttribute', { DBInstanceId: id })).Items.DBInstanceAttribute[0].DBInstanceStatus !== 'Running') {
    assert.ok(Date.now() < deadline, `${id} reaches Running`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function publicEndpoint(api: Api, id: string, port: string): Promise<Endpoint> {
  await api.call('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: `pub${id.slice(-8)}x`, port });
  await running(api, id);
  const info = (await api.call('DescribeDBInstanceNetInfo', { DBInstanceId: id })).DBInstanceNetInfos.DBInstanceNetInfo as Array<Record<string, string>>;
  const pub = info.find((e) => e.IPType === 'Public');
  assert.ok(pub, 'a public endpoint');
  return { host: pub.IPAddress as string, port: Number(pub.Port) };
}

/** A session through the endpoint: run SQL, close. Errors are the server's own (ERR packet / ErrorResponse). */
export interface Session { q(sql: string): Promise<unknown[]>; end(): Promise<void>; dead(): Promise<boolean> }

export async function login(family: Family, ep: Endpoint, user: string, password: string, database?: string): Promise<Session> {
  if (family === 'MySQL') {
    const c = await mysql.createConnection({ host: ep.host, port: ep.port, user, password, ...(database ? { database } : {}) });
    c.on('error', () => undefined);
    return {
      q: async (sql) => (await c.query(sql))[0] as unknown[],
      end: () => c.end().catch(() => undefined),
      dead: async () => c.query('SELECT 1').then(() => false, () => true),
    };
  }
  const c = new pg.Client({ host: ep.host, port: ep.port, user, password, database: database ?? 'postgres' });
  c.on('error', () => undefined);
  await c.connect();
  return {
    q: async (sql) => (await c.query(sql)).rows,
    end: () => c.end().catch(() => undefined),
    dead: async () => c.query('SELECT 1').then(() => false, () => true),
  };
}

