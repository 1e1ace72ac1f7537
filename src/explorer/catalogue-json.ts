// Builds /explorer/catalogue.json from OPERATIONS and ERROR_CODES (RegExp patterns become their source text).
import { API_VERSION, OPERATIONS } from '../api/catalogue.js';
import type { OpSpec } from '../api/op.js';
import type { OutShape } from '../api/shapes.js';
import { ERROR_CODES, type ErrorCode } from '../errors/codes.js';
import { DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET } from '../runtime/accounts.js';
import type { CatalogueDoc, ErrorDoc, OperationDoc, ParamDoc } from './catalogue-types.js';

/**
 * Codes the gateway answers before (or around) any handler: request shape, authentication, throttling, RAM,
 * and server faults. Every other code must be declared by at least one operation (a test checks this), so a new
 * code cannot appear in the error centre without the operations that raise it.
 */
export const GATEWAY_ERRORS: readonly ErrorCode[] = [
  'MissingParameter', 'InvalidParameter', 'InvalidAction.NotFound', 'Api.NotSupport', 'InvalidVersion',
  'UnsupportedHTTPMethod', 'InvalidRequest.TooLarge', 'InvalidRequest.Malformed', 'InvalidRequest.Timeout',
  'IncompleteSignature', 'SignatureDoesNotMatch', 'InvalidSignatureMethod', 'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive', 'InvalidTimeStamp.Format', 'InvalidTimeStamp.Expired', 'SignatureNonceUsed',
  'InvalidSecurityToken.NotSupported', 'Throttling.User', 'Forbidden.RAM', 'InternalError', 'ServiceUnavailable',
];

export function operationErrors(op: OpSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(op.errors);
  for (const p of Object.values(op.params)) if (p.invalidCode) codes.add(p.invalidCode);
  return [...codes];
}

function paramDoc(name: string, p: OpSpec['params'][string]): ParamDoc {
  return {
    name, kind: p.kind, wireType: p.wireType, required: p.required, description: p.description,
    ...(p.example !== undefined ? { example: p.example } : {}),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    ...(p.enum ? { enum: [...p.enum] } : {}),
    ...(p.enumIgnoreCase ? { enumIgnoreCase: true } : {}),
    ...(p.pattern ? { pattern: p.pattern.source } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.invalidCode ? { invalidCode: p.invalidCode } : {}),
  };
}

export function buildCatalogueDoc(): CatalogueDoc {
  const ops = Object.values(OPERATIONS) as OpSpec[];
  const operations: OperationDoc[] = ops.map((op) => ({
    name: op.name,
    group: op.group,
    summary: op.summary,
    mutates: op.mutates,
    ...(op.instanceParam ? { instanceParam: op.instanceParam } : {}),
    ...(op.aliasOf ? { aliasOf: op.aliasOf } : {}),
    // Required parameters first, then the declaration order (which groups related parameters).
    params: Object.entries(op.params).map(([n, p]) => paramDoc(n, p)).sort((a, b) => Number(b.required) - Number(a.required)),
    // Through JSON, as the page receives it (descriptions left undefined disappear).
    output: JSON.parse(JSON.stringify(op.output)) as OutShape,
    errors: operationErrors(op),
  }));
  const gateway = new Set<string>(GATEWAY_ERRORS);
  const errors: ErrorDoc[] = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => ({
    code,
    status: ERROR_CODES[code].status,
    message: ERROR_CODES[code].message,
    hint: ERROR_CODES[code].hint,
    gateway: gateway.has(code),
    raisedBy: operations.filter((o) => o.errors.includes(code)).map((o) => o.name),
  }));
  return {
    apiVersion: API_VERSION,
    operations,
    errors,
    devCredentials: { accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET },
  };
}
