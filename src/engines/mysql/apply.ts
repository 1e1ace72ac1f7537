// Makes a MySQL/MariaDB server's users, databases and grants match the store, per src/domain/privileges.ts:
//   every account is 'name'@'%' with the stored mysql_native_password hash (IDENTIFIED BY PASSWORD '*...');
//   a Super account holds the privileged set ON *.* WITH GRANT OPTION; a mode's privileges go ON `db`.*, except
//   the global-only ones (PROCESS, REPLICATION ...), which MySQL only has ON *.*.
// What the server has is read from information_schema first and only the difference is granted or revoked, so
// that a second run issues no statement.
import type { Connection } from 'mysql2/promise';
import type { DatabasePrivilege } from '../../domain/types.js';
import { MYSQL_GLOBAL_ONLY, MYSQL_MODE_PRIVILEGES, MYSQL_SUPER_PRIVILEGES } from '../../domain/privileges.js';
import type { AdminEndpoint, AdminSession, ApplyPolicy } from '../driver.js';
import type { EngineDesiredState } from '../types.js';

export interface MysqlSession extends AdminSession {
  exec(sql: string, params?: unknown[]): Promise<unknown[]>;
  isMariadb(): Promise<boolean>;
}

const SYSTEM_DATABASES = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);
/** Privileges MariaDB 10.5+ reports under another name than the one granted. */
const ALIASES: Record<string, string> = { 'BINLOG MONITOR': 'REPLICATION CLIENT' };
/** Every database-level privilege, what DBOwner (ALL PRIVILEGES ON `db`.*) amounts to. */
const DB_LEVEL_ALL = 'ALL PRIVILEGES';

