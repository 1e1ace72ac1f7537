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
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
