// Handlers for grants: GrantAccountPrivilege and RevokeAccountPrivilege. A grant is desired state (one mode per
// account and database); the engine turns it into real GRANTs after commit.
import { allowedModes } from '../domain/privileges.js';
import type { DatabasePrivilege } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { requireInstance, requireRunning, type Handler } from './context.js';
import { commaList, isMysqlFamily, requireDatabase, requireDbAccount } from './inside-instance.js';

export const grantAccountPrivilege: Handler<'GrantAccountPrivilege'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const account = await requireDbAccount(ctx, inst, input.AccountName);
  const dbNames = commaList(input.DBName);
  const modes = commaList(input.AccountPrivilege);
  if (dbNames.length !== modes.length || dbNames.some((n) => n === '') || modes.some((m) => m === '')) {
    throw new ApiError('InvalidDBNameOrAccountPrivilege');
  }
  const allowed = allowedModes(inst.engine) as readonly string[];
  if (modes.some((m) => !allowed.includes(m))) throw new ApiError('InvalidAccountPrivilege.Malformed');
  if (isMysqlFamily(inst.engine) && account.type === 'Super') throw new ApiError('IncorrectAccountType');
  for (const n of dbNames) await requireDatabase(ctx, inst, n, 'InvalidDB.NotFound');
  requireRunning(inst);

  const current = inst.engine === 'PostgreSQL' ? await ctx.repos.privileges.list(ctx.accountId, inst.id) : [];
  for (let i = 0; i < dbNames.length; i++) {
    const dbName = dbNames[i] as string;
    const privilege = modes[i] as DatabasePrivilege;
    if (privilege === 'DBOwner' && inst.engine === 'PostgreSQL') {
      // A PostgreSQL database has one owner: making this account the owner takes it from the previous one.
      for (const g of current) {
        if (g.dbName === dbName && g.privilege === 'DBOwner' && g.accountName !== account.name) {
          await ctx.repos.privileges.delete(ctx.accountId, inst.id, g.accountName, dbName);
        }
      }
    }
    await ctx.repos.privileges.put({ accountId: ctx.accountId, instanceId: inst.id, accountName: account.name, dbName, privilege });
  }
  ctx.touch(inst.id);
  return {};
};

export const revokeAccountPrivilege: Handler<'RevokeAccountPrivilege'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  // PostgreSQL has only DBOwner, which moves to another account by a grant rather than being revoked.
  if (inst.engine === 'PostgreSQL') throw new ApiError('IncorrectDBInstanceType');
  const account = await requireDbAccount(ctx, inst, input.AccountName);
  if (isMysqlFamily(inst.engine) && account.type === 'Super') throw new ApiError('IncorrectAccountType');
  const dbNames = commaList(input.DBName).filter((n) => n !== '');
  if (dbNames.length === 0) throw new ApiError('InvalidDB.NotFound');
  for (const n of dbNames) await requireDatabase(ctx, inst, n, 'InvalidDB.NotFound');
  requireRunning(inst);
  for (const n of dbNames) await ctx.repos.privileges.delete(ctx.accountId, inst.id, account.name, n);
  ctx.touch(inst.id);
  return {};
};
