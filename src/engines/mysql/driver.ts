// MySQL and MariaDB instance servers from the machine's mariadbd (or mysqld): a template made once by
// mariadb-install-db, a lean server per instance on a unix socket in its directory (--skip-networking), and
// root@localhost as localrds's admin login with a per-instance password (mysql_native_password only: never the
// unix_socket plugin, which would let anyone reaching the socket through the data plane in as localrds's OS user).
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mysqlNativeHash } from '../admin-secret.js';
import type { AdminEndpoint, AdminSession, EngineDriver, InstancePaths, ServerBuild } from '../driver.js';
import { chownTree, type OsUser } from '../process/os-user.js';
import { startServerProcess, stopServerProcess, waitUntil } from '../process/server-process.js';
import { mysqlSession, type MysqlSession } from './apply.js';
import { mysqlBuilds, type MysqlBuild } from './builds.js';

const run = promisify(execFile);
export const MYSQL_ADMIN = 'root';

/**
 * Lean settings (about 40 MB idle). innodb_flush_log_at_trx_commit=2 writes the log to the kernel at every
 * commit and flushes it once a second: a commit survives kill -9 of the server or of localrds, not an OS crash.
 */
export const MYSQL_FLAGS = [
  '--skip-networking', '--skip-name-resolve', '--performance-schema=OFF',
  '--innodb-buffer-pool-size=8M', '--innodb-log-file-size=8M', '--innodb-log-buffer-size=2M',
  '--innodb-flush-log-at-trx-commit=2', '--innodb-read-io-threads=1', '--innodb-write-io-threads=1',
  '--key-buffer-size=1M', '--loose-aria-pagecache-buffer-size=1M', '--table-open-cache=64', '--table-definition-cache=400',
  '--thread-cache-size=2', '--max-connections=30', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
];

function serverArgs(dataDir: string, runDir: string): string[] {
  return ['--no-defaults', `--datadir=${dataDir}`, `--socket=${join(runDir, 'mysqld.sock')}`, `--pid-file=${join(runDir, 'mysqld.pid')}`, ...MYSQL_FLAGS];
}

export function mysqlDriver(): EngineDriver {
  let cached: ReturnType<typeof mysqlBuilds> | undefined;
  const discover = () => (cached ??= mysqlBuilds());
  const driver: EngineDriver = {
    family: 'mysql',
    osUser: 'mysql',
    adminUser: MYSQL_ADMIN,
    stopSignal: 'SIGTERM',
    builds: () => discover(),
    choose: () => discover().builds[0],
    async initTemplate(b: ServerBuild, templateDir: string, secret: string, user: OsUser) {
      const build = b as MysqlBuild;
      await mkdir(templateDir, { recursive: true, mode: 0o700 });
      await chownTree(templateDir, user);
      const as = user.switched ? { uid: user.uid, gid: user.gid } : {};
      const env = { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' };
      if (build.flavour === 'mariadb') {
        await run(build.installDb, [
          '--no-defaults', `--datadir=${templateDir}`, '--auth-root-authentication-method=normal', '--skip-test-db',
          '--skip-name-resolve', '--innodb-log-file-size=8M', '--innodb-buffer-pool-size=8M',
          ...(user.switched ? [`--user=${user.name}`] : []),
        ], { env }).catch((e: unknown) => {
          // Its output opens with harmless warnings; the reason it failed is at the end.
          const x = e as { code?: unknown; stderr?: unknown; stdout?: unknown };
          const out = `${String(x.stderr ?? '')} ${String(x.stdout ?? '')}`.replace(/\s+/g, ' ').trim();
          throw new Error(`${build.installDb} failed (exit ${String(x.code)}): ${out.length > 300 ? `...${out.slice(-300)}` : out}`);
        });
      } else {
        await run(build.server, ['--no-defaults', '--initialize-insecure', `--datadir=${templateDir}`, '--innodb-log-file-size=8M'], { env, ...as });
      }
      await chownTree(templateDir, user);
      // Start it once to set the template's admin password and drop every other login the installer made.
      const runDir = `${templateDir}.run`;
      await mkdir(runDir, { recursive: true, mode: 0o700 });
      await chownTree(runDir, user);
      const log = `${templateDir}.log`;
      const proc = startServerProcess({ cmd: build.server, args: serverArgs(templateDir, runDir), cwd: templateDir, env }, user, log);
      try {
        const s = await waitUntil(() => connectMysql({ kind: 'unix', runDir, user: MYSQL_ADMIN, password: '' }), proc, 60_000, log);
        try {
          const users = (await s.exec('SELECT User AS u, Host AS h FROM mysql.user')) as Array<{ u: string; h: string }>;
          for (const row of users) {
            if (row.u === MYSQL_ADMIN && row.h === 'localhost') continue;
            if (row.u.startsWith('mariadb.') || row.u.startsWith('mysql.')) continue;
            await s.exec('DROP USER ?@?', [row.u, row.h]);
          }
          await driver.rotateAdmin(s, secret);
        } finally {
          await s.close();
        }
      } finally {
        await stopServerProcess(proc, 'SIGTERM');
        await rm(runDir, { recursive: true, force: true });
      }
    },
    command: (b: ServerBuild, paths: InstancePaths) => ({ cmd: (b as MysqlBuild).server, args: serverArgs(paths.dataDir, paths.runDir), cwd: paths.dataDir }),
    pidFile: (paths) => join(paths.runDir, 'mysqld.pid'),
    target: (paths) => ({ kind: 'unix', path: join(paths.runDir, 'mysqld.sock') }),
    connect: (endpoint) => connectMysql(endpoint),
    async rotateAdmin(session: AdminSession, newSecret: string) {
      const s = session as MysqlSession;
      const hash = mysqlNativeHash(newSecret);
      if (await s.isMariadb()) await s.exec(`ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING ?`, [hash]);
      else await s.exec(`ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password AS ?`, [hash]);
    },
    // ER_ACCESS_DENIED_ERROR
    isAuthFailure: (e) => (e as { errno?: number }).errno === 1045,
  };
  return driver;
}

export async function connectMysql(endpoint: AdminEndpoint): Promise<MysqlSession> {
  // Loaded on the first admin session, not at start-up: mysql2 (with iconv-lite) is a large part of the bundle.
  const { default: mysql } = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    ...(endpoint.kind === 'unix' ? { socketPath: join(endpoint.runDir, 'mysqld.sock') } : { host: endpoint.host, port: endpoint.port }),
    user: endpoint.user, password: endpoint.password, connectTimeout: 5000, multipleStatements: false,
  });
  conn.on('error', () => { /* a server stopping under an idle admin session is not an error of localrds */ });
  return mysqlSession(conn, endpoint);
}