const ident = (s: string) => '`' + s.replace(/`/g, '``') + '`';
/** In GRANT ... ON `db`.*, _ and % are wildcards: escape them so that a grant names exactly one database. */
const dbPattern = (db: string) => db.replace(/\\/g, '\\\\').replace(/_/g, '\\_').replace(/%/g, '\\%');
const grantee = (name: string) => `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'@'%'`;

interface Want { global: Set<string>; grantOption: boolean; perDb: Map<string, Set<string> | 'ALL'> }

function wanted(desired: EngineDesiredState): Map<string, Want> {
  const out = new Map<string, Want>();
  for (const a of desired.accounts) {
    out.set(a.name, { global: new Set(a.type === 'Super' ? MYSQL_SUPER_PRIVILEGES : []), grantOption: a.type === 'Super', perDb: new Map() });
  }
  const dbs = new Set(desired.databases.map((d) => d.name));
  for (const p of desired.privileges) {
    const w = out.get(p.accountName);
    if (!w || !dbs.has(p.dbName)) continue;
    if (p.privilege === 'DBOwner') { w.perDb.set(dbPattern(p.dbName), 'ALL'); continue; }
    const set = new Set<string>();
    for (const priv of MYSQL_MODE_PRIVILEGES[p.privilege as Exclude<DatabasePrivilege, 'DBOwner'>]) {
      if (MYSQL_GLOBAL_ONLY.has(priv)) w.global.add(priv);
      else set.add(priv);
    }
    w.perDb.set(dbPattern(p.dbName), set);
  }
  return out;
}

export function mysqlSession(conn: Connection, endpoint: AdminEndpoint): MysqlSession {
  let mariadb: boolean | undefined;
  const exec = async (sql: string, params?: unknown[]) => (await conn.query(sql, params))[0] as unknown[];
  const isSystemUser = (u: string) => u === endpoint.user || u === '' || u === 'root' || u.startsWith('mariadb.') || u.startsWith('mysql.') || u === 'mysql' || u === 'PUBLIC';

  const session: MysqlSession = {
    exec,
    async isMariadb() {
      mariadb ??= /mariadb/i.test(((await exec('SELECT VERSION() AS v')) as Array<{ v: string }>)[0]?.v ?? '');
      return mariadb;
    },
    async names(kind) {
      if (kind === 'database') {
        const rows = (await exec('SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA')) as Array<{ n: string }>;
        return rows.map((r) => r.n).filter((n) => !SYSTEM_DATABASES.has(n)).sort();
      }
      const rows = (await exec("SELECT DISTINCT User AS u FROM mysql.user WHERE Host = '%'")) as Array<{ u: string }>;
      return rows.map((r) => r.u).filter((u) => !isSystemUser(u)).sort();
    },
    async apply(desired, policy) {
      const accounts = desired.accounts.filter((a) => !isSystemUser(a.name));
      await applyUsers(session, accounts, policy);
      await applyDatabases(session, desired, policy);
      await applyGrants(session, { ...desired, accounts });
      const keep = new Set(accounts.map((a) => a.name));
      for (const u of await session.names('account')) {
        if (keep.has(u) || !policy.mayDrop('account', u)) continue;
        await session.exec(`DROP USER ${grantee(u)}`);
        await killSessions(session, u);
        await policy.afterDrop('account', u);
      }
    },
    async parameters(names) {
      if (names.length === 0) return {};
      const rows = (await exec('SELECT VARIABLE_NAME AS n, VARIABLE_VALUE AS v FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME IN (?)', [names.map((n) => n.toUpperCase())])) as Array<{ n: string; v: string }>;
      const byUpper = new Map(names.map((n) => [n.toUpperCase(), n]));
      const out: Record<string, string> = {};
      for (const r of rows) out[byUpper.get(r.n.toUpperCase()) ?? r.n.toLowerCase()] = r.v;
      return out;
    },
    async cutSessions(accounts) {
      for (const a of accounts) await killSessions(session, a);
    },
    async version() {
      return ((await exec('SELECT VERSION() AS v')) as Array<{ v: string }>)[0]?.v ?? '';
    },
    async close() {
      await conn.end().catch(() => conn.destroy());
    },
  };
  return session;
}

async function killSessions(s: MysqlSession, user: string): Promise<void> {
  const rows = (await s.exec('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()', [user])) as Array<{ id: number }>;
  for (const r of rows) await s.exec(`KILL CONNECTION ${Number(r.id)}`).catch(() => undefined);
}

async function applyUsers(s: MysqlSession, accounts: EngineDesiredState['accounts'], policy: ApplyPolicy): Promise<void> {
  const maria = await s.isMariadb();
  const rows = (await s.exec(maria
    ? "SELECT User AS u, authentication_string AS h, JSON_VALUE(p.Priv, '$.account_locked') AS l FROM mysql.user u JOIN mysql.global_priv p USING (User, Host) WHERE u.Host = '%'"
    : "SELECT User AS u, authentication_string AS h, account_locked AS l FROM mysql.user WHERE Host = '%'")) as Array<{ u: string; h: string; l: string | number | null }>;
  const have = new Map(rows.map((r) => [r.u, { hash: r.h, locked: r.l === 'Y' || r.l === 'true' || r.l === 1 || r.l === '1' }]));
  for (const a of accounts) {
    const row = have.get(a.name);
    if (!row) {
      await policy.beforeCreate('account', a.name);
      await s.exec(`CREATE USER ${grantee(a.name)} IDENTIFIED BY PASSWORD ?${a.locked ? ' ACCOUNT LOCK' : ''}`, [a.mysqlHash]);
      continue;
    }
    if (row.hash !== a.mysqlHash) await s.exec(`ALTER USER ${grantee(a.name)} IDENTIFIED BY PASSWORD ?`, [a.mysqlHash]);
    if (row.locked !== a.locked) {
      await s.exec(`ALTER USER ${grantee(a.name)} ACCOUNT ${a.locked ? 'LOCK' : 'UNLOCK'}`);
      if (a.locked) await killSessions(s, a.name);
    }
  }
}

async function applyDatabases(s: MysqlSession, desired: EngineDesiredState, policy: ApplyPolicy): Promise<void> {
  const rows = (await s.exec('SELECT SCHEMA_NAME AS n, DEFAULT_CHARACTER_SET_NAME AS c FROM information_schema.SCHEMATA')) as Array<{ n: string; c: string }>;
  const have = new Map(rows.map((r) => [r.n, r.c]));
  for (const d of desired.databases) {
    if (SYSTEM_DATABASES.has(d.name)) continue;
    // utf8 is utf8mb3 on current servers; compare by what the server reports for the requested name.
    const cs = d.charset || 'utf8mb4';
    if (!/^[A-Za-z0-9_]+$/.test(cs)) throw new Error(`not a character set name: ${cs}`);
    const current = have.get(d.name);
    if (current === undefined) {
      await policy.beforeCreate('database', d.name);
      await s.exec(`CREATE DATABASE ${ident(d.name)} CHARACTER SET ${cs}`);
    } else if (current !== cs && !(cs === 'utf8' && current === 'utf8mb3')) {
      await s.exec(`ALTER DATABASE ${ident(d.name)} CHARACTER SET ${cs}`);
    }
  }
  const keep = new Set(desired.databases.map((d) => d.name));
  for (const name of have.keys()) {
    if (SYSTEM_DATABASES.has(name) || keep.has(name) || !policy.mayDrop('database', name)) continue;
    await s.exec(`DROP DATABASE ${ident(name)}`);
    await policy.afterDrop('database', name);
  }
}

async function applyGrants(s: MysqlSession, desired: EngineDesiredState): Promise<void> {
  const want = wanted(desired);
  if (want.size === 0) return;
  const grantees = [...want.keys()].map(grantee);
  const userRows = (await s.exec('SELECT GRANTEE AS g, PRIVILEGE_TYPE AS p, IS_GRANTABLE AS o FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN (?)', [grantees])) as Array<{ g: string; p: string; o: string }>;
  const dbRows = (await s.exec('SELECT GRANTEE AS g, TABLE_SCHEMA AS d, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (?)', [grantees])) as Array<{ g: string; d: string; p: string }>;
  for (const [name, w] of want) {
    const g = grantee(name);
    const haveGlobal = new Set(userRows.filter((r) => r.g === g && r.p !== 'USAGE').map((r) => ALIASES[r.p] ?? r.p));
    const haveOption = userRows.some((r) => r.g === g && r.o === 'YES');
    const add = [...w.global].filter((p) => !haveGlobal.has(p));
    const drop = [...haveGlobal].filter((p) => !w.global.has(p));
    if (add.length > 0 || (w.grantOption && !haveOption)) {
      await s.exec(`GRANT ${add.length > 0 ? add.join(', ') : 'USAGE'} ON *.* TO ${g}${w.grantOption ? ' WITH GRANT OPTION' : ''}`);
    }
    if (drop.length > 0) await s.exec(`REVOKE ${drop.join(', ')} ON *.* FROM ${g}`);
    if (!w.grantOption && haveOption) await s.exec(`REVOKE GRANT OPTION ON *.* FROM ${g}`);

    const haveDb = new Map<string, Set<string>>();
    for (const r of dbRows) if (r.g === g) (haveDb.get(r.d) ?? haveDb.set(r.d, new Set()).get(r.d))?.add(r.p);
    for (const [pattern, privs] of w.perDb) {
      const have = haveDb.get(pattern) ?? new Set<string>();
      const on = `${ident(pattern)}.*`;
      if (privs === 'ALL') {
        // DBOwner: ALL PRIVILEGES; what "all" holds differs per server version, so it is only granted once.
        if (have.size === 0 || !have.has('DROP') || !have.has('ALTER ROUTINE')) await s.exec(`GRANT ${DB_LEVEL_ALL} ON ${on} TO ${g}`);
        continue;
      }
      const addDb = [...privs].filter((p) => !have.has(p));
      const dropDb = [...have].filter((p) => !privs.has(p));
      if (addDb.length > 0) await s.exec(`GRANT ${addDb.join(', ')} ON ${on} TO ${g}`);
      if (dropDb.length > 0) await s.exec(`REVOKE ${dropDb.join(', ')} ON ${on} FROM ${g}`);
    }
    for (const [pattern, have] of haveDb) {
      if (w.perDb.has(pattern) || have.size === 0) continue;
      await s.exec(`REVOKE ${[...have].join(', ')} ON ${ident(pattern)}.* FROM ${g}`);
    }
  }
}
