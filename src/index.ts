// The programmatic API (`import { startLocalrds } from 'localrds'`): a whole localrds for one test suite, on a
// free port with a temporary data dir, quiet by default, with everything it made removed again by stop().
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCidr } from './domain/ipv4.js';
import type { BackendAddress } from './dataplane/types.js';
import { startLocalrds as startServer, type LocalrdsOptions } from './runtime/server.js';
import type { Credentials } from './runtime/accounts.js';

export interface StartOptions {
  /** API address (default 127.0.0.1) and port (default 0: a free one). */
  host?: string;
  port?: number;
  /** Keep state here instead of a temporary directory; stop() then leaves it in place. */
  dataDir?: string;
  /** postgres://... keeps state in PostgreSQL instead of SQLite. */
  db?: string;
  /** Serve HTTPS on the same port too, with a CA generated in the data dir (default false: plain HTTP). */
  tls?: boolean;
  /** Lower-cased engine -> database server, e.g. { mysql: { host: '127.0.0.1', port: 3306 } }. */
  backends?: Record<string, BackendAddress>;
  /** Address pools as CIDR blocks (defaults as `localrds serve`; addresses other processes hold are skipped). */
  publicPool?: string;
  privatePool?: string;
  /** Default account's key; default a random pair, so that no two suites share one. */
  credentials?: Credentials;
  /**
   * 'none' (default): API-only, each instance's endpoints proxy to `backends` (or refuse with the reason), so calls
   * answer at once. 'auto': a real database server per instance where its binaries are installed, as
   * `localrds serve` does; creating an instance then takes seconds (raise the SDK's readTimeout).
   */
  engines?: 'auto' | 'none';
  /** pino level (default 'warn'). */
  logLevel?: string;
  /** Anything else `localrds serve` takes, for what the fields above do not cover. */
  server?: Omit<LocalrdsOptions, 'host' | 'port' | 'dataDir' | 'db' | 'tls' | 'backends' | 'credentials' | 'logLevel' | 'engines'>;
}

export interface Localrds {
  /** host:port, as the SDKs' `endpoint` takes it. */
  endpoint: string;
  /** http://host:port */
  url: string;
  host: string;
  port: number;
  credentials: Credentials;
  /** The CA to trust for HTTPS (when tls was asked for). */
  caPath?: string;
  dataDir: string;
  /** Closes listeners, sessions and the store, and removes the temporary data dir. */
  stop(): Promise<void>;
}

function cidr(text: string | undefined, name: string): ReturnType<typeof parseCidr> | undefined {
  if (text === undefined) return undefined;
  const c = parseCidr(text);
  if (!c) throw new Error(`${name} is not an IPv4 CIDR block: ${text}`);
  return c;
}

export async function startLocalrds(o: StartOptions = {}): Promise<Localrds> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'localrds-'));
  const removeDir = () => { if (o.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true }); };
  const credentials = o.credentials ?? randomCredentials();
  const publicPool = cidr(o.publicPool, 'publicPool');
  const privatePool = cidr(o.privatePool, 'privatePool');
  let rds: Awaited<ReturnType<typeof startServer>>;
  try {
    rds = await startServer({
      ...o.server,
      host: o.host ?? '127.0.0.1', port: o.port ?? 0, dataDir, db: o.db,
      tls: o.tls ? 'auto' : 'off', backends: o.backends ?? {}, credentials, logLevel: o.logLevel ?? 'warn',
      engines: o.engines ?? 'none',
      service: { ...o.server?.service, ...(publicPool ? { publicPool } : {}), ...(privatePool ? { privatePool } : {}) },
    });
  } catch (e) {
    removeDir();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `${rds.host.includes(':') ? `[${rds.host}]` : rds.host}:${rds.port}`,
    url: rds.url, host: rds.host, port: rds.port, credentials, caPath: rds.caPath, dataDir,
    stop: () => (stopped ??= rds.close().finally(removeDir)),
  };
}

function randomCredentials(): Credentials {
  return { accessKeyId: `LTAI5tEmbedded${randomBytes(6).toString('hex')}`, accessKeySecret: randomBytes(16).toString('hex') };
}

export type { Credentials } from './runtime/accounts.js';
export type { BackendAddress } from './dataplane/types.js';
