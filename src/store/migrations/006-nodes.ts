// 006_nodes: several localrds nodes over one store (issue 13). `nodes` holds each node's registration and lease
// (times in the DATABASE's clock, so node clocks need not agree), its address pools and how it serves each
// engine (failover needs both), and the load it last reported. `instances.node_id` names the node that runs the
// instance's server and listeners (NULL in rows made before this migration: the first node to start claims them);
// `instances.generation` is bumped by every write transaction that touches the instance, and
// `instances.applied_generation` is the last generation its owner applied (what a node waiting on a change made
// through it polls when the notification channel is down).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  await db.schema.createTable('nodes')
    .addColumn('node_id', text, (c) => c.primaryKey())
    .addColumn('api_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('zone_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('public_pool', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('private_pool', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('shared_engines', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('server_engines', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('live'))
    .addColumn('lease_until_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('heartbeat_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('started_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('instances', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('endpoints', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sessions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('epoch', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('instances').addColumn('node_id', 'text').execute();
  await db.schema.alterTable('instances').addColumn('generation', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('instances').addColumn('applied_generation', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('instances_node_idx').on('instances').column('node_id').execute();
}
