// IPv4 addresses and CIDR blocks as numbers: pools, whitelists.

export function ipToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] as string;
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const b = Number(part);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  text: string;
  first: number;
  last: number;
  bits: number;
}

export function parseCidr(s: string): Cidr | undefined {
  const [ip, maskText, extra] = s.split('/');
  if (extra !== undefined || ip === undefined) return undefined;
  const base = ipToNumber(ip);
  if (base === undefined) return undefined;
  const bits = maskText === undefined ? 32 : /^\d{1,2}$/.test(maskText) ? Number(maskText) : -1;
  if (bits < 0 || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const first = base - (base % size);
  return { text: s, first, last: first + size - 1, bits };
}

/** Usable addresses of an address pool: a block's network and broadcast addresses are skipped when it is /30 or larger. */
export function poolRange(c: Cidr): { first: number; last: number } {
  return c.bits <= 30 ? { first: c.first + 1, last: c.last - 1 } : { first: c.first, last: c.last };
}
