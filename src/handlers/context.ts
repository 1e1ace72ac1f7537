// What a handler sees: the caller, the clock, the store's repositories inside one transaction, the config,
// touch() to name the instances whose servers and endpoints must be reconciled after commit, restart(), and how
// each engine's instances are served (in shared-server mode account and database names are server-wide).
import type { ActionName, Operation } from '../api/catalogue.js';
import type { InputOf, OutputOf } from '../api/shapes.js';
import type { ServiceConfig } from '../config.js';
import type { AccountId, Engine, InstanceId, InstanceRecord } from '../domain/types.js';
import type { EngineMode } from '../engines/types.js';
import { ApiError } from '../errors/api-error.js';
import type { Repos } from '../store/types.js';
import type { BindProbe } from './allocate.js';

export interface HandlerContext {
  requestId: string;
  accountId: AccountId;
  accessKeyId: string;
  now: number;
  repos: Repos;
  config: ServiceConfig;
  touch(instanceId: InstanceId): void;
  /** RestartDBInstance: after commit, the instance's server restarts (sessions cut, data kept) before the answer. */
  restart(instanceId: InstanceId): void;
  /** Tries binding a candidate endpoint address (allocate.ts); absent in unit tests that never listen. */
  probe?: BindProbe;
  /** Running values of the named server parameters: the server's own, else the engine's documented defaults. */
  engineParameters(instance: InstanceRecord, names: string[]): Promise<Record<string, string>>;
  engineMode(engine: Engine): EngineMode['kind'];
}

export type Handler<A extends ActionName> = (
  ctx: HandlerContext,
  input: InputOf<Operation<A>['params']>,
) => Promise<OutputOf<Operation<A>['output']>>;

export type HandlerTable = { [A in ActionName]: Handler<A> };

export async function requireInstance(ctx: HandlerContext, id: string, forUpdate = false): Promise<InstanceRecord> {
  const inst = await ctx.repos.instances.get(ctx.accountId, id as InstanceId, { forUpdate });
  if (!inst) throw new ApiError('InvalidDBInstanceId.NotFound');
  return inst;
}

/** Changes that the instance's server or listeners must apply need a Running instance. */
export function requireRunning(inst: InstanceRecord): void {
  if (inst.status !== 'Running') throw new ApiError('IncorrectDBInstanceState');
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
