// Handlers for whitelist groups: ModifySecurityIps and DescribeDBInstanceIPArrayList.
import { applyMode, DENY_ALL, MAX_ENTRIES_PER_INSTANCE, MAX_GROUPS_PER_INSTANCE, normaliseGroupName, parseIpList } from '../domain/whitelist.js';
import { ApiError } from '../errors/api-error.js';
import { requireInstance, requireRunning, type Handler } from './context.js';

export const modifySecurityIps: Handler<'ModifySecurityIps'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  const parsed = parseIpList(input.SecurityIps);
  if ('problem' in parsed) throw new ApiError(parsed.problem === 'duplicate' ? 'InvalidSecurityIPList.Duplicate' : 'SecurityIPList.Format');
  const name = normaliseGroupName(input.DBInstanceIPArrayName);
  if (!name) throw new ApiError('InvalidParameter', { name: 'DBInstanceIPArrayName', detail: '2 to 120 lowercase letters, digits or underscores, starting with a letter.' });
  const attribute = input.DBInstanceIPArrayAttribute ?? '';
  if (attribute !== '' && attribute !== 'hidden') throw new ApiError('InvalidIPArrayAttribute.Format');
  requireRunning(inst);

  const groups = await ctx.repos.securityIps.list(ctx.accountId, inst.id);
  const current = groups.find((g) => g.name === name);
  let ips = applyMode(current?.ips ?? [], parsed.entries, (input.ModifyMode ?? 'Cover') as 'Cover' | 'Append' | 'Delete');
  if (ips.length === 0 && name === 'default') ips = [DENY_ALL];
  const others = groups.filter((g) => g.name !== name);
  if (others.reduce((n, g) => n + g.ips.length, 0) + ips.length > MAX_ENTRIES_PER_INSTANCE) throw new ApiError('SecurityIPList.Format');
  if (!current && others.length + 1 > MAX_GROUPS_PER_INSTANCE) throw new ApiError('SecurityIPList.Format');

  if (ips.length === 0) {
    await ctx.repos.securityIps.delete(ctx.accountId, inst.id, name);
  } else {
    await ctx.repos.securityIps.put({
      accountId: ctx.accountId, instanceId: inst.id, name, ips,
      attribute: input.DBInstanceIPArrayAttribute ?? current?.attribute ?? '',
      whitelistNetworkType: (input.WhitelistNetworkType ?? current?.whitelistNetworkType ?? 'MIX') as 'Classic' | 'VPC' | 'MIX',
    });
  }
  ctx.touch(inst.id);
  return {};
};

export const describeDBInstanceIPArrayList: Handler<'DescribeDBInstanceIPArrayList'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const groups = await ctx.repos.securityIps.list(ctx.accountId, inst.id);
  const type = input.WhitelistNetworkType;
  return {
    Items: {
      DBInstanceIPArray: groups
        .filter((g) => type === undefined || g.whitelistNetworkType === type)
        .map((g) => ({
          DBInstanceIPArrayName: g.name,
          DBInstanceIPArrayAttribute: g.attribute,
          SecurityIPType: 'IPv4',
          SecurityIPList: g.ips.join(','),
          WhitelistNetworkType: g.whitelistNetworkType,
        })),
    },
  };
};
