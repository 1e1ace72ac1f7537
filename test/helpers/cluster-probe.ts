// What a client of a cluster sees: a DNS answer from one node's DNS port, a TCP connect, a MySQL session
// (mysql2) and when it is closed, and `localrds nodes --json`, each bounded in time.
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import mysql from 'mysql2/promise';
import { BIN } from './child-server.js';

/** The A records a node's DNS server answers for a name, or the error code (ENOTFOUND for NXDOMAIN). */
export async function resolveAt(dnsPort: number, name: string): Promise<string[] | string> {
  const r = new Resolver({ timeout: 2000, tries: 2 });
  r.setServers([`127.0.0.1:${dnsPort}`]);
  try {
    return await r.resolve4(name);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

/** 'connected', or the error code of one connect attempt (bounded: 'ETIMEDOUT' after timeoutMs). */
export function connectOutcome(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => { s.destroy(); resolve('ETIMEDOUT'); }, timeoutMs);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve('connected'); });
    s.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(t); resolve(e.code ?? e.message); });
  });
}

export interface Session {
  conn: mysql.Connection;
  /** True once the server side closed the session (socket closed or errored). */
  closed(): boolean;
  query(sql: string): Promise<unknown>;
  destroy(): void;
}

/** A real MySQL session (root, no password: the shared MariaDB backend) through an endpoint. */
export async function openSession(host: string, port: number): Promise<Session> {
  const conn = await mysql.createConnection({ host, port, user: 'root', connectTimeout: 10_000 });
  let closed = false;
  conn.on('error', () => { closed = true; });
  (conn as unknown as { connection: { stream: net.Socket } }).connection.stream.once('close', () => { closed = true; });
  return {
    conn, closed: () => closed,
    query: async (q) => (await conn.query(q))[0],
    destroy: () => conn.destroy(),
  };
}

/** Polls fn until it returns a value accepted by ok, or throws with the last value after timeoutMs. */
export async function pollUntil<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, gapMs = 50): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return { value: last, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

export interface NodeRow {
  NodeId: string; State: string; ZoneId: string; ApiUrl: string; LeaseRemainingMs: number;
  Instances: number; Endpoints: number; Sessions: number;
  EndpointList: Array<{ ConnectionString: string; Address: string; Port: number | string; DBInstanceId: string }>;
}

/** `localrds nodes --db URL --json`. */
export function nodesJson(db: string): Promise<NodeRow[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, 'nodes', '--db', db, '--json'], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`localrds nodes failed: ${err.message} ${stderr}`)); return; }
      try {
        resolve((JSON.parse(stdout) as { Nodes: NodeRow[] }).Nodes);
      } catch (e) {
        reject(new Error(`localrds nodes --json printed no JSON: ${stdout.slice(0, 500)} ${String(e)}`));
      }
    });
  });
}
