// defineOp: one declaration per Action (parameters, response, errors, what it touches).
import type { ErrorCode } from '../errors/codes.js';
import { int, str, type OutShape, type ParamSpecs } from './shapes.js';

export interface OpSpec<P extends ParamSpecs = ParamSpecs, S extends OutShape = OutShape> {
  readonly name: string;
  readonly group: 'network' | 'security' | 'instances' | 'accounts' | 'databases' | 'settings' | 'tags' | 'changes';
  /** Our own words; shown by the explorer. */
  readonly summary: string;
  readonly params: P;
  /** Response body without RequestId (the pipeline adds it). */
  readonly output: S;
  /** Operation-specific codes; the common gateway codes apply to every operation. */
  readonly errors: readonly ErrorCode[];
  /** Changes state: runs in a write transaction, is audited, wakes the data plane. */
  readonly mutates: boolean;
  /**
   * The answer is a function of the store, the caller's account and the declared input alone (no clock, no live
   * server, no config that changes): a repeat may be answered from the memo of encoded answers while the store's
   * version stands (protocol/answer-memo.ts). Read-only operations only.
   */
  readonly answerMemo?: boolean;
  /** Parameter naming the instance (RAM resource, audit, data-plane scope). */
  readonly instanceParam?: string;
  /** This is a second wire name of that operation, which the official SDKs do not have (UnTagResources). */
  readonly aliasOf?: string;
  /** HTTP status of a code on this operation where the reference documents another than the catalogue's. */
  readonly errorStatus?: Partial<Record<ErrorCode, number>>;
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

/**
 * ClientToken as every operation declares it. The documented limit is 64 characters, but the Terraform provider
 * sends 66 (`Terraform-Alicloud-<unix seconds>-<uuid>`), so localrds takes up to 128 (docs/fidelity.md).
 */
export const CLIENT_TOKEN = str('Idempotence token: a retry with the same token by the same account returns the first answer and changes nothing.', {
  max: 128, example: 'Terraform-Alicloud-1764614400-0e6f2b0c-5d1e-4f5a-9a43-2f1c8f6d7e90',
});

/** Errors every operation that names an instance can raise. */
export const INSTANCE_ERRORS = ['InvalidDBInstanceId.NotFound'] as const;
