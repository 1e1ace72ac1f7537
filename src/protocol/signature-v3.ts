// Signature V3 (ACS3-HMAC-SHA256 and ACS3-HMAC-SM3 in the Authorization header). Pure functions.
import { createHmac, hash } from 'node:crypto';
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
  // A later field of the same name wins; fields of other names are ignored, but every part needs its '=' (an
  // empty part, as in ",," or a trailing ",", is malformed). Scanned in place: no array of parts, no Map of fields.
  let accessKeyId: string | undefined;
  let signed: string | undefined;
  let signature: string | undefined;
  let at = sp + 1;
  for (;;) {
    const comma = header.indexOf(',', at);
    const end = comma < 0 ? header.length : comma;
    const eq = header.indexOf('=', at);
    if (eq < 0 || eq >= end) return undefined;
    const name = header.slice(at, eq).trim();
    if (name === 'Credential') accessKeyId = header.slice(eq + 1, end).trim();
    else if (name === 'SignedHeaders') signed = header.slice(eq + 1, end).trim();
    else if (name === 'Signature') signature = header.slice(eq + 1, end).trim();
    if (comma < 0) break;
    at = comma + 1;
  }
  if (!accessKeyId || !signed || !signature) return undefined;
  const signedHeaders = signed.split(';');
  for (let i = 0; i < signedHeaders.length; i++) signedHeaders[i] = (signedHeaders[i] as string).trim().toLowerCase();
  return { algorithm, accessKeyId, signedHeaders, signature: signature.toLowerCase() };
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
  // The RPC endpoint is always "/": spare it the decode and encode.
  const uri = i.path === '/' ? '/' : percentEncode(decodeURIComponentSafe(i.path)).replace(/%2F/g, '/') || '/';
  let query = '';
  if (i.query.length === 1) {
    const [k, v] = i.query[0] as readonly [string, string];
    query = `${percentEncode(k)}=${percentEncode(v)}`;
  } else if (i.query.length > 1) {
    const sorted = [...i.query].sort((a, b) => byteOrder(a[0], b[0]));
    for (let n = 0; n < sorted.length; n++) {
      const [k, v] = sorted[n] as readonly [string, string];
      query += `${n === 0 ? '' : '&'}${percentEncode(k)}=${percentEncode(v)}`;
    }
  }
  // The SDKs send SignedHeaders sorted already: no copy to sort then.
  const names = isSorted(i.signedHeaders) ? i.signedHeaders : [...i.signedHeaders].sort();
  let canonicalHeaders = '';
  for (const n of names) canonicalHeaders += `${n}:${headerValue(i.headers[n])}\n`;
  return `${i.method.toUpperCase()}\n${uri}\n${query}\n${canonicalHeaders}\n${names.join(';')}\n${i.bodyHash}`;
}

/** In the order Array.prototype.sort gives (UTF-16 code units). */
function isSorted(names: readonly string[]): boolean {
  for (let n = 1; n < names.length; n++) if ((names[n - 1] as string) > (names[n] as string)) return false;
  return true;
}

function headerValue(v: string | string[] | undefined): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => x.trim()).sort().join(',');
  return v.trim();
}

function decodeURIComponentSafe(p: string): string {
  try { return decodeURIComponent(p); } catch { return p; }
}

const EMPTY = Buffer.alloc(0);
const emptyHashes = new Map<V3Algorithm, string>();

export function v3Hash(alg: V3Algorithm, data: Buffer | string): string {
  // Most calls carry no body: its hash is a constant.
  if (data.length === 0) {
    let h = emptyHashes.get(alg);
    if (h === undefined) emptyHashes.set(alg, (h = hashOf(alg, EMPTY)));
    return h;
  }
  return hashOf(alg, data);
}

function hashOf(alg: V3Algorithm, data: Buffer | string): string {
  if (alg === 'ACS3-HMAC-SM3') return sm3(typeof data === 'string' ? data : [...data]);
  // The one-shot hash: no Hash object per call (half the cost of createHash for a short input).
  return hash('sha256', data, 'hex');
}

export function v3StringToSign(alg: V3Algorithm, canonicalRequest: string): string {
  return `${alg}\n${v3Hash(alg, canonicalRequest)}`;
}

export function v3Sign(alg: V3Algorithm, secret: string, stringToSign: string): string {
  if (alg === 'ACS3-HMAC-SM3') return sm3(stringToSign, { key: Buffer.from(secret, 'utf8').toString('hex'), mode: 'hmac' });
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

/** SHA-256's block: an HMAC key is padded (or first hashed) to this many bytes. */
const BLOCK = 64;
/** "ACS3-HMAC-SHA256\n" and the canonical request's hex SHA-256: every V3 SHA-256 string to sign is this long. */
const STRING_TO_SIGN_LENGTH = 'ACS3-HMAC-SHA256\n'.length + 64;

/**
 * HMAC-SHA256 with one key, its padded blocks made once (RFC 2104: H(K ^ opad || H(K ^ ipad || m))). Two one-shot
 * hashes over buffers kept with the key cost about half of createHmac(), whose object, key preparation and
 * update()/digest() calls were most of an HMAC of 81 bytes. Only for messages of one length (the V3 string to
 * sign), written into the key's own buffer: single-threaded use, each call finished before the next.
 */
export interface HmacSha256Key { sign(message: string): string }

export function hmacSha256Key(secret: string): HmacSha256Key {
  let key: Buffer = Buffer.from(secret, 'utf8');
  if (key.length > BLOCK) key = hash('sha256', key, 'buffer') as unknown as Buffer;
  const inner = Buffer.alloc(BLOCK + STRING_TO_SIGN_LENGTH);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    const k = i < key.length ? (key[i] as number) : 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  key.fill(0);
  return {
    sign(message) {
      // Another length (or a character past Latin-1) takes the general path.
      if (message.length !== STRING_TO_SIGN_LENGTH || inner.write(message, BLOCK, 'latin1') !== STRING_TO_SIGN_LENGTH || Buffer.byteLength(message) !== STRING_TO_SIGN_LENGTH) {
        return createHmac('sha256', secret).update(message, 'utf8').digest('hex');
      }
      // A hex digest and its decode into the outer block cost less than a digest to a new Buffer.
      outer.write(hash('sha256', inner, 'hex'), BLOCK, 'hex');
      return hash('sha256', outer, 'hex');
    },
  };
}

/**
 * Whether `signature` (lower-case hex, as parseV3Authorization gives it) is the signature of stringToSign, in
 * constant time. (A binary digest against Buffer.from(signature, 'hex') was measured slower than this in Node 20:
 * digest() to a Buffer and the hex decode cost more than the hex digest and a compare without Buffers.)
 */
export function v3Verify(alg: V3Algorithm, secret: string, stringToSign: string, signature: string, hmacKey?: HmacSha256Key): boolean {
  const mine = hmacKey !== undefined && alg === 'ACS3-HMAC-SHA256' ? hmacKey.sign(stringToSign) : v3Sign(alg, secret, stringToSign);
  return constantTimeEqual(mine, signature);
}

/**
 * Constant-time string comparison: every code unit is compared, whatever differs first; different lengths
 * compare unequal (a length is no secret: the signature's is fixed by its algorithm). The XOR over the code units
 * needs no Buffer per string, which timingSafeEqual would.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
