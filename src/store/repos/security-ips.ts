// SecurityIpRepo: whitelist groups per instance; the entries are kept as one comma-joined string.
import type { Selectable } from 'kysely';
import type { AccountId, InstanceId, SecurityIpGroup } from '../../domain/types.js';
import type { SecurityIpRepo } from '../types.js';
import type { SecurityIpGroupsTable } from '../schema.js';
import { chunks, type RepoContext } from './context.js';

function toGroup(r: Selectable<SecurityIpGroupsTable>): SecurityIpGroup {
  return {
    accountId: r.account_id as AccountId, instanceId: r.instance_id as InstanceId, name: r.name,
    attribute: r.attribute, ips: r.ips === '' ? [] : r.ips.split(','),
    whitelistNetworkType: r.whitelist_network_type as SecurityIpGroup['whitelistNetworkType'],
  };
}

export function securityIpRepo({ db }: RepoContext): SecurityIpRepo {
  return {
    async list(accountId, id) {
      const rows = await db.selectFrom('security_ip_groups').selectAll()
        .where('account_id', '=', accountId).where('instance_id', '=', id).orderBy('name').execute();
      return rows.map(toGroup);
    },
    async put(g) {
      // Entries are IPv4 or CIDR after normalisation, so a comma can never be part of one.
      const ips = g.ips.join(',');
      await db.insertInto('security_ip_groups').values({
        account_id: g.accountId, instance_id: g.instanceId, name: g.name, attribute: g.attribute, ips,
        whitelist_network_type: g.whitelistNetworkType,
      }).onConflict((oc) => oc.columns(['account_id', 'instance_id', 'name']).doUpdateSet({
        attribute: g.attribute, ips, whitelist_network_type: g.whitelistNetworkType,
      })).execute();
    },
    async delete(accountId, id, name) {
      await db.deleteFrom('security_ip_groups')
        .where('account_id', '=', accountId).where('instance_id', '=', id).where('name', '=', name).execute();
    },
    async deleteByInstance(accountId, id) {
      await db.deleteFrom('security_ip_groups').where('account_id', '=', accountId).where('instance_id', '=', id).execute();
    },
    async listByInstanceIds(ids) {
      const out: SecurityIpGroup[] = [];
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('security_ip_groups').selectAll().where('instance_id', 'in', part)
          .orderBy('instance_id').orderBy('name').execute();
        out.push(...rows.map(toGroup));
      }
      return out;
    },
  };
}
