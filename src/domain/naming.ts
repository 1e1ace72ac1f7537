// Instance IDs and connection strings, formed as the real service forms them.
import { randomBytes, randomInt } from 'node:crypto';
import type { Engine, InstanceId, IpType } from './types.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomAlnum(n: number): string {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[(b[i] as number) % ALNUM.length];
  return s;
}

/** rm- for MySQL, MariaDB and SQL Server, pgm- for PostgreSQL; 17 lowercase letters and digits after the dash. */
export function newInstanceId(engine: Engine): InstanceId {
  const prefix = engine === 'PostgreSQL' ? 'pgm-' : 'rm-';
  return `${prefix}${String.fromCharCode(97 + randomInt(26))}${randomAlnum(16)}` as InstanceId;
}

export function newOrderId(): string {
  return String(randomInt(100000000, 999999999)) + String(randomInt(100000, 999999));
}

/**
 * The engine label inside a connection string. Real PostgreSQL internal endpoints read .pg., while the
 * Terraform provider's acceptance test expects .pgsql. on public ones; we follow both (docs/fidelity.md).
 */
export function engineLabel(engine: Engine, ipType: IpType): string {
  switch (engine) {
    case 'MySQL': return 'mysql';
    case 'MariaDB': return 'mariadb';
    case 'SQLServer': return 'sqlserver';
    case 'PostgreSQL': return ipType === 'Public' ? 'pgsql' : 'pg';
  }
}

export function connectionString(prefix: string, engine: Engine, ipType: IpType, domain: string): string {
  return `${prefix.toLowerCase()}.${engineLabel(engine, ipType)}.${domain}`;
}

/** Replaces the first label (the prefix) of a connection string. */
export function withPrefix(current: string, prefix: string): string {
  const dot = current.indexOf('.');
  return prefix.toLowerCase() + (dot < 0 ? '' : current.slice(dot));
}

export const DEFAULT_PORTS: Record<Engine, number> = { MySQL: 3306, MariaDB: 3306, PostgreSQL: 5432, SQLServer: 1433 };

export const ENGINE_VERSIONS: Record<Engine, readonly string[]> = {
  MySQL: ['5.5', '5.6', '5.7', '8.0'],
  MariaDB: ['10.3', '10.6'],
  PostgreSQL: ['10.0', '11.0', '12.0', '13.0', '14.0', '15.0', '16.0', '17.0'],
  SQLServer: ['2008r2', '08r2_ent_ha', '2012', '2012_ent_ha', '2012_std_ha', '2012_web', '2014_ent_ha', '2014_std_ha', '2016_ent_ha',
    '2016_std_ha', '2016_web', '2017_ent', '2017_std_ha', '2017_web', '2019_ent', '2019_std_ha', '2019_web', '2022_ent', '2022_std_ha', '2022_web'],
};

/** A connection-string prefix: letters, digits, hyphens and underscores, starting with a letter or digit. */
export const PREFIX_CHARS = /^[a-z0-9][a-z0-9_-]*$/i;
