// The request pipeline, in order, one function per stage (see docs/architecture.md):
//   1 request id  2 rpc request  3 format  4 resolve  5 authenticate  (5b throttle, authorize)
//   6 decode  7 handle (one store transaction)  8 after commit (data plane)  9 encode
// Each stage returns a fuller type: RawRequest -> RpcRequest -> Resolved -> Authenticated -> Decoded. The stages
// grow the one request object rather than copy it: four copies of a dozen fields cost more than the signature.
import { API_VERSION, findOperation, OTHER_RDS_ACTIONS, type ActionName } from './api/catalogue.js';
import type { OpSpec } from './api/op.js';
import { authenticateDeferred, type AuthDeps, type PendingPrincipal, type Principal } from './auth/authenticate.js';
import { cachedKeyLookup } from './auth/key-cache.js';
import { batchedNonceUse } from './auth/nonce-batch.js';
import type { ServiceConfig } from './config.js';
import type { AuditRecord, Engine, InstanceId, InstanceRecord } from './domain/types.js';
import type { EngineMode } from './engines/types.js';
import { ApiError } from './errors/api-error.js';
import type { HandlerContext } from './handlers/context.js';
import type { BindProbe } from './handlers/allocate.js';
import { HANDLERS } from './handlers/index.js';
import { oncePerToken } from './handlers/client-token.js';
import { engineDefaults, serverVariable } from './domain/parameters.js';
import { isRetryable } from './store/errors.js';
import { isStoreUnavailable } from './store/unavailable.js';
import { createAnswerMemo, type MemoLookup } from './protocol/answer-memo.js';
import { decodeParams } from './protocol/decode.js';
import { encodeError, encodeSuccess, type WireResponse } from './protocol/encode.js';
import { parseRpc, peekFormat, type RawRequest, type RpcRequest } from './protocol/rpc-request.js';
import type { StateStore } from './store/types.js';

export interface Logger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface PipelineDeps {
  store: StateStore;
  config: ServiceConfig;
  logger: Logger;
  now(): number;
  /** Base URL as the caller reached us (for Recommend links). */
  baseUrl(raw: RawRequest): string;
  /**
   * After a write committed: make the servers (accounts, databases, grants) and then the listeners of these
   * instances match the store, restart the servers a RestartDBInstance asked for, then settle their status.
   */
  afterCommit(instanceIds: InstanceId[], effects: { restart: InstanceId[] }): Promise<void>;
  /**
   * Inside a write's transaction, before its commit: shut the doors the change removes (listeners and their
   * sessions), so a release does not wait for the commit's fsync. Should the commit fail, afterCommit runs all
   * the same and reopens what the store still lists.
   */
  beforeCommit?(instanceIds: InstanceId[], repos: HandlerContext['repos']): Promise<void>;
  /**
   * The running values of the named parameters on the instance's server (DescribeParameters); wired to the
   * instance engines. Names it leaves out, and every name when it is absent, get the engine's documented default.
   */
  engineParameters?(instanceId: InstanceId, names: string[]): Promise<Record<string, string>>;
  /** How instances of an engine are served; per-instance servers when not given. */
  engineMode?: (engine: Engine) => EngineMode['kind'];
  /** Optional gates after authentication (throttling, RAM policy). Throw ApiError to refuse. */
  gates?: Array<(req: Authenticated) => void | Promise<void>>;
  /** Called once per answer (metrics): the catalogue's Action or 'unknown', and 'Success' or the error code. */
  observe?(o: { action: string; code: string; seconds: number }): void;
  /** Tries binding a candidate endpoint address before an allocation commits (handlers/allocate.ts). */
  probe?: BindProbe;
}

export interface Resolved extends RpcRequest { op: OpSpec; actionName: ActionName }
export interface Authenticated extends Resolved { principal: Principal }
export interface Decoded extends Authenticated { input: Record<string, unknown> }

