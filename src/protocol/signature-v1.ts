// Signature V1 (HMAC-SHA1 over the sorted, re-encoded parameters). Pure functions.
import { createHmac } from 'node:crypto';
import { percentEncode } from './percent.js';

/** Canonical string to sign: METHOD&%2F&enc(k1=v1&k2=v2...) over every parameter but Signature. */
export function v1StringToSign(method: string, params: ReadonlyMap<string, string>): string {
  const keys = [...params.keys()].filter((k) => k !== 'Signature').sort(byteOrder);
  const canonical = keys.map((k) => `${percentEncode(k)}=${percentEncode(params.get(k) ?? '')}`).join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function v1Sign(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret + '&').update(stringToSign, 'utf8').digest('base64');
}

/** Sort by UTF-8 bytes (what the reference clients do for ASCII keys, and well-defined for others). */
export function byteOrder(a: string, b: string): number {
  // UTF-8 keeps code point order, and UTF-16 code units are code points outside the surrogates: the first
  // differing unit decides, unless a surrogate is involved (a pair, or a lone one that UTF-8 turns into U+FFFD).
  // Comparing the two encodings, as before, costs two Buffers per comparison of a sort.
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const x = i < a.length ? a.charCodeAt(i) : -1;
  const y = i < b.length ? b.charCodeAt(i) : -1;
  const prev = i > 0 ? a.charCodeAt(i - 1) : 0;
  if (isSurrogate(x) || isSurrogate(y) || isSurrogate(prev)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return x < y ? -1 : x > y ? 1 : 0;
}

function isSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdfff;
}
