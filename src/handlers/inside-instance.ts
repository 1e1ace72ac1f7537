// Helpers shared by the account, grant and database handlers: lookups that raise the
// catalogued not-found codes, verifiers per engine, and offset paging.
import { mysqlNativeHash, scramSha256Verifier } from '../domain/password-verifiers.js';
import type { DatabaseRecord, DbAccountRecord, Engine, InstanceRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import type { HandlerContext } from './context.js';

export async function requireDbAccount(ctx: HandlerContext, inst: InstanceRecord, name: string): Promise<DbAccountRecord> {
  const a = await ctx.repos.dbAccounts.get(ctx.accountId, inst.id, name);
  if (!a) throw new ApiError('InvalidAccountName.NotFound');
  return a;
}

export async function requireDatabase(ctx: HandlerContext, inst: InstanceRecord, name: string, code: 'InvalidDBName.NotFound' | 'InvalidDB.NotFound'): Promise<DatabaseRecord> {
  const d = await ctx.repos.databases.get(ctx.accountId, inst.id, name);
  if (!d) throw new ApiError(code);
  return d;
}

/**
 * Only the verifier the instance's engine logs in with is kept: MySQL's native hash is unsalted SHA1, so it is
 * not stored for engines that do not need it. SQL Server (no server in localrds) keeps the salted SCRAM verifier.
 */
export function verifiersFor(engine: Engine, password: string): Pick<DbAccountRecord, 'mysqlHash' | 'scramVerifier'> {
  if (engine === 'MySQL' || engine === 'MariaDB') return { mysqlHash: mysqlNativeHash(password), scramVerifier: '' };
  return { mysqlHash: '', scramVerifier: scramSha256Verifier(password) };
}

/** MySQL and MariaDB: one privileged account that holds every database, so it takes no per-database grants. */
export function isMysqlFamily(engine: Engine): boolean {
  return engine === 'MySQL' || engine === 'MariaDB';
}

/** PageNumber from 1 (0 is read as 1); pageSize 0 means everything. */
export function pageOf<T>(items: T[], pageNumber: number, pageSize: number): T[] {
  if (pageSize <= 0) return items;
  const start = (Math.max(1, pageNumber) - 1) * pageSize;
  return items.slice(start, start + pageSize);
}

/** "a, b,c" -> ['a', 'b', 'c']; empty entries are kept so that a miscount is noticed. */
export function commaList(s: string): string[] {
  return s.split(',').map((x) => x.trim());
}
