// Handlers for database accounts: CreateAccount, DescribeAccounts, DeleteAccount, ResetAccountPassword,
// ResetAccount, ModifyAccountDescription, LockAccount, UnlockAccount. They write desired state (verifiers, never
// the password) and touch the instance, so that the engine applies it after commit and before the answer.
// Checks run instance -> engine -> input -> existence -> instance state, so that a retry after success gets
// the not-found code whatever state the instance is in.
import { ACCOUNT_LIMIT, accountNameProblem, descriptionOk, passwordOk } from '../domain/db-rules.js';
import { privilegeDetail } from '../domain/privileges.js';
import type { DbAccountRecord, DbAccountType, InstanceRecord, PrivilegeRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { UniqueViolation } from '../store/types.js';
import { isoSeconds, requireInstance, requireRunning, type Handler, type HandlerContext } from './context.js';
import { isMysqlFamily, pageOf, requireDbAccount, verifiersFor } from './inside-instance.js';

function checkPassword(pw: string): void {
  if (!passwordOk(pw)) throw new ApiError('InvalidAccountPassword.Format');
}

function checkDescription(d: string | undefined): void {
  if (d !== undefined && !descriptionOk(d)) throw new ApiError('InvalidAccountDescription.Format');
}

function accountType(inst: InstanceRecord, raw: string | undefined): DbAccountType {
  if (raw === 'Sysadmin') {
    if (inst.engine !== 'SQLServer') throw new ApiError('InvalidEngineVersion.NotSupported');
    throw new ApiError('UnsupportedParameter', { name: 'AccountType', detail: 'localrds does not emulate SQL Server Sysadmin accounts.' });
  }
  return raw === 'Super' ? 'Super' : 'Normal';
}

/** The name rules against the accounts the instance already has (and, on a shared server, every instance's). */
async function checkNewAccount(ctx: HandlerContext, inst: InstanceRecord, name: string, type: DbAccountType): Promise<void> {
  const existing = await ctx.repos.dbAccounts.list(ctx.accountId, inst.id);
  if (existing.some((a) => a.name === name)) throw new ApiError('InvalidAccountName.Duplicate');
  if (isMysqlFamily(inst.engine)) {
    if (type === 'Super' && existing.some((a) => a.type === 'Super')) throw new ApiError('IncorrectAccountType');
    // MySQL: a standard account may not differ from the privileged one only by case (Test1 vs test1).
    const lower = name.toLowerCase();
    if (existing.some((a) => a.name.toLowerCase() === lower && (a.type === 'Super' || type === 'Super'))) throw new ApiError('InvalidAccountName.Duplicate');
  }
  if (existing.length >= ACCOUNT_LIMIT) throw new ApiError('AccountLimitExceeded');
  if (ctx.engineMode(inst.engine) === 'shared' && await ctx.repos.dbAccounts.nameHeldOnEngine(inst.engine, name, inst.id)) {
    throw new ApiError('InvalidAccountName.Duplicate');
  }
}

export const createAccount: Handler<'CreateAccount'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const type = accountType(inst, input.AccountType);
  if (input.CheckPolicy === true) throw new ApiError('UnsupportedParameter', { name: 'CheckPolicy', detail: 'localrds has no password policy.' });
  const problem = accountNameProblem(inst, input.AccountName);
  if (problem) throw new ApiError(problem === 'forbid' ? 'InvalidAccountName.Forbid' : 'InvalidAccountName.Format');
  checkPassword(input.AccountPassword);
  checkDescription(input.AccountDescription);
  await checkNewAccount(ctx, inst, input.AccountName, type);
  requireRunning(inst);
  const record: DbAccountRecord = {
    accountId: ctx.accountId, instanceId: inst.id, name: input.AccountName, type,
    description: input.AccountDescription ?? '', locked: false, ...verifiersFor(inst.engine, input.AccountPassword),
    createdAt: isoSeconds(ctx.now),
  };
  try {
    await ctx.repos.dbAccounts.insert(record);
  } catch (e) {
    // A concurrent CreateAccount of the same name won the race.
    if (e instanceof UniqueViolation) throw new ApiError('InvalidAccountName.Duplicate');
    throw e;
  }
  ctx.touch(inst.id);
  return {};
};

