// defineOp: one declaration per Action (parameters, response, errors, what it touches).
import type { ErrorCode } from '../errors/codes.js';
import { int, str, type OutShape, type ParamSpecs } from './shapes.js';

export interface OpSpec<P extends ParamSpecs = ParamSpecs, S extends OutShape = OutShape> {
  readonly name: string;
  readonly group: 'network' | 'security' | 'instances' | 'accounts' | 'databases';
  /** Our own words; shown by the explorer. */
  readonly summary: string;
  readonly params: P;
  /** Response body without RequestId (the pipeline adds it). */
  readonly output: S;
  /** Operation-specific codes; the common gateway codes apply to every operation. */
  readonly errors: readonly ErrorCode[];
  /** Changes state: runs in a write transaction, is audited, wakes the data plane. */
  readonly mutates: boolean;
  /** Parameter naming the instance (RAM resource, audit, data-plane scope). */
  readonly instanceParam?: string;
}

export function defineOp<const P extends ParamSpecs, const S extends OutShape>(spec: OpSpec<P, S>): OpSpec<P, S> {
  return spec;
}

/** Parameters every RDS operation declares and localrds accepts and ignores (single-tenant per AccessKey). */
export const OWNER_PARAMS = {
  OwnerId: int('Owner account id (accepted, ignored: the AccessKey decides the account).', { wireType: 'Long' }),
  OwnerAccount: str('Owner account name (accepted, ignored).'),
  ResourceOwnerId: int('Resource owner id (accepted, ignored).', { wireType: 'Long' }),
  ResourceOwnerAccount: str('Resource owner account (accepted, ignored).'),
} as const;

export const DB_INSTANCE_ID = str('The instance ID, as CreateDBInstance or DescribeDBInstances returned it.', {
  required: true, example: 'rm-uf6wjk5xxxxxxx', max: 64,
});

/** Errors every operation that names an instance can raise. */
export const INSTANCE_ERRORS = ['InvalidDBInstanceId.NotFound'] as const;
