// RAM-style access policies on AccessKeys (pipeline stage 5b, after authentication, before decode).
// A key without a policy has full access to its own account. A key with one may call only what the policy
// allows: an explicit Deny wins over any Allow, and a call no statement matches is denied ("no match = deny").
// The policy is parsed strictly: anything localrds would not evaluate (Condition, NotAction, ...) is refused
// when the key is created, and a stored policy that no longer parses denies everything (fail closed).
import type { Authenticated, Logger } from '../pipeline.js';
import type { AccountId, InstanceId } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import type { StateStore } from '../store/types.js';

export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
}

export interface Policy {
  statements: PolicyStatement[];
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(`invalid policy: ${message}`);
    this.name = 'PolicyError';
  }
}

/** RAM's own limit for a custom policy document. */
export const MAX_POLICY_CHARS = 6144;
const STATEMENT_KEYS = new Set(['Effect', 'Action', 'Resource', 'Sid']);

function stringList(v: unknown, what: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s): s is string => typeof s === 'string' && s !== '')) {
    throw new PolicyError(`${what} must be a non-empty string or a non-empty list of non-empty strings`);
  }
  return list;
}

/** Parses a policy document (`{"Version":"1","Statement":[...]}`); throws PolicyError with the reason. */
export function parsePolicy(text: string): Policy {
  if (text.length > MAX_POLICY_CHARS) throw new PolicyError(`longer than ${MAX_POLICY_CHARS} characters`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PolicyError('not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new PolicyError('not a JSON object');
  const { Version, Statement, ...rest } = doc as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new PolicyError(`unknown field ${Object.keys(rest)[0]}`);
  if (Version !== '1') throw new PolicyError('Version must be "1"');
  const list = Array.isArray(Statement) ? Statement : [Statement];
  if (list.length === 0) throw new PolicyError('Statement is empty');
  const statements = list.map((s, i): PolicyStatement => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new PolicyError(`Statement ${i + 1} is not an object`);
    const st = s as Record<string, unknown>;
    for (const k of Object.keys(st)) {
      if (!STATEMENT_KEYS.has(k)) throw new PolicyError(`Statement ${i + 1}: ${k} is not supported by localrds (only Effect, Action, Resource)`);
    }
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw new PolicyError(`Statement ${i + 1}: Effect must be Allow or Deny`);
    const actions = stringList(st.Action, `Statement ${i + 1}: Action`);
    for (const a of actions) {
      if (a !== '*' && !/^[A-Za-z0-9*]+:[A-Za-z0-9*]+$/.test(a)) throw new PolicyError(`Statement ${i + 1}: Action "${a}" is not service:Action`);
    }
    return { effect: st.Effect, actions, resources: stringList(st.Resource, `Statement ${i + 1}: Resource`) };
  });
  return { statements };
}

/**
 * Wildcard match where `*` stands for any run of characters (nothing else is special). Linear-time greedy
 * matching with one backtrack point, so a hostile pattern cannot make it slow.
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === v[vi]) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Allow only when some Allow statement matches and no Deny statement does. Actions match case-insensitively. */
export function isAllowed(policy: Policy, action: string, resource: string): boolean {
  let allowed = false;
  for (const s of policy.statements) {
    const hit = s.actions.some((a) => wildcardMatch(a, action, true)) && s.resources.some((r) => wildcardMatch(r, resource));
    if (!hit) continue;
    if (s.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

/**
 * The RAM resource of a call: `acs:rds:<region>:<account>:dbinstance/<id>` for an action on one instance
 * (region of the instance, else the RegionId parameter, else `*`), and `.../dbinstance/*` for the others
 * (create, list), so that only a statement whose Resource covers every instance allows them.
 */
export function resourceOf(o: { accountId: string; regionId: string | undefined; instanceId: string | undefined }): string {
  const region = o.regionId && /^[A-Za-z0-9-]+$/.test(o.regionId) ? o.regionId : '*';
  return `acs:rds:${region}:${o.accountId}:dbinstance/${o.instanceId ?? '*'}`;
}

/**
 * The RAM gate for the pipeline. Parsed policies are cached by text; keys without a policy cost nothing.
 * The instance's region is looked up only for keys with a policy.
 */
export function policyGate(deps: { store: StateStore; logger: Logger }): (req: Authenticated) => void | Promise<void> {
  const cache = new Map<string, Policy | PolicyError>();
  const parsed = (text: string): Policy | PolicyError => {
    let p = cache.get(text);
    if (p === undefined) {
      try {
        p = parsePolicy(text);
      } catch (e) {
        p = e instanceof PolicyError ? e : new PolicyError(String(e));
      }
      if (cache.size >= 256) cache.clear();
      cache.set(text, p);
    }
    return p;
  };
  // A key without a policy (the common case) passes at once, without a promise.
  return (req) => (req.principal.policy === null ? undefined : check(req));
  async function check(req: Authenticated): Promise<void> {
    const { policy: text, accountId, accessKeyId } = req.principal;
    if (text === null) return;
    const policy = parsed(text);
    if (policy instanceof PolicyError) {
      deps.logger.warn({ requestId: req.requestId, accessKeyId, err: policy.message }, 'stored policy does not parse; denying');
      throw new ApiError('Forbidden.RAM');
    }
    const instanceId = req.op.instanceParam ? req.params.get(req.op.instanceParam) : undefined;
    // Instance ids are at most 64 characters; a longer one names nothing (and keeps matching cheap).
    if (instanceId !== undefined && instanceId.length > 64) throw new ApiError('Forbidden.RAM');
    let regionId = req.params.get('RegionId');
    if (instanceId) {
      const inst = await deps.store.read((r) => r.instances.get(accountId as AccountId, instanceId as InstanceId));
      if (inst) regionId = inst.regionId;
    }
    const action = `rds:${req.actionName}`;
    const resource = resourceOf({ accountId, regionId, instanceId: req.op.instanceParam ? (instanceId ?? '') : undefined });
    if (!isAllowed(policy, action, resource)) {
      deps.logger.info({ requestId: req.requestId, accessKeyId, action, resource }, 'denied by policy');
      throw new ApiError('Forbidden.RAM');
    }
  }
}
