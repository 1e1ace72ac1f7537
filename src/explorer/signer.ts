// Signs explorer requests with WebCrypto (globalThis.crypto.subtle: the browser's, and Node's since 19), the same
// algorithms the server verifies in src/protocol/signature-v3.ts and signature-v1.ts:
//   V3 ACS3-HMAC-SHA256: parameters in the query, empty body, host plus every x-acs-* header signed. Browsers
//     forbid setting host, so the page signs location.host, which is what the browser sends (port included).
//   V1 HMAC-SHA1: everything in the query, Signature included; nothing in the headers.
// Returns what was signed as well, so that the page can show the canonical request and the string to sign.
import { percentEncode } from '../protocol/percent.js';

export type SignatureScheme = 'V3' | 'V1';

export interface SignInput {
  scheme: SignatureScheme;
  method: 'GET' | 'POST';
  /** Host as the client sends it (host:port). */
  host: string;
  path: string;
  /** Set for API calls; omitted for the admin endpoints, which only authenticate. */
  action?: string;
  version?: string;
  params: ReadonlyArray<readonly [string, string]>;
  accessKeyId: string;
  accessKeySecret: string;
  /** For known-answer tests. */
  date?: Date;
  nonce?: string;
}

export interface SignedRequest {
  method: string;
  /** Path and query, ready for fetch against the same origin. */
  url: string;
  /** Headers to send (host excluded: the client sets it). */
  headers: Record<string, string>;
  /** Every signed header including host, for display. */
  signedHeaders: Record<string, string>;
  /** V3 only. */
  canonicalRequest?: string;
  stringToSign: string;
}

const encoder = new TextEncoder();

/** Order by UTF-8 bytes, as the server sorts (Buffer.compare). */
export function byteOrder(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function base64(buf: ArrayBuffer): string {
  let s = '';
  for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
  return btoa(s);
}

async function sha256Hex(data: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(data)));
}

async function hmac(alg: 'SHA-256' | 'SHA-1', key: string, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: alg }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, encoder.encode(data));
}

function canonicalQuery(params: ReadonlyArray<readonly [string, string]>): string {
  return [...params]
    .sort((a, b) => byteOrder(a[0], b[0]))
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

export async function signRequest(i: SignInput): Promise<SignedRequest> {
  return i.scheme === 'V3' ? signV3(i) : signV1(i);
}

async function signV3(i: SignInput): Promise<SignedRequest> {
  const bodyHash = await sha256Hex('');
  const headers: Record<string, string> = {
    'x-acs-date': isoSeconds(i.date ?? new Date()),
    'x-acs-signature-nonce': i.nonce ?? randomNonce(),
    'x-acs-content-sha256': bodyHash,
  };
  if (i.action) headers['x-acs-action'] = i.action;
  if (i.version) headers['x-acs-version'] = i.version;
  const signedHeaders: Record<string, string> = { host: i.host, ...headers };
  const names = Object.keys(signedHeaders).sort();
  const query = canonicalQuery(i.params);
  // The server canonicalises the path the same way (percent-encoded, slashes kept).
  const uri = percentEncode(i.path).replace(/%2F/g, '/');
  const canonicalRequest = [
    i.method, uri, query,
    names.map((n) => `${n}:${(signedHeaders[n] ?? '').trim()}\n`).join(''),
    names.join(';'), bodyHash,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${await sha256Hex(canonicalRequest)}`;
  const signature = hex(await hmac('SHA-256', i.accessKeySecret, stringToSign));
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${i.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}`;
  signedHeaders.authorization = headers.authorization;
  return { method: i.method, url: query ? `${i.path}?${query}` : i.path, headers, signedHeaders, canonicalRequest, stringToSign };
}

async function signV1(i: SignInput): Promise<SignedRequest> {
  const params: Array<readonly [string, string]> = [
    ...(i.action ? [['Action', i.action] as const] : []),
    ...(i.version ? [['Version', i.version] as const] : []),
    ['Format', 'JSON'], ['AccessKeyId', i.accessKeyId], ['SignatureMethod', 'HMAC-SHA1'], ['SignatureVersion', '1.0'],
    ['SignatureNonce', i.nonce ?? randomNonce()], ['Timestamp', isoSeconds(i.date ?? new Date())],
    ...i.params,
  ];
  const query = canonicalQuery(params);
  const stringToSign = `${i.method}&${percentEncode('/')}&${percentEncode(query)}`;
  const signature = base64(await hmac('SHA-1', `${i.accessKeySecret}&`, stringToSign));
  return {
    method: i.method,
    url: `${i.path}?${query}&Signature=${percentEncode(signature)}`,
    headers: {},
    signedHeaders: {},
    stringToSign,
  };
}
