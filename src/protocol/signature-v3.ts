// Signature V3 (ACS3-HMAC-SHA256 and ACS3-HMAC-SM3 in the Authorization header). Pure functions.
import { createHash, createHmac } from 'node:crypto';
// The SM3 module alone: the package's index also loads SM2 (big-integer arithmetic), which costs start-up time.
import sm3 from 'sm-crypto/src/sm3/index.js';
import { percentEncode } from './percent.js';
import { byteOrder } from './signature-v1.js';

export type V3Algorithm = 'ACS3-HMAC-SHA256' | 'ACS3-HMAC-SM3';
export const V3_ALGORITHMS: readonly V3Algorithm[] = ['ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3'];

export interface V3Authorization {
  algorithm: V3Algorithm;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`; undefined if malformed. */
export function parseV3Authorization(header: string): V3Authorization | undefined {
  const sp = header.indexOf(' ');
  if (sp < 0) return undefined;
  const algorithm = header.slice(0, sp) as V3Algorithm;
  if (!V3_ALGORITHMS.includes(algorithm)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(sp + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signed || !signature) return undefined;
  return { algorithm, accessKeyId, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()), signature: signature.toLowerCase() };
}

export interface V3CanonicalInput {
  method: string;
  path: string;
  /** Decoded query parameters. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Lower-cased header name -> value(s). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  signedHeaders: readonly string[];
  bodyHash: string;
}

export function v3CanonicalRequest(i: V3CanonicalInput): string {
  const uri = percentEncode(decodeURIComponentSafe(i.path)).replace(/%2F/g, '/') || '/';
  const query = [...i.query]
    .sort((a, b) => byteOrder(a[0], b[0]))
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  const names = [...i.signedHeaders].sort();
  const canonicalHeaders = names.map((n) => `${n}:${headerValue(i.headers[n])}\n`).join('');
  return `${i.method.toUpperCase()}\n${uri}\n${query}\n${canonicalHeaders}\n${names.join(';')}\n${i.bodyHash}`;
}

function headerValue(v: string | string[] | undefined): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => x.trim()).sort().join(',');
  return v.trim();
}

function decodeURIComponentSafe(p: string): string {
  try { return decodeURIComponent(p); } catch { return p; }
}

export function v3Hash(alg: V3Algorithm, data: Buffer | string): string {
  if (alg === 'ACS3-HMAC-SM3') return sm3(typeof data === 'string' ? data : [...data]);
  return createHash('sha256').update(data).digest('hex');
}

export function v3StringToSign(alg: V3Algorithm, canonicalRequest: string): string {
  return `${alg}\n${v3Hash(alg, canonicalRequest)}`;
}

export function v3Sign(alg: V3Algorithm, secret: string, stringToSign: string): string {
  if (alg === 'ACS3-HMAC-SM3') return sm3(stringToSign, { key: Buffer.from(secret, 'utf8').toString('hex'), mode: 'hmac' });
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}