function describeAccount(inst: InstanceRecord, a: DbAccountRecord, grants: PrivilegeRecord[]) {
  const pg = inst.engine === 'PostgreSQL';
  const privileged = a.type === 'Super' ? 't' : 'f';
  return {
    DBInstanceId: inst.id,
    AccountName: a.name,
    AccountType: a.type,
    // Terraform's alicloud_db_account waits for "Lock" after LockAccount and "Available" otherwise.
    AccountStatus: a.locked ? 'Lock' : 'Available',
    AccountDescription: a.description,
    PrivExceeded: '0',
    DatabasePrivileges: {
      DatabasePrivilege: grants.filter((g) => g.accountName === a.name).map((g) => ({
        DBName: g.dbName, AccountPrivilege: g.privilege, AccountPrivilegeDetail: privilegeDetail(inst.engine, g.privilege),
      })),
    },
    ...(pg ? { ValidUntil: 'infinity', CreateDB: privileged, CreateRole: privileged, Replication: 'f', BypassRLS: 'f' } : {}),
  };
}

export const describeAccounts: Handler<'DescribeAccounts'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const all = await ctx.repos.dbAccounts.list(ctx.accountId, inst.id);
  const matching = input.AccountName === undefined ? all : all.filter((a) => a.name === input.AccountName);
  const pageNumber = Math.max(1, input.PageNumber ?? 1);
  const shown = pageOf(matching, pageNumber, input.PageSize ?? 500);
  const grants = shown.length > 0 ? await ctx.repos.privileges.list(ctx.accountId, inst.id) : [];
  return {
    PageNumber: pageNumber,
    TotalRecordCount: matching.length,
    Accounts: { DBInstanceAccount: shown.map((a) => describeAccount(inst, a, grants)) },
  };
};

export const deleteAccount: Handler<'DeleteAccount'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const account = await requireDbAccount(ctx, inst, input.AccountName);
  // Terraform unlocks a locked account and deletes again when DeleteAccount refuses it.
  if (account.locked) throw new ApiError('IncorrectAccountStatus');
  if (inst.engine === 'PostgreSQL') {
    // DROP ROLE fails while the role owns a database; RDS answers that "objects depend on account".
    const grants = await ctx.repos.privileges.list(ctx.accountId, inst.id);
    if (grants.some((g) => g.accountName === account.name && g.privilege === 'DBOwner')) throw new ApiError('AccountActionForbidden');
  }
  requireRunning(inst);
  await ctx.repos.dbAccounts.delete(ctx.accountId, inst.id, account.name);
  ctx.touch(inst.id);
  return {};
};

export const resetAccountPassword: Handler<'ResetAccountPassword'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const account = await requireDbAccount(ctx, inst, input.AccountName);
  checkPassword(input.AccountPassword);
  requireRunning(inst);
  await ctx.repos.dbAccounts.update(ctx.accountId, inst.id, account.name, verifiersFor(inst.engine, input.AccountPassword));
  ctx.touch(inst.id);
  return {};
};

export const resetAccount: Handler<'ResetAccount'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  if (inst.engine === 'PostgreSQL') throw new ApiError('IncorrectDBInstanceType');
  const account = await requireDbAccount(ctx, inst, input.AccountName);
  if (account.type !== 'Super') throw new ApiError('IncorrectAccountType');
  checkPassword(input.AccountPassword);
  requireRunning(inst);
  // New password, unlocked, and only the privileged account's fixed global set (no per-database grants).
  await ctx.repos.dbAccounts.update(ctx.accountId, inst.id, account.name, { ...verifiersFor(inst.engine, input.AccountPassword), locked: false });
  await ctx.repos.privileges.deleteByAccount(ctx.accountId, inst.id, account.name);
  ctx.touch(inst.id);
  return {};
};

export const modifyAccountDescription: Handler<'ModifyAccountDescription'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const account = await requireDbAccount(ctx, inst, input.AccountName);
  checkDescription(input.AccountDescription);
  requireRunning(inst);
  await ctx.repos.dbAccounts.update(ctx.accountId, inst.id, account.name, { description: input.AccountDescription });
  ctx.touch(inst.id);
  return {};
};

async function setLocked(ctx: HandlerContext, instanceId: string, name: string, locked: boolean): Promise<Record<string, never>> {
  const inst = await requireInstance(ctx, instanceId, true);
  if (inst.engine !== 'PostgreSQL') throw new ApiError('IncorrectDBInstanceType');
  const account = await requireDbAccount(ctx, inst, name);
  requireRunning(inst);
  await ctx.repos.dbAccounts.update(ctx.accountId, inst.id, account.name, { locked });
  ctx.touch(inst.id);
  return {};
}

export const lockAccount: Handler<'LockAccount'> = (ctx, input) => setLocked(ctx, input.DBInstanceId, input.AccountName, true);
export const unlockAccount: Handler<'UnlockAccount'> = (ctx, input) => setLocked(ctx, input.DBInstanceId, input.AccountName, false);
