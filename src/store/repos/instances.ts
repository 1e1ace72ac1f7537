// InstanceRepo: instance rows, always scoped by account except for the reconciler's cross-account views.
// Paging is by seq (creation order); the filter is built once and shared by count, offset and cursor queries.
import { sql, type Expression, type ExpressionBuilder, type Selectable, type SqlBool } from 'kysely';
import type { AccountId, Engine, InstanceId, InstanceRecord, InstanceStatus } from '../../domain/types.js';
import type { InstanceFilter, InstanceRepo } from '../types.js';
import type { Database, InstancesTable } from '../schema.js';
import { guardUnique, num, type RepoContext } from './context.js';
import { preparedQuery } from './prepared.js';

/** seq values per block of instance_page_counts (migration 005). */
export const PAGE_BLOCK = 1024;

/** Only the account and region: the filter that instance_page_counts can count. */
function countable(f: InstanceFilter): boolean {
  return f.ids === undefined && f.status === undefined && f.engine === undefined
    && (f.searchKey === undefined || f.searchKey === '') && f.connectionString === undefined
    && (f.tags === undefined || f.tags.length === 0);
}

// Every signed call on an instance starts with this lookup.
const getInstance = preparedQuery(['accountId', 'id'], (db, p) =>
  db.selectFrom('instances').selectAll().where('account_id', '=', p.accountId).where('id', '=', p.id));

function toInstance(r: Selectable<InstancesTable>): InstanceRecord {
  return {
    accountId: r.account_id as AccountId, id: r.id as InstanceId, seq: num(r.seq),
    regionId: r.region_id, zoneId: r.zone_id, engine: r.engine as Engine, engineVersion: r.engine_version,
    instanceClass: r.instance_class, storageGb: r.storage_gb, storageType: r.storage_type, category: r.category,
    payType: r.pay_type, networkType: r.network_type as InstanceRecord['networkType'], vpcId: r.vpc_id,
    vSwitchId: r.v_switch_id, description: r.description, status: r.status as InstanceStatus,
    statusUntil: num(r.status_until), createdAt: r.created_at, deletionProtection: num(r.deletion_protection) === 1,
  };
}

function fromInstance(i: InstanceRecord): Omit<InstancesTable, 'seq' | 'node_id' | 'generation' | 'applied_generation'> {
  return {
    account_id: i.accountId, id: i.id, region_id: i.regionId, zone_id: i.zoneId, engine: i.engine,
    engine_version: i.engineVersion, instance_class: i.instanceClass, storage_gb: i.storageGb,
    storage_type: i.storageType, category: i.category, pay_type: i.payType, network_type: i.networkType,
    vpc_id: i.vpcId, v_switch_id: i.vSwitchId, description: i.description, status: i.status,
    status_until: i.statusUntil, created_at: i.createdAt, deletion_protection: i.deletionProtection ? 1 : 0,
  };
}

