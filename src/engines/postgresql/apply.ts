// Makes a PostgreSQL server's roles, databases and ownership match the store. Each step reads what the server
// has first and changes only what differs, so a second run issues no statement at all.
//   Super account: LOGIN CREATEDB CREATEROLE (never SUPERUSER). Normal: LOGIN. Locked: NOLOGIN.
//   DBOwner on a database: the account owns it (the public schema follows, being owned by pg_database_owner).
//   Passwords: only the stored SCRAM-SHA-256 verifier is sent; the server keeps it as given.
import pg from 'pg';
import type { DbAccountRecord } from '../../domain/types.js';
import type { AdminEndpoint, ApplyPolicy } from '../driver.js';
import type { EngineDesiredState } from '../types.js';
import type { PgSession } from './driver.js';

const id = pg.escapeIdentifier;
const lit = pg.escapeLiteral;
const SYSTEM_DATABASES = new Set(['postgres', 'template0', 'template1']);

interface RoleRow { rolname: string; rolcanlogin: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolsuper: boolean; rolpassword: string | null }

export function postgresSession(client: pg.Client, endpoint: AdminEndpoint, open: (db: string) => Promise<PgSession>): PgSession {
  const exec = (sql: string, params?: unknown[]) => client.query(sql, params);
  const isSystemRole = (name: string) => name === endpoint.user || name.startsWith('pg_') || name === 'postgres';

  const session: PgSession = {
    exec,
    async onDatabase(db, fn) {
      const other = await open(db);
      try { return await fn(other); } finally { await other.close(); }
    },
    async names(kind) {
      if (kind === 'database') {
        const r = await exec('SELECT datname FROM pg_database ORDER BY datname');
        return r.rows.map((x: { datname: string }) => x.datname).filter((n) => !SYSTEM_DATABASES.has(n));
      }
      const r = await exec('SELECT rolname FROM pg_roles ORDER BY rolname');
      return r.rows.map((x: { rolname: string }) => x.rolname).filter((n) => !isSystemRole(n));
    },
    async apply(desired, policy) {
      await applyRoles(session, desired.accounts.filter((a) => !isSystemRole(a.name)), policy);
      await applyDatabases(session, desired, policy, endpoint.user);
      await dropRoles(session, desired, policy, endpoint.user, isSystemRole);
    },
    async parameters(names) {
      const r = await exec('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])', [names]);
      const out: Record<string, string> = {};
      for (const row of r.rows as Array<{ name: string; setting: string }>) out[row.name] = row.setting;
      return out;
    },
    async cutSessions(accounts) {
      for (const a of accounts) await terminateSessions(session, a);
    },
    async version() {
      return ((await exec('SHOW server_version')).rows[0] as { server_version: string }).server_version;
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
  return session;
}

function roleClause(a: DbAccountRecord): string {
  return [a.locked ? 'NOLOGIN' : 'LOGIN', a.type === 'Super' ? 'CREATEDB CREATEROLE' : 'NOCREATEDB NOCREATEROLE', 'NOSUPERUSER'].join(' ');
}

async function applyRoles(s: PgSession, accounts: DbAccountRecord[], policy: ApplyPolicy): Promise<void> {
  const r = await s.exec('SELECT rolname, rolcanlogin, rolcreatedb, rolcreaterole, rolsuper, rolpassword FROM pg_authid');
  const have = new Map((r.rows as RoleRow[]).map((x) => [x.rolname, x]));
  for (const a of accounts) {
    const row = have.get(a.name);
    if (!row) {
      await policy.beforeCreate('account', a.name);
      await s.exec(`CREATE ROLE ${id(a.name)} ${roleClause(a)} PASSWORD ${lit(a.scramVerifier)}`);
      continue;
    }
    const superAccount = a.type === 'Super';
    const same = row.rolcanlogin === !a.locked && row.rolcreatedb === superAccount && row.rolcreaterole === superAccount
      && !row.rolsuper && row.rolpassword === a.scramVerifier;
    if (!same) await s.exec(`ALTER ROLE ${id(a.name)} ${roleClause(a)} PASSWORD ${lit(a.scramVerifier)}`);
    // A locked account's open sessions end too: LockAccount means it cannot use the database.
    if (a.locked && row.rolcanlogin) await terminateSessions(s, a.name);
  }
}

async function terminateSessions(s: PgSession, role: string): Promise<void> {
  await s.exec('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [role]);
}

/** The owner each desired database should have: its DBOwner account (the first by name), else the admin. */
function owners(desired: EngineDesiredState, admin: string): Map<string, string> {
  const out = new Map<string, string>();
  const accounts = new Set(desired.accounts.map((a) => a.name));
  for (const d of desired.databases) out.set(d.name, admin);
  const grants = [...desired.privileges].filter((p) => p.privilege === 'DBOwner' && accounts.has(p.accountName))
    .sort((a, b) => a.accountName.localeCompare(b.accountName));
  for (const p of grants.reverse()) if (out.has(p.dbName)) out.set(p.dbName, p.accountName);
  return out;
}

async function applyDatabases(s: PgSession, desired: EngineDesiredState, policy: ApplyPolicy, admin: string): Promise<void> {
  const r = await s.exec('SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database');
  const have = new Map((r.rows as Array<{ datname: string; owner: string }>).map((x) => [x.datname, x.owner]));
  const want = owners(desired, admin);
  for (const d of desired.databases) {
    if (SYSTEM_DATABASES.has(d.name)) continue;
    const owner = want.get(d.name) ?? admin;
    if (!have.has(d.name)) {
      await policy.beforeCreate('database', d.name);
      await createDatabase(s, d.name, d.charset || 'UTF8', d.collate || 'C', d.ctype || 'C');
      have.set(d.name, admin);
    }
    if (have.get(d.name) !== owner) await s.exec(`ALTER DATABASE ${id(d.name)} OWNER TO ${id(owner)}`);
  }
  const keep = new Set(desired.databases.map((d) => d.name));
  for (const name of have.keys()) {
    if (SYSTEM_DATABASES.has(name) || keep.has(name) || !policy.mayDrop('database', name)) continue;
    await s.exec(`DROP DATABASE ${id(name)} WITH (FORCE)`);
    await policy.afterDrop('database', name);
  }
}

/**
 * CREATE DATABASE with the requested encoding and locale. A locale this machine does not have (only C and
 * C.UTF-8 exist on a minimal Debian) falls back to C, as docs/fidelity.md says, instead of failing the call.
 */
async function createDatabase(s: PgSession, name: string, encoding: string, collate: string, ctype: string): Promise<void> {
  const sql = (c: string, t: string) =>
    `CREATE DATABASE ${id(name)} TEMPLATE template0 ENCODING ${lit(encoding)} LC_COLLATE ${lit(c)} LC_CTYPE ${lit(t)}`;
  try {
    await s.exec(sql(collate, ctype));
  } catch (e) {
    const code = (e as { code?: string }).code;
    // "invalid locale name" is 42809 (wrong_object_type) on PostgreSQL 15 and 17, 22023 in some builds;
    // 22021: the locale does not match the encoding.
    if (!['42809', '22023', '22021'].includes(code ?? '') || (collate === 'C' && ctype === 'C')) throw e;
    await s.exec(sql('C', 'C'));
  }
}

async function dropRoles(s: PgSession, desired: EngineDesiredState, policy: ApplyPolicy, admin: string, isSystem: (n: string) => boolean): Promise<void> {
  const keep = new Set(desired.accounts.map((a) => a.name));
  const extra = (await s.names('account')).filter((n) => !keep.has(n) && !isSystem(n) && policy.mayDrop('account', n));
  if (extra.length === 0) return;
  const dbs = (await s.exec('SELECT datname FROM pg_database WHERE datallowconn')).rows.map((x: { datname: string }) => x.datname);
  for (const role of extra) {
    await terminateSessions(s, role);
    // What the role owns passes to the admin, in every database (REASSIGN and DROP OWNED act per database).
    for (const db of dbs) {
      await s.onDatabase(db, async (o) => {
        await o.exec(`REASSIGN OWNED BY ${id(role)} TO ${id(admin)}`);
        await o.exec(`DROP OWNED BY ${id(role)}`);
      });
    }
    await s.exec(`DROP ROLE ${id(role)}`);
    await policy.afterDrop('account', role);
  }
}
