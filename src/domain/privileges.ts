// What each AccountPrivilege mode means, per engine, as Alibaba documents it (account-permissions pages;
// see ../shared/reference/accounts-and-databases.md). The engines turn these lists into real GRANTs; the API
// shows them as AccountPrivilegeDetail. Facts only: no SQL here (engine SQL lives under src/engines).
import type { DatabasePrivilege, Engine } from './types.js';

/** MySQL/MariaDB privileges per mode, in the order the documentation lists them. */
export const MYSQL_MODE_PRIVILEGES: Record<Exclude<DatabasePrivilege, 'DBOwner'>, readonly string[]> = {
  ReadOnly: ['SELECT', 'SHOW VIEW', 'REPLICATION SLAVE', 'REPLICATION CLIENT'],
  ReadWrite: [
    'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'REFERENCES', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES',
    'LOCK TABLES', 'EXECUTE', 'CREATE VIEW', 'SHOW VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EVENT', 'TRIGGER',
    'PROCESS', 'REPLICATION SLAVE', 'REPLICATION CLIENT',
  ],
  DDLOnly: [
    'CREATE', 'DROP', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'CREATE VIEW', 'SHOW VIEW',
    'CREATE ROUTINE', 'ALTER ROUTINE', 'PROCESS', 'REPLICATION SLAVE', 'REPLICATION CLIENT',
  ],
  DMLOnly: [
    'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'EXECUTE', 'SHOW VIEW', 'EVENT',
    'TRIGGER', 'PROCESS', 'REPLICATION SLAVE', 'REPLICATION CLIENT',
  ],
};

/** MySQL privileges that exist only globally (ON *.*): a per-database grant of them is given globally. */
export const MYSQL_GLOBAL_ONLY = new Set(['PROCESS', 'REPLICATION SLAVE', 'REPLICATION CLIENT']);

/** The privileged (Super) account's fixed global set on MySQL/MariaDB: no SUPER, FILE or SHUTDOWN. */
export const MYSQL_SUPER_PRIVILEGES: readonly string[] = [
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'RELOAD', 'PROCESS', 'REFERENCES', 'INDEX', 'ALTER',
  'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'EXECUTE', 'REPLICATION SLAVE', 'REPLICATION CLIENT', 'CREATE VIEW',
  'SHOW VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'CREATE USER', 'EVENT', 'TRIGGER',
];

/** PostgreSQL: a standard account's table rights on a granted database; DBOwner makes it the owner. */
export const POSTGRES_TABLE_PRIVILEGES: readonly string[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/** Which modes GrantAccountPrivilege accepts per engine (PostgreSQL cloud disks: DBOwner only). */
export function allowedModes(engine: Engine): readonly DatabasePrivilege[] {
  if (engine === 'PostgreSQL') return ['DBOwner'];
  if (engine === 'SQLServer') return ['ReadWrite', 'ReadOnly', 'DBOwner'];
  return ['ReadWrite', 'ReadOnly', 'DDLOnly', 'DMLOnly'];
}

/** AccountPrivilegeDetail as DescribeAccounts/DescribeDatabases show it, e.g. "SELECT,INSERT,...". */
export function privilegeDetail(engine: Engine, mode: DatabasePrivilege): string {
  if (engine === 'PostgreSQL') return mode === 'DBOwner' ? ['CREATE', 'CONNECT', 'TEMPORARY', ...POSTGRES_TABLE_PRIVILEGES].join(',') : POSTGRES_TABLE_PRIVILEGES.join(',');
  if (mode === 'DBOwner') return 'ALL PRIVILEGES';
  return MYSQL_MODE_PRIVILEGES[mode].join(',');
}
