// NodeRepo: node registrations and leases, and which node owns each instance (migration 006). Every lease time is
// computed by the database (dbNow below) in the same statement that writes or judges it, so a node's own clock
// never enters a lease decision.
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { AccountId, Engine, InstanceId, InstanceStatus } from '../../domain/types.js';
import type { InstanceOwnership, NodeRecord, NodeRepo, NodeState } from '../types.js';
import type { Dialect, NodesTable } from '../schema.js';
import { chunks, num, type RepoContext } from './context.js';

/** The database's clock in ms since the epoch, as an SQL expression. */
function dbNow(dialect: Dialect): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
}

const list = (s: string): string[] => s.split(',').filter((x) => x !== '');

function toNode(r: Selectable<NodesTable>): NodeRecord {
  return {
    nodeId: r.node_id, apiUrl: r.api_url, zoneId: r.zone_id, publicPool: r.public_pool, privatePool: r.private_pool,
    sharedEngines: list(r.shared_engines), serverEngines: list(r.server_engines), state: r.state as NodeState,
    leaseUntilMs: num(r.lease_until_ms), heartbeatMs: num(r.heartbeat_ms), startedMs: num(r.started_ms),
    instances: r.instances, endpoints: r.endpoints, sessions: r.sessions, epoch: num(r.epoch),
  };
}

interface OwnershipRow {
  id: string; account_id: string; engine: string; status: string; node_id: string | null;
  generation: number | string; applied_generation: number | string;
}

function toOwnership(r: OwnershipRow): InstanceOwnership {
  return {
    instanceId: r.id as InstanceId, accountId: r.account_id as AccountId, engine: r.engine as Engine,
    status: r.status as InstanceStatus, nodeId: r.node_id, generation: num(r.generation), appliedGeneration: num(r.applied_generation),
  };
}

const OWNERSHIP = ['id', 'account_id', 'engine', 'status', 'node_id', 'generation', 'applied_generation'] as const;

export function nodeRepo(ctx: RepoContext): NodeRepo {
  const { db, dialect } = ctx;
  const now = () => dbNow(dialect);
  return {
    async dbNow() {
      const r = await db.selectNoFrom(now().as('t')).executeTakeFirstOrThrow();
      return num(r.t);
    },
    async register(n, leaseMs) {
      const row = {
        node_id: n.nodeId, api_url: n.apiUrl, zone_id: n.zoneId, public_pool: n.publicPool, private_pool: n.privatePool,
        shared_engines: n.sharedEngines.join(','), server_engines: n.serverEngines.join(','),
      };
      const r = await db.insertInto('nodes')
        .values({
          ...row, state: 'live', lease_until_ms: sql`${now()} + ${leaseMs}`, heartbeat_ms: now(), started_ms: now(),
          instances: 0, endpoints: 0, sessions: 0, epoch: 1,
        })
        .onConflict((oc) => oc.column('node_id').doUpdateSet((eb) => ({
          ...row, state: 'live', lease_until_ms: sql`${now()} + ${leaseMs}`, heartbeat_ms: now(), started_ms: now(),
          epoch: eb('nodes.epoch', '+', 1),
        })))
        .returning('epoch').executeTakeFirstOrThrow();
      return num(r.epoch);
    },
    async renew(nodeId, leaseMs, load) {
      const r = await db.updateTable('nodes')
        .set({ lease_until_ms: sql`${now()} + ${leaseMs}`, heartbeat_ms: now(), instances: load.instances, endpoints: load.endpoints, sessions: load.sessions })
        .where('node_id', '=', nodeId).where('state', '=', 'live')
        .returningAll().executeTakeFirst();
      return r && toNode(r);
    },
    async get(nodeId) {
      const r = await db.selectFrom('nodes').selectAll().where('node_id', '=', nodeId).executeTakeFirst();
      return r && toNode(r);
    },
    async list() {
      return (await db.selectFrom('nodes').selectAll().orderBy('node_id').execute()).map(toNode);
    },
    async setState(nodeId, state) {
      await db.updateTable('nodes').set({ state }).where('node_id', '=', nodeId).execute();
    },
    async listLapsed() {
      const rows = await db.selectFrom('nodes').selectAll().where('state', '=', 'live')
        .where('lease_until_ms', '<', now()).orderBy('node_id').execute();
      return rows.map(toNode);
    },
    async claimUnowned(nodeId) {
      const r = await db.updateTable('instances').set({ node_id: nodeId }).where('node_id', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async setOwner(instanceId, nodeId) {
      await db.updateTable('instances').set({ node_id: nodeId }).where('id', '=', instanceId).execute();
    },
    async ownership(ids) {
      const out: InstanceOwnership[] = [];
      for (const part of chunks([...ids])) {
        if (part.length === 0) continue;
        const rows = await db.selectFrom('instances').select(OWNERSHIP).where('id', 'in', part).execute();
        out.push(...rows.map(toOwnership));
      }
      return out;
    },
    async ownedBy(nodeId) {
      const rows = await db.selectFrom('instances').select(OWNERSHIP).where('node_id', '=', nodeId).orderBy('seq').execute();
      return rows.map(toOwnership);
    },
    async countByNode() {
      const rows = await db.selectFrom('instances').select((eb) => ['node_id', eb.fn.countAll<number | string>().as('n')])
        .groupBy('node_id').execute();
      return new Map(rows.map((r) => [r.node_id ?? '', num(r.n)]));
    },
    async bump(ids) {
      const out: InstanceOwnership[] = [];
      for (const part of chunks([...ids])) {
        if (part.length === 0) continue;
        const rows = await db.updateTable('instances').set((eb) => ({ generation: eb('generation', '+', 1) }))
          .where('id', 'in', part).returning(OWNERSHIP).execute();
        out.push(...rows.map(toOwnership));
      }
      return out;
    },
    async setApplied(instanceId, generation) {
      await db.updateTable('instances').set({ applied_generation: generation })
        .where('id', '=', instanceId).where('applied_generation', '<', generation).execute();
    },
    async notify(channel, payload) {
      if (dialect === 'postgres') await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },
  };
}
