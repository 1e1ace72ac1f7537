// Stage 5 of the pipeline: who is calling. Signature V1 (parameters) or V3 (Authorization header),
// a 15-minute clock window, and each nonce accepted once (nonces live in the store, so restarts keep them).
import type { AccessKeyRecord } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { header, type RpcRequest } from '../protocol/rpc-request.js';
import { v1Sign, v1StringToSign } from '../protocol/signature-v1.js';
import { constantTimeEqual, hmacSha256Key, parseV3Authorization, v3CanonicalRequest, v3Hash, v3StringToSign, v3Verify, type HmacSha256Key } from '../protocol/signature-v3.js';

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
  const fast = parseTimestampFast(s);
  if (fast !== undefined) return fast;
  const m = TIMESTAMP.exec(s);
  if (!m) throw new ApiError('InvalidTimeStamp.Format');
  const t = Date.parse(s);
  if (Number.isNaN(t) || new Date(t).getUTCDate() !== Number(m[3])) throw new ApiError('InvalidTimeStamp.Format');
  return t;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` (what the SDKs send) with every field in range, without the regex, Date.parse and a
 * Date per call; undefined for anything else, which the full check then judges (test/pipeline-fast-paths.test.ts
 * holds the two to the same answers).
 */
function parseTimestampFast(s: string): number | undefined {
  if (s.length !== 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84
    || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 90) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  // Years before 1970 (Date.UTC reads 0 to 99 as 19xx) and every odd field go the long way.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
    || second < 0 || second > 59 || day > daysIn(year, month)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The decimal number of n digits at `at`, or -1 if one is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Constant-time string comparison (V1's base64 signatures; V3's go through v3Verify). */
export const safeEqual = constantTimeEqual;

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
 * With the key in memory (the key cache's hit) this answers at once: it returns the result, or throws the
 * ApiError, without a promise and its microtask; only a key read from the store makes it a promise.
 */
export function authenticateDeferred(req: RpcRequest, deps: AuthDeps): PendingPrincipal | Promise<PendingPrincipal> {
  const authz = header(req.headers, 'authorization');
  let pending: PendingPrincipal | Promise<PendingPrincipal>;
  if (authz !== undefined && authz.startsWith('ACS3-')) pending = authenticateV3(req, authz, deps);
  else if (req.params.has('Signature') || req.params.has('AccessKeyId')) pending = authenticateV1(req, deps);
  else if (authz !== undefined) throw new ApiError('IncompleteSignature', { detail: 'Unsupported Authorization scheme.' });
  else throw new ApiError('MissingParameter', { name: 'AccessKeyId' });
  return pending instanceof Promise ? pending.then(observed) : observed(pending);
}

// Marked as handled here: a caller that fails elsewhere first must not leave an unhandled rejection.
function observed(pending: PendingPrincipal): PendingPrincipal {
  pending.nonceChecked.catch(() => undefined);
  return pending;
}

/** The key, then `then` with it: at once for a key in memory, after the read for one from the store. */
function withKey<T>(deps: AuthDeps, accessKeyId: string, then: (key: AccessKeyRecord) => T): T | Promise<T> {
  const got = deps.getKey(accessKeyId);
  return got instanceof Promise ? got.then((k) => then(usableKey(k))) : then(usableKey(got));
}

function authenticateV1(req: RpcRequest, deps: AuthDeps): PendingPrincipal | Promise<PendingPrincipal> {
  const p = req.params;
  for (const name of ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureNonce', 'Timestamp']) {
    if (!p.get(name)) throw new ApiError('MissingParameter', { name });
  }
  if (p.get('SignatureMethod') !== 'HMAC-SHA1') throw new ApiError('InvalidSignatureMethod');
  const sv = p.get('SignatureVersion');
  if (sv !== undefined && sv !== '1.0') throw new ApiError('InvalidParameter', { name: 'SignatureVersion', detail: 'Use 1.0.' });
  rejectSts(p.get('SecurityToken'));
  const ts = parseTimestamp(p.get('Timestamp') as string);
  return withKey(deps, p.get('AccessKeyId') as string, (key) => {
    const stringToSign = v1StringToSign(req.method, p);
    if (!safeEqual(v1Sign(key.secret, stringToSign), p.get('Signature') as string)) {
      throw new ApiError('SignatureDoesNotMatch', { stringToSign });
    }
    const nonceChecked = checkFreshness(key.accessKeyId, p.get('SignatureNonce') as string, ts, deps);
    return { principal: { accessKeyId: key.accessKeyId, accountId: key.accountId, policy: key.policy, scheme: 'V1' }, nonceChecked };
  });
}

function authenticateV3(req: RpcRequest, authz: string, deps: AuthDeps): PendingPrincipal | Promise<PendingPrincipal> {
  const a = parseV3Authorization(authz);
  if (!a) throw new ApiError('IncompleteSignature', { detail: 'Malformed Authorization header.' });
  const h = req.headers;
  const date = header(h, 'x-acs-date');
  const nonce = header(h, 'x-acs-signature-nonce');
  if (!date) throw new ApiError('MissingParameter', { name: 'x-acs-date' });
  if (!nonce) throw new ApiError('MissingParameter', { name: 'x-acs-signature-nonce' });
  // Everything that decides what the request does must be covered by the signature. (A handful of signed
  // names: a linear scan costs less than building a Set per call.)
  for (const name in h) {
    if ((name.startsWith('x-acs-') || name === 'host' || name === 'content-type') && !a.signedHeaders.includes(name)) {
      throw new ApiError('IncompleteSignature', { detail: `Header "${name}" must be signed.` });
    }
  }
  rejectSts(header(h, 'x-acs-security-token'));
  const ts = parseTimestamp(date);
  return withKey(deps, a.accessKeyId, (key) => {
    const bodyHash = v3Hash(a.algorithm, req.body);
    const sentHash = header(h, 'x-acs-content-sha256');
    if (sentHash !== undefined && sentHash !== bodyHash && sentHash.toLowerCase() !== bodyHash) {
      throw new ApiError('IncompleteSignature', { detail: 'x-acs-content-sha256 does not match the body.' });
    }
    const canonical = v3CanonicalRequest({ method: req.method, path: req.path, query: req.query, headers: h, signedHeaders: a.signedHeaders, bodyHash });
    const stringToSign = v3StringToSign(a.algorithm, canonical);
    if (!v3Verify(a.algorithm, key.secret, stringToSign, a.signature, hmacKeyOf(key))) {
      throw new ApiError('SignatureDoesNotMatch', { stringToSign });
    }
    const nonceChecked = checkFreshness(key.accessKeyId, nonce, ts, deps);
    return { principal: { accessKeyId: key.accessKeyId, accountId: key.accountId, policy: key.policy, scheme: 'V3' }, nonceChecked };
  });
}

// The HMAC key of a key record, made once per record: the key cache hands out the same record until the key
// changes, and a record read anew (a changed secret) gets its own, so the padded key never outlives its secret.
const hmacKeys = new WeakMap<AccessKeyRecord, HmacSha256Key>();
function hmacKeyOf(key: AccessKeyRecord): HmacSha256Key {
  let k = hmacKeys.get(key);
  if (k === undefined) hmacKeys.set(key, (k = hmacSha256Key(key.secret)));
  return k;
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
