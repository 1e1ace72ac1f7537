// Stage 5 of the pipeline: who is calling. Signature V1 (parameters) or V3 (Authorization header),
// a 15-minute clock window, and each nonce accepted once (nonces live in the store, so restarts keep them).
import { timingSafeEqual } from 'node:crypto';
import type { AccessKeyRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { header, type RpcRequest } from '../protocol/rpc-request.js';
import { v1Sign, v1StringToSign } from '../protocol/signature-v1.js';
import { parseV3Authorization, v3CanonicalRequest, v3Hash, v3Sign, v3StringToSign } from '../protocol/signature-v3.js';

export const CLOCK_WINDOW_MS = 15 * 60 * 1000;

export interface Principal {
  accessKeyId: string;
  accountId: AccessKeyRecord['accountId'];
  policy: string | null;
  scheme: 'V1' | 'V3';
}

export interface AuthDeps {
  /** A value at once (a cache hit) or a promise of it. */
  getKey(accessKeyId: string): AccessKeyRecord | undefined | Promise<AccessKeyRecord | undefined>;
  /** false when the nonce was already used by this key inside its window. */
  useNonce(accessKeyId: string, nonce: string, nowMs: number, expiresAtMs: number): Promise<boolean>;
  now(): number;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

export function parseTimestamp(s: string): number {
  const m = TIMESTAMP.exec(s);
  if (!m) throw new ApiError('InvalidTimeStamp.Format');
  const t = Date.parse(s);
  if (Number.isNaN(t) || new Date(t).getUTCDate() !== Number(m[3])) throw new ApiError('InvalidTimeStamp.Format');
  return t;
}

/** Constant-time string comparison; different lengths compare unequal without an early exit on content. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** A verified caller whose nonce is still being recorded: `nonceChecked` rejects with SignatureNonceUsed. */
export interface PendingPrincipal {
  principal: Principal;
  nonceChecked: Promise<void>;
}

export async function authenticate(req: RpcRequest, deps: AuthDeps): Promise<Principal> {
  const { principal, nonceChecked } = await authenticateDeferred(req, deps);
  await nonceChecked;
  return principal;
}

/**
 * Signature, key and clock checked; the nonce's once-only check still under way, so that a read can run
 * beside it (its answer is sent only once nonceChecked resolved). nonceChecked never rejects unobserved.
 */
export async function authenticateDeferred(req: RpcRequest, deps: AuthDeps): Promise<PendingPrincipal> {
  const authz = header(req.headers, 'authorization');
  let pending: PendingPrincipal;
  if (authz !== undefined && authz.startsWith('ACS3-')) pending = await authenticateV3(req, authz, deps);
  else if (req.params.has('Signature') || req.params.has('AccessKeyId')) pending = await authenticateV1(req, deps);
  else if (authz !== undefined) throw new ApiError('IncompleteSignature', { detail: 'Unsupported Authorization scheme.' });
  else throw new ApiError('MissingParameter', { name: 'AccessKeyId' });
  // Marked as handled here: a caller that fails elsewhere first must not leave an unhandled rejection.
  pending.nonceChecked.catch(() => undefined);
  return pending;
}

async function authenticateV1(req: RpcRequest, deps: AuthDeps): Promise<PendingPrincipal> {
  const p = req.params;
  for (const name of ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureNonce', 'Timestamp']) {
    if (!p.get(name)) throw new ApiError('MissingParameter', { name });
  }
  if (p.get('SignatureMethod') !== 'HMAC-SHA1') throw new ApiError('InvalidSignatureMethod');
  const sv = p.get('SignatureVersion');
  if (sv !== undefined && sv !== '1.0') throw new ApiError('InvalidParameter', { name: 'SignatureVersion', detail: 'Use 1.0.' });
  rejectSts(p.get('SecurityToken'));
  const ts = parseTimestamp(p.get('Timestamp') as string);
  const got = deps.getKey(p.get('AccessKeyId') as string);
  const key = usableKey(got instanceof Promise ? await got : got);
  const stringToSign = v1StringToSign(req.method, p);
  if (!safeEqual(v1Sign(key.secret, stringToSign), p.get('Signature') as string)) {
    throw new ApiError('SignatureDoesNotMatch', { stringToSign });
  }
  const nonceChecked = checkFreshness(key.accessKeyId, p.get('SignatureNonce') as string, ts, deps);
  return { principal: { accessKeyId: key.accessKeyId, accountId: key.accountId, policy: key.policy, scheme: 'V1' }, nonceChecked };
}

async function authenticateV3(req: RpcRequest, authz: string, deps: AuthDeps): Promise<PendingPrincipal> {
  const a = parseV3Authorization(authz);
  if (!a) throw new ApiError('IncompleteSignature', { detail: 'Malformed Authorization header.' });
  const h = req.headers;
  const date = header(h, 'x-acs-date');
  const nonce = header(h, 'x-acs-signature-nonce');
  if (!date) throw new ApiError('MissingParameter', { name: 'x-acs-date' });
  if (!nonce) throw new ApiError('MissingParameter', { name: 'x-acs-signature-nonce' });
  // Everything that decides what the request does must be covered by the signature.
  const signed = new Set(a.signedHeaders);
  for (const name of Object.keys(h)) {
    if ((name.startsWith('x-acs-') || name === 'host' || name === 'content-type') && !signed.has(name)) {
      throw new ApiError('IncompleteSignature', { detail: `Header "${name}" must be signed.` });
    }
  }
  rejectSts(header(h, 'x-acs-security-token'));
  const ts = parseTimestamp(date);
  const got = deps.getKey(a.accessKeyId);
  const key = usableKey(got instanceof Promise ? await got : got);
  const bodyHash = v3Hash(a.algorithm, req.body);
  const sentHash = header(h, 'x-acs-content-sha256');
  if (sentHash !== undefined && sentHash.toLowerCase() !== bodyHash) {
    throw new ApiError('IncompleteSignature', { detail: 'x-acs-content-sha256 does not match the body.' });
  }
  const canonical = v3CanonicalRequest({ method: req.method, path: req.path, query: req.query, headers: h, signedHeaders: a.signedHeaders, bodyHash });
  const stringToSign = v3StringToSign(a.algorithm, canonical);
  if (!safeEqual(v3Sign(a.algorithm, key.secret, stringToSign), a.signature)) {
    throw new ApiError('SignatureDoesNotMatch', { stringToSign });
  }
  const nonceChecked = checkFreshness(key.accessKeyId, nonce, ts, deps);
  return { principal: { accessKeyId: key.accessKeyId, accountId: key.accountId, policy: key.policy, scheme: 'V3' }, nonceChecked };
}

function rejectSts(token: string | undefined): void {
  if (token !== undefined && token !== '') throw new ApiError('InvalidSecurityToken.NotSupported');
}

function usableKey(key: AccessKeyRecord | undefined): AccessKeyRecord {
  if (!key) throw new ApiError('InvalidAccessKeyId.NotFound');
  if (key.status !== 'Active') throw new ApiError('InvalidAccessKeyId.Inactive');
  return key;
}

/** Clock window and nonce length at once (throws); the returned promise is the nonce's once-only check. */
function checkFreshness(accessKeyId: string, nonce: string, ts: number, deps: AuthDeps): Promise<void> {
  const now = deps.now();
  if (Math.abs(now - ts) > CLOCK_WINDOW_MS) throw new ApiError('InvalidTimeStamp.Expired');
  if (nonce.length > 128) throw new ApiError('InvalidParameter', { name: 'SignatureNonce', detail: 'At most 128 characters.' });
  // A replay is only possible while its timestamp is inside the window, so the nonce is kept until then.
  return deps.useNonce(accessKeyId, nonce, now, ts + CLOCK_WINDOW_MS + 60_000).then((fresh) => {
    if (!fresh) throw new ApiError('SignatureNonceUsed');
  });
}