/** LIKE pattern for "contains s", with LIKE's own wildcards escaped (ESCAPE '\'). */
function containsPattern(s: string): string {
  return `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function matches(eb: ExpressionBuilder<Database, 'instances'>, accountId: AccountId, f: InstanceFilter) {
  const conds: Expression<SqlBool>[] = [eb('instances.account_id', '=', accountId)];
  if (f.regionId !== undefined) conds.push(eb('instances.region_id', '=', f.regionId));
  if (f.status !== undefined) conds.push(eb('instances.status', '=', f.status));
  if (f.engine !== undefined) conds.push(eb('instances.engine', '=', f.engine));
  // An empty id list selects nothing (it is a filter that was given, not an absent one).
  if (f.ids !== undefined) conds.push(f.ids.length > 0 ? eb('instances.id', 'in', f.ids) : sql<boolean>`1 = 0`);
  if (f.searchKey !== undefined && f.searchKey !== '') {
    // Case-insensitive on both dialects: SQLite's LIKE already is, PostgreSQL's is not, so lower() both sides.
    const p = containsPattern(f.searchKey);
    conds.push(eb.or([
      sql<boolean>`lower(${eb.ref('instances.id')}) like ${p} escape '\\'`,
      sql<boolean>`lower(${eb.ref('instances.description')}) like ${p} escape '\\'`,
    ]));
  }
  if (f.connectionString !== undefined) {
    conds.push(eb.exists(eb.selectFrom('endpoints').select(sql.lit(1).as('one'))
      .whereRef('endpoints.instance_id', '=', 'instances.id')
      .whereRef('endpoints.account_id', '=', 'instances.account_id')
      .where('endpoints.connection_string', '=', f.connectionString)));
  }
  for (const t of f.tags ?? []) {
    conds.push(eb.exists(eb.selectFrom('instance_tags').select(sql.lit(1).as('one'))
      .whereRef('instance_tags.instance_id', '=', 'instances.id')
      .whereRef('instance_tags.account_id', '=', 'instances.account_id')
      .where('instance_tags.tag_key', '=', t.key)
      .where('instance_tags.tag_value', '=', t.value)));
  }
  return eb.and(conds);
}

export function instanceRepo(ctx: RepoContext): InstanceRepo {
  const { db, dialect, readOnly } = ctx;

  const countIn = async (accountId: string, regionId: string, seq: number, delta: number): Promise<void> => {
    await db.insertInto('instance_page_counts')
      .values({ account_id: accountId, region_id: regionId, block: Math.floor(seq / PAGE_BLOCK), n: delta })
      .onConflict((oc) => oc.columns(['account_id', 'region_id', 'block'])
        .doUpdateSet((eb) => ({ n: eb('instance_page_counts.n', '+', delta) })))
      .execute();
  };

  // The block holding row number `offset` is found from the counts (one row per 1024 seq values), and the
  // page read from the start of that block, skipping fewer than PAGE_BLOCK index entries.
  const listByBlocks = async (accountId: AccountId, regionId: string | undefined, offset: number, limit: number) => {
    let counts = db.selectFrom('instance_page_counts')
      .select((eb) => ['block', eb.fn.sum<number | string>('n').as('n')])
      .where('account_id', '=', accountId);
    if (regionId !== undefined) counts = counts.where('region_id', '=', regionId);
    const blocks = await counts.groupBy('block').orderBy('block').execute();
    let total = 0;
    for (const b of blocks) total += num(b.n);
    if (limit <= 0 || offset >= total) return { items: [], total };
    let before = 0;
    let fromBlock = 0;
    for (const b of blocks) {
      const n = num(b.n);
      if (before + n > offset) {
        fromBlock = num(b.block);
        break;
      }
      before += n;
    }
    let q = db.selectFrom('instances').selectAll().where('account_id', '=', accountId)
      .where('seq', '>=', fromBlock * PAGE_BLOCK);
    if (regionId !== undefined) q = q.where('region_id', '=', regionId);
    const rows = await q.orderBy('seq').limit(limit).offset(offset - before).execute();
    return { items: rows.map(toInstance), total };
  };

  return {
    async insert(i) {
      const row = await guardUnique(ctx, () =>
        db.insertInto('instances').values(fromInstance(i)).returning('seq').executeTakeFirstOrThrow());
      await countIn(i.accountId, i.regionId, num(row.seq), 1);
    },
    async get(accountId, id, opts) {
      // SQLite has no row locks; its writer lock (BEGIN IMMEDIATE) already excludes every other writer.
      // PostgreSQL refuses FOR UPDATE in read(), which is READ ONLY; there is nothing to protect there anyway.
      if (opts?.forUpdate && dialect === 'postgres' && !readOnly) {
        const locked = await db.selectFrom('instances').selectAll()
          .where('account_id', '=', accountId).where('id', '=', id).forUpdate().executeTakeFirst();
        return locked && toInstance(locked);
      }
      const [r] = await getInstance(ctx, { accountId, id });
      return r && toInstance(r);
    },
    async list(accountId, f, offset, limit) {
      if (countable(f)) return listByBlocks(accountId, f.regionId, offset, limit);
      const where = (eb: ExpressionBuilder<Database, 'instances'>) => matches(eb, accountId, f);
      const count = await db.selectFrom('instances').where(where)
        .select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      const total = num(count.n);
      if (limit <= 0 || offset >= total) return { items: [], total };
      const rows = await db.selectFrom('instances').selectAll().where(where)
        .orderBy('seq').limit(limit).offset(Math.max(0, offset)).execute();
      return { items: rows.map(toInstance), total };
    },
    async listAfter(accountId, f, afterSeq, limit) {
      if (limit <= 0) return [];
      const rows = await db.selectFrom('instances').selectAll()
        .where((eb) => matches(eb, accountId, f)).where('seq', '>', afterSeq)
        .orderBy('seq').limit(limit).execute();
      return rows.map(toInstance);
    },
    async setStatus(accountId, id, status, statusUntil) {
      await db.updateTable('instances').set({ status, status_until: statusUntil })
        .where('account_id', '=', accountId).where('id', '=', id).execute();
    },
    async update(accountId, id, p) {
      const set: Partial<Omit<InstancesTable, 'seq' | 'node_id' | 'generation' | 'applied_generation'>> = {
        ...(p.description !== undefined ? { description: p.description } : {}),
        ...(p.instanceClass !== undefined ? { instance_class: p.instanceClass } : {}),
        ...(p.storageGb !== undefined ? { storage_gb: p.storageGb } : {}),
        ...(p.storageType !== undefined ? { storage_type: p.storageType } : {}),
        ...(p.payType !== undefined ? { pay_type: p.payType } : {}),
        ...(p.status !== undefined ? { status: p.status } : {}),
        ...(p.statusUntil !== undefined ? { status_until: p.statusUntil } : {}),
        ...(p.deletionProtection !== undefined ? { deletion_protection: p.deletionProtection ? 1 : 0 } : {}),
      };
      if (Object.keys(set).length === 0) return;
      await db.updateTable('instances').set(set).where('account_id', '=', accountId).where('id', '=', id).execute();
    },
    async listTransitional() {
      const rows = await db.selectFrom('instances').selectAll().where('status', '!=', 'Running').orderBy('seq').execute();
      return rows.map(toInstance);
    },
    async delete(accountId, id) {
      const gone = await db.deleteFrom('instances').where('account_id', '=', accountId).where('id', '=', id)
        .returning(['region_id', 'seq']).execute();
      for (const r of gone) await countIn(accountId, r.region_id, num(r.seq), -1);
    },
    async countAll(engines?: readonly Engine[]) {
      if (engines && engines.length === 0) return 0;
      let q = db.selectFrom('instances').select((eb) => eb.fn.countAll<number | string>().as('n'));
      if (engines) q = q.where('engine', 'in', [...engines]);
      const r = await q.executeTakeFirstOrThrow();
      return num(r.n);
    },
  };
}
