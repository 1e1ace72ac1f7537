// Handler for ModifyAccountCheckPolicy (see src/api/ops-account-policy.ts).
import { ApiError } from '../errors/api-error.js';
import { requireInstance, type Handler } from './context.js';

export const modifyAccountCheckPolicy: Handler<'ModifyAccountCheckPolicy'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  if (!(await ctx.repos.dbAccounts.get(ctx.accountId, inst.id, input.AccountName))) throw new ApiError('InvalidAccountName.NotFound');
  if (input.CheckPolicy) throw new ApiError('UnsupportedParameter', { name: 'CheckPolicy', detail: 'localrds has no password policy.' });
  return {};
};
