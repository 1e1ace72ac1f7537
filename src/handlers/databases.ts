// Handlers for databases: CreateDatabase, DescribeDatabases, DeleteDatabase, ModifyDBDescription.
// Desired state in the store; the engine creates and drops the real databases after commit.
import { DATABASE_LIMIT, dbNameProblem, descriptionOk, parseCharacterSet } from '../domain/db-rules.js';
import { privilegeDetail } from '../domain/privileges.js';
import type { DatabaseRecord, InstanceRecord, PrivilegeRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { UniqueViolation } from '../store/types.js';
import { isoSeconds, requireInstance, requireRunning, type Handler } from './context.js';
import { pageOf, requireDatabase } from './inside-instance.js';

function checkDescription(d: string | undefined): void {
  if (d !== undefined && !descriptionOk(d)) throw new ApiError('InvalidDBDescription.Format');
}

export const createDatabase: Handler<'CreateDatabase'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const problem = dbNameProblem(input.DBName);
  if (problem) throw new ApiError(problem === 'forbid' ? 'InvalidDBName.Forbid' : 'InvalidDBName.Format');
  const cs = parseCharacterSet(inst.engine, input.CharacterSetName);
  if (!cs) throw new ApiError('InvalidCharacterSetName.Format');
  checkDescription(input.DBDescription);
  const existing = await ctx.repos.databases.list(ctx.accountId, inst.id);
  if (existing.some((d) => d.name === input.DBName)) throw new ApiError('InvalidDBName.Duplicate');
  if (ctx.engineMode(inst.engine) === 'shared' && await ctx.repos.databases.nameHeldOnEngine(inst.engine, input.DBName, inst.id)) {
    throw new ApiError('InvalidDBName.Duplicate');
  }
  if (existing.length >= DATABASE_LIMIT) throw new ApiError('SqlExcutionFailed');
  requireRunning(inst);
  try {
    await ctx.repos.databases.insert({
      accountId: ctx.accountId, instanceId: inst.id, name: input.DBName, ...cs,
      description: input.DBDescription ?? '', createdAt: isoSeconds(ctx.now),
    });
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ApiError('InvalidDBName.Duplicate');
    throw e;
  }
  ctx.touch(inst.id);
  return {};
};

function describeDatabase(inst: InstanceRecord, d: DatabaseRecord, grants: PrivilegeRecord[]) {
  const pg = inst.engine === 'PostgreSQL';
  return {
    DBInstanceId: inst.id,
    DBName: d.name,
    DBStatus: 'Running',
    Engine: inst.engine,
    CharacterSetName: d.charset,
    DBDescription: d.description,
    ...(pg ? { Collate: d.collate, Ctype: d.ctype, ConnLimit: '-1', Tablespace: 'pg_default' } : {}),
    Accounts: {
      AccountPrivilegeInfo: grants.filter((g) => g.dbName === d.name).map((g) => ({
        Account: g.accountName, AccountPrivilege: g.privilege, AccountPrivilegeDetail: privilegeDetail(inst.engine, g.privilege),
      })),
    },
  };
}

export const describeDatabases: Handler<'DescribeDatabases'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const all = await ctx.repos.databases.list(ctx.accountId, inst.id);
  // Every database localrds lists is Running: it exists on the server once CreateDatabase has answered.
  const matching = all.filter((d) => (input.DBName === undefined || d.name === input.DBName) && (input.DBStatus === undefined || input.DBStatus === 'Running'));
  const shown = pageOf(matching, input.PageNumber ?? 1, input.PageSize ?? 0);
  const grants = shown.length > 0 ? await ctx.repos.privileges.list(ctx.accountId, inst.id) : [];
  return { Databases: { Database: shown.map((d) => describeDatabase(inst, d, grants)) } };
};

export const deleteDatabase: Handler<'DeleteDatabase'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const db = await requireDatabase(ctx, inst, input.DBName, 'InvalidDBName.NotFound');
  requireRunning(inst);
  await ctx.repos.databases.delete(ctx.accountId, inst.id, db.name);
  ctx.touch(inst.id);
  return {};
};

export const modifyDBDescription: Handler<'ModifyDBDescription'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const db = await requireDatabase(ctx, inst, input.DBName, 'InvalidDBName.NotFound');
  checkDescription(input.DBDescription);
  requireRunning(inst);
  await ctx.repos.databases.setDescription(ctx.accountId, inst.id, db.name, input.DBDescription);
  ctx.touch(inst.id);
  return {};
};
