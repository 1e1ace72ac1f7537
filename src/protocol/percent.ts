// RFC 3986 percent-encoding as Alibaba Cloud signatures use it, and a strict form/query decoder.

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/** Encodes everything but A-Z a-z 0-9 - _ . ~ ; space becomes %20, hex is uppercase. */
export function percentEncode(s: string): string {
  // Most names and values of a signed call need no escape at all.
  if (UNRESERVED.test(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export class DecodeError extends Error {}

/**
 * Splits an x-www-form-urlencoded string ("a=1&b=%20") into decoded pairs, in order.
 * '+' is a space, as in HTML forms. Bad escapes and invalid UTF-8 throw DecodeError.
 */
export function decodePairs(s: string): [string, string][] {
  const out: [string, string][] = [];
  if (s === '') return out;
  // Without '%' and '+' anywhere no component needs decoding (the common case: ids and plain values).
  const plain = !s.includes('%') && !s.includes('+');
  for (const part of s.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push(plain ? [k, v] : [decodeComponent(k), decodeComponent(v)]);
  }
  return out;
}

function decodeComponent(s: string): string {
  const t = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!t.includes('%')) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    throw new DecodeError(`bad percent-encoding in "${t.slice(0, 64)}"`);
  }
}