export function createPipeline(deps: PipelineDeps): (raw: RawRequest) => Promise<WireResponse> {
  const authDeps: AuthDeps = {
    getKey: cachedKeyLookup(deps.store),
    useNonce: batchedNonceUse(deps.store),
    now: deps.now,
  };

  const gates = deps.gates ?? [];
  const observe = deps.observe;
  // Only where the store has a cheap version token (SQLite); see protocol/answer-memo.ts.
  const answers = deps.store.readVersion?.() === undefined ? undefined : createAnswerMemo();
  // One async function per call: the metrics' timing lives in it rather than in a wrapper awaiting it.
  return async (raw: RawRequest): Promise<WireResponse> => {
    const started = observe ? performance.now() : 0;
    // The one object observe() gets: no BigInt and no copy per call.
    const seen = { action: 'unknown', code: 'Success', seconds: 0 };
    let format = peekFormat(raw.rawQuery, raw.body, raw.headers['content-type']);
    let authed: Authenticated | undefined;
    let resolved: Resolved | undefined;
    let wire: WireResponse;
    try {
      const rpc = parseRpc(raw);
      format = rpc.format;
      resolved = resolve(rpc);
      seen.action = resolved.actionName;
      const staged = authenticateStage(resolved, authDeps);
      const pending = staged instanceof Promise ? await staged : staged;
      // A change waits for its nonce before anything else; a read runs beside the nonce's commit, and its
      // answer (or its error) waits for it, so a replay is refused whatever the read would have said.
      if (resolved.op.mutates) await pending.nonceChecked;
      authed = pending.authed;
      let output: object | undefined;
      let memo: MemoLookup | undefined;
      try {
        for (const gate of gates) {
          const passing = gate(authed);
          if (passing !== undefined) await passing;
        }
        const decoded = decode(authed);
        // The version is read before the call is handled: see MemoLookup.keep.
        if (answers !== undefined && resolved.op.answerMemo) {
          memo = answers.lookup(authed.principal.accountId, resolved.actionName, format, decoded.input, deps.store.readVersion?.() as string, raw.requestId);
        }
        if (memo?.answer === undefined) output = await handle(decoded, deps);
      } finally {
        await pending.nonceChecked;
      }
      const action = resolved.actionName;
      const encode = (requestId: string) => encodeSuccess(action, requestId, output as object, format);
      wire = memo === undefined ? encode(raw.requestId) : memo.answer ?? memo.keep(encode);
    } catch (e) {
      const err = toApiError(e, raw, deps.logger);
      seen.code = err.code;
      // Every authenticated attempt at a change is audited, refused ones (RAM, bad input, state) too; throttled
      // ones are not, so that a flood past the rate costs no extra write.
      if (authed?.op.mutates && err.code !== 'Throttling.User') await auditFailure(deps, authed, err.code);
      // Some operations document another status for a shared code (e.g. InvalidDBInstanceId.NotFound as 404).
      const status = resolved?.op.errorStatus?.[err.code];
      wire = encodeError(err, { requestId: raw.requestId, hostId: deps.config.hostId, format, baseUrl: deps.baseUrl(raw), status });
    }
    if (observe) {
      seen.seconds = (performance.now() - started) / 1e3;
      observe(seen);
    }
    return wire;
  };
}

// 4: Action and Version -> an operation of the catalogue.
export function resolve(rpc: RpcRequest): Resolved {
  if (!rpc.action) throw new ApiError('MissingParameter', { name: 'Action' });
  if (!rpc.version) throw new ApiError('MissingParameter', { name: 'Version' });
  if (rpc.version !== API_VERSION) throw new ApiError('InvalidVersion');
  const op = findOperation(rpc.action);
  if (!op) {
    if (OTHER_RDS_ACTIONS.has(rpc.action)) throw new ApiError('Api.NotSupport', { action: rpc.action });
    throw new ApiError('InvalidAction.NotFound');
  }
  const resolved = rpc as Resolved;
  resolved.op = op;
  resolved.actionName = rpc.action as ActionName;
  return resolved;
}

// 5: signature, clock window; the nonce's once-only check is under way when this returns. At once (or a thrown
// ApiError) for a key in memory, a promise only when the key had to be read.
export type AuthenticatedPending = { authed: Authenticated; nonceChecked: Promise<void> };
export function authenticateStage(req: Resolved, deps: AuthDeps): AuthenticatedPending | Promise<AuthenticatedPending> {
  const pending = authenticateDeferred(req, deps);
  const withPrincipal = ({ principal, nonceChecked }: PendingPrincipal): AuthenticatedPending => {
    const authed = req as Authenticated;
    authed.principal = principal;
    return { authed, nonceChecked };
  };
  return pending instanceof Promise ? pending.then(withPrincipal) : withPrincipal(pending);
}

// 6: catalogue shapes -> typed input.
export function decode(req: Authenticated): Decoded {
  const decoded = req as Decoded;
  decoded.input = decodeParams(req.op, req.params);
  return decoded;
}

