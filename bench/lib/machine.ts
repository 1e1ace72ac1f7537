// What the figures were measured on: hardware, OS, runtimes, package and database versions.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './proc.js';

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return (err.stdout || err.stderr || 'unavailable').trim();
  }
}

function pkgVersion(name: string): string {
  try {
    const require = createRequire(join(ROOT, 'package.json'));
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  }
}

export interface MachineInfo { lines: Array<[string, string]> }

export function machineInfo(): MachineInfo {
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const commit = run('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = run('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no', 'src']) ? ' (with uncommitted changes in src/)' : '';
  const haproxy = run('haproxy', ['-v']).split('\n')[0] ?? '';
  const mariadb = run('mysql', ['-h127.0.0.1', '-uroot', '-N', '-e', 'select version()']);
  const postgres = run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-Atc', 'show server_version']);
  const fs = run('df', ['--output=fstype', '/tmp']).split('\n').pop() ?? '';
  return {
    lines: [
      ['nproc', `${run('nproc', [])} (before the benchmark pins itself to one core)`],
      ['CPU', `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical)`],
      ['Memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
      ['Kernel', `Linux ${release()}`],
      ['Temp dir file system', `/tmp on ${fs} (SQLite data dirs live there)`],
      ['Load average at start', loadavg().map((l) => l.toFixed(2)).join(', ')],
      ['Node.js', process.version],
      ['localrds', `${own.version}, commit ${commit}${dirty}`],
      ['Packages', ['better-sqlite3', 'kysely', 'pg', 'mysql2', 'azurite', 'autocannon'].map((p) => `${p} ${pkgVersion(p)}`).join(', ')],
      ['HAProxy', haproxy],
      ['MariaDB', mariadb],
      ['PostgreSQL', postgres],
    ],
  };
}
