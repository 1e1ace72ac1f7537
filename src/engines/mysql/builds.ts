// Which MySQL-compatible server is installed: the machine's mariadbd (Debian's mariadb-server) or mysqld.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerBuild } from '../driver.js';
import { versionOutput } from '../probe-cache.js';

export interface MysqlBuild extends ServerBuild {
  server: string;
  /** mariadb-install-db / mysql_install_db for MariaDB; '' for MySQL (mysqld --initialize-insecure). */
  installDb: string;
  flavour: 'mariadb' | 'mysql';
  version: string;
}

const DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':').filter(Boolean)];

function find(names: string[]): string | undefined {
  for (const n of names) for (const d of DIRS) if (existsSync(join(d, n))) return join(d, n);
  return undefined;
}

export function mysqlBuilds(): { builds: MysqlBuild[]; problem: string } {
  const server = find(['mariadbd', 'mysqld']);
  if (!server) return { builds: [], problem: 'no mariadbd or mysqld found: install one (apt-get install mariadb-server), or give --backend mysql=HOST:PORT' };
  let out: string;
  try {
    out = versionOutput(server, ['--version']);
  } catch (e) {
    return { builds: [], problem: `${server} --version failed: ${(e as Error).message}` };
  }
  const flavour = /mariadb/i.test(out) ? 'mariadb' : 'mysql';
  const version = /Ver (\d+\.\d+\.\d+)/.exec(out)?.[1] ?? 'unknown';
  const real = realpathSync(server);
  const installDb = flavour === 'mariadb' ? (find(['mariadb-install-db', 'mysql_install_db']) ?? '') : '';
  if (flavour === 'mariadb' && !installDb) return { builds: [], problem: `${server} is MariaDB but mariadb-install-db is missing` };
  return {
    builds: [{
      key: `${flavour}-${version}`, server: real, installDb, flavour, version, binDir: dirname(real),
      label: `${flavour === 'mariadb' ? 'MariaDB' : 'MySQL'} ${version} (${server})`,
    }],
    problem: '',
  };
}