// 7 + 8: the handler in one transaction, then the data plane for what it touched.
export async function handle(req: Decoded, deps: PipelineDeps): Promise<object> {
  const touched = new Set<InstanceId>();
  const restarts = new Set<InstanceId>();
  const handler = HANDLERS[req.actionName] as (ctx: HandlerContext, input: Record<string, unknown>) => Promise<object>;
  const token = req.op.mutates && typeof req.input.ClientToken === 'string' ? req.input.ClientToken : undefined;
  const run = async (repos: HandlerContext['repos']) => {
    touched.clear(); // a PostgreSQL retry runs this again from the start
    const now = deps.now();
    const change = () => handler({
      requestId: req.requestId,
      accountId: req.principal.accountId,
      accessKeyId: req.principal.accessKeyId,
      now,
      repos,
      config: deps.config,
      touch: (id) => touched.add(id),
      restart: (id) => { restarts.add(id); touched.add(id); },
      probe: deps.probe,
      engineParameters: (inst, names) => engineParameters(deps, inst, names),
      engineMode: deps.engineMode ?? (() => 'per-instance'),
    }, req.input);
    const { output, replayed } = token === undefined
      ? { output: await change(), replayed: false }
      : await oncePerToken(repos, { accountId: req.principal.accountId, action: req.actionName, token, input: req.input, now }, change);
    // The doors first (a release's sessions are cut a statement sooner), then the audit row, both in the change's
    // own transaction: an acknowledged change always has its audit row, a rolled-back one never.
    if (req.op.mutates && touched.size > 0 && deps.beforeCommit) {
      shutEarly = true;
      await deps.beforeCommit([...touched], repos);
    }
    if (req.op.mutates) await repos.audit.append(auditRecord(deps, req, replayed ? 'Replayed' : 'Success', output));
    return output;
  };
  let shutEarly = false;
  let output: object;
  try {
    output = req.op.mutates ? await deps.store.tx(run) : await deps.store.read(run);
  } catch (e) {
    // A door shut before a commit that then failed: the store still lists it, so the reconciler reopens it.
    if (shutEarly) {
      await deps.afterCommit([...touched], { restart: [] }).catch((err: unknown) =>
        deps.logger.error({ requestId: req.requestId, err: String(err) }, 'reopening after a failed commit failed'));
    }
    throw e;
  }
  if (touched.size > 0) await deps.afterCommit([...touched], { restart: [...restarts] });
  return output;
}

/** Documented defaults, overridden by what the instance's server reports; a server that cannot answer leaves the defaults. */
async function engineParameters(deps: PipelineDeps, inst: InstanceRecord, names: string[]): Promise<Record<string, string>> {
  const id = inst.id;
  const defaults = engineDefaults(inst.engine, names, inst.engineVersion);
  if (!deps.engineParameters) return defaults;
  try {
    // The server knows some parameters under another name (MySQL's default_time_zone is time_zone).
    const variables = names.map((n) => serverVariable(inst.engine, n));
    const running = await deps.engineParameters(id, variables);
    const out = { ...defaults };
    names.forEach((n, i) => {
      const v = running[variables[i] as string];
      if (v !== undefined) out[n] = v;
    });
    return out;
  } catch (e) {
    // Read-path actions never answer 5xx (Terraform would retry each for minutes); the log says why.
    deps.logger.warn({ instanceId: id, err: e instanceof Error ? e.message : String(e) }, 'engine parameters unavailable; answering defaults');
    return defaults;
  }
}

function auditRecord(deps: PipelineDeps, req: Authenticated, result: string, output?: object): AuditRecord {
  const named = req.op.instanceParam ? (req.params.get(req.op.instanceParam) ?? '') : '';
  const created = (output as { DBInstanceId?: unknown } | undefined)?.DBInstanceId;
  return {
    time: new Date(deps.now()).toISOString(), requestId: req.requestId, accountId: req.principal.accountId,
    accessKeyId: req.principal.accessKeyId, action: req.actionName, result,
    // The parameter as sent (bounded: a refused call's was never validated), else what CreateDBInstance made.
    instanceId: named ? named.slice(0, 128) : typeof created === 'string' ? created : '',
  };
}

async function auditFailure(deps: PipelineDeps, req: Authenticated, result: string): Promise<void> {
  await deps.store.tx((r) => r.audit.append(auditRecord(deps, req, result)))
    .catch((e: unknown) => deps.logger.error({ requestId: req.requestId, err: String(e) }, 'audit append failed'));
}

function toApiError(e: unknown, raw: RawRequest, logger: Logger): ApiError {
  if (e instanceof ApiError) return e;
  if (isRetryable(e)) {
    // A transaction that kept losing serialization conflicts (PostgreSQL, heavy contention): nothing was
    // written, and the caller may simply retry, which is what 503 ServiceUnavailable tells the SDKs.
    logger.warn({ requestId: raw.requestId, err: e instanceof Error ? e.message : String(e) }, 'transaction conflicts exhausted the retries');
    return new ApiError('ServiceUnavailable');
  }
  if (isStoreUnavailable(e)) {
    // The store (PostgreSQL) cannot be reached: nothing was acknowledged, and the pool reconnects by itself.
    logger.warn({ requestId: raw.requestId, err: e instanceof Error ? e.message : String(e) }, 'store unavailable');
    return new ApiError('ServiceUnavailable');
  }
  // Never echo internals to the client; the log has the request id to find them.
  logger.error({ requestId: raw.requestId, err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) }, 'internal error');
  return new ApiError('InternalError');
}
