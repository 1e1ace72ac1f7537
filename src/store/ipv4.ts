// Dotted IPv4 <-> unsigned 32-bit number, for the address pool (stored as address_num so SQL can find gaps).

export function ipv4ToNumber(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${address}`);
  let n = 0;
  for (const p of parts) {
    const octet = Number(p);
    if (!/^\d{1,3}$/.test(p) || octet > 255) throw new Error(`not an IPv4 address: ${address}`);
    n = n * 256 + octet;
  }
  return n;
}

export function numberToIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`not an IPv4 number: ${n}`);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
